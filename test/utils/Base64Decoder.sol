// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Decodes standard padded base64 (RFC 4648 §4), for reading `tokenURI` data URIs in tests.
library Base64Decoder {
    function decode(string memory encoded) internal pure returns (bytes memory out) {
        bytes memory data = bytes(encoded);
        require(data.length % 4 == 0, "Base64Decoder: length");
        if (data.length == 0) return out;
        uint256 padding = 0;
        if (data[data.length - 1] == "=") ++padding;
        if (data[data.length - 2] == "=") ++padding;
        out = new bytes((data.length / 4) * 3 - padding);
        uint256 j = 0;
        for (uint256 i = 0; i < data.length; i += 4) {
            uint256 n =
                (_value(data[i]) << 18) |
                    (_value(data[i + 1]) << 12) |
                    (_value(data[i + 2]) << 6) |
                    _value(data[i + 3]);
            if (j < out.length) out[j++] = bytes1(uint8(n >> 16));
            if (j < out.length) out[j++] = bytes1(uint8(n >> 8));
            if (j < out.length) out[j++] = bytes1(uint8(n));
        }
    }

    function _value(bytes1 c) private pure returns (uint256) {
        if (c >= "A" && c <= "Z") return uint8(c) - uint8(bytes1("A"));
        if (c >= "a" && c <= "z") return uint8(c) - uint8(bytes1("a")) + 26;
        if (c >= "0" && c <= "9") return uint8(c) - uint8(bytes1("0")) + 52;
        if (c == "+") return 62;
        if (c == "/") return 63;
        if (c == "=") return 0;
        revert("Base64Decoder: character");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title On-chain JSON metadata of a soul
/// @notice Renders `tokenURI` for `SoulboundReputation`, which deploys one of these in its constructor. It lives in a
/// contract of its own so that the string code stays out of the reward pool's runtime code (the 24 KiB limit).
contract SoulMetadata {
    /// @notice A `data:application/json;base64,` URI: name, description, and the soul's reputation as of now, newest
    /// claimed epoch and anchor epoch as attributes.
    function render(
        string calldata tokenName,
        address holder,
        uint256 reputation,
        uint256 lastEpoch,
        uint256 anchorEpoch
    ) external pure returns (string memory) {
        string memory attributes = string.concat(
            '[{"trait_type":"Reputation","value":',
            Strings.toString(reputation),
            '},{"trait_type":"Last epoch","value":',
            Strings.toString(lastEpoch),
            '},{"trait_type":"Anchor epoch","value":',
            Strings.toString(anchorEpoch),
            "}]"
        );
        string memory json = string.concat(
            '{"name":"',
            tokenName,
            " #",
            Strings.toString(uint256(uint160(holder))),
            '","description":"Soulbound reputation of ',
            Strings.toChecksumHexString(holder),
            '. It cannot be transferred; it decays every epoch and grows with rewarded work.","attributes":',
            attributes,
            "}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }
}

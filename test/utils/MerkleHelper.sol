// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice Tiny Merkle tree builder for tests: sorted-pair (commutative) hashing over the standard double-hashed
/// leaves, as `MerkleProof.verify` expects. Pairs nodes left to right level by level; an odd last node is promoted.
/// The shape differs from `StandardMerkleTree` but every proof verifies against the root it returns.
library MerkleHelper {
    /// @notice The leaf hash of `[index, account, amount, reputation]` (OpenZeppelin `StandardMerkleTree` leaf).
    function leafHash(
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation
    ) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation))));
    }

    /// @notice The root of the tree over `leaves` (at least one).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        require(leaves.length != 0, "MerkleHelper: no leaves");
        bytes32[] memory level = _copy(leaves);
        uint256 n = level.length;
        while (n > 1) {
            n = _up(level, n);
        }
        return level[0];
    }

    /// @notice The proof of leaf `position` of `leaves`.
    function proof(bytes32[] memory leaves, uint256 position) internal pure returns (bytes32[] memory result) {
        require(position < leaves.length, "MerkleHelper: position out of range");
        bytes32[] memory level = _copy(leaves);
        bytes32[] memory siblings = new bytes32[](256);
        uint256 depth = 0;
        uint256 n = level.length;
        while (n > 1) {
            uint256 sibling = position ^ 1;
            if (sibling < n) siblings[depth++] = level[sibling];
            n = _up(level, n);
            position >>= 1;
        }
        result = new bytes32[](depth);
        for (uint256 i = 0; i < depth; ++i) {
            result[i] = siblings[i];
        }
    }

    /// @dev Replaces the first half of `level` by the parents of its `n` nodes; returns the parent count.
    function _up(bytes32[] memory level, uint256 n) private pure returns (uint256 parents) {
        parents = (n + 1) / 2;
        for (uint256 i = 0; i < n / 2; ++i) {
            level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
        }
        if (n % 2 == 1) level[n / 2] = level[n - 1];
    }

    function _copy(bytes32[] memory input) private pure returns (bytes32[] memory output) {
        output = new bytes32[](input.length);
        for (uint256 i = 0; i < input.length; ++i) {
            output[i] = input[i];
        }
    }
}

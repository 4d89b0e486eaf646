// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FuzzMerkle} from "./FuzzMerkle.sol";

/// @notice Merkle helpers for the concrete tests, over leaf hashes: the trees of `FuzzMerkle` (sorted-pair hashing
/// over the standard double-hashed leaves, an odd last node promoted), whose proofs verify with `MerkleProof`.
library MerkleHelper {
    /// @notice The leaf hash of `[index, account, amount, reputation]` (OpenZeppelin `StandardMerkleTree` leaf).
    function leafHash(
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation
    ) internal pure returns (bytes32) {
        return FuzzMerkle.leafHash(FuzzMerkle.Leaf(index, account, amount, reputation));
    }

    /// @notice The root of the tree over `leaves` (at least one).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        return FuzzMerkle.root(FuzzMerkle.levels(leaves));
    }

    /// @notice The proof of leaf `position` of `leaves`.
    function proof(bytes32[] memory leaves, uint256 position) internal pure returns (bytes32[] memory) {
        require(position < leaves.length, "MerkleHelper: position out of range");
        return FuzzMerkle.proof(FuzzMerkle.levels(leaves), position);
    }
}

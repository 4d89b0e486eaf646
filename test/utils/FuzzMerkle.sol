// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title Small Merkle trees for fuzz and invariant tests, built in Solidity
/// @notice Leaves are hashed like OpenZeppelin's `StandardMerkleTree` with `["uint256","address","uint256","uint256"]`
/// (double keccak of the ABI encoding), pairs with the sorted-pair hash that `MerkleProof` verifies.
/// @dev The tree shape (an odd node is promoted to the next level unchanged) differs from `StandardMerkleTree`'s,
/// which does not matter to the contract: any tree whose proofs verify with `MerkleProof` is a valid tree.
library FuzzMerkle {
    struct Leaf {
        uint256 index;
        address account;
        uint256 amount;
        uint256 reputation;
    }

    /// @notice The leaf hash the pool verifies.
    function leafHash(Leaf memory leaf) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(leaf.index, leaf.account, leaf.amount, leaf.reputation))));
    }

    /// @notice Every level of the tree over `leaves`, the hashed leaves first and the root last.
    function levels(Leaf[] memory leaves) internal pure returns (bytes32[][] memory) {
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) hashes[i] = leafHash(leaves[i]);
        return levels(hashes);
    }

    /// @notice Every level of the tree over already hashed leaves, the leaves first and the root last.
    function levels(bytes32[] memory hashes) internal pure returns (bytes32[][] memory tree) {
        uint256 n = hashes.length;
        require(n != 0, "FuzzMerkle: empty tree");
        uint256 depth = 1;
        for (uint256 width = n; width > 1; width = (width + 1) / 2) ++depth;
        tree = new bytes32[][](depth);
        tree[0] = hashes;
        for (uint256 d = 1; d < depth; ++d) {
            bytes32[] memory below = tree[d - 1];
            bytes32[] memory level = new bytes32[]((below.length + 1) / 2);
            for (uint256 i = 0; i < level.length; ++i) {
                uint256 left = 2 * i;
                level[i] =
                    left + 1 < below.length ? Hashes.commutativeKeccak256(below[left], below[left + 1]) : below[left];
            }
            tree[d] = level;
        }
    }

    /// @notice The root of a tree given by `levels`.
    function root(bytes32[][] memory tree) internal pure returns (bytes32) {
        return tree[tree.length - 1][0];
    }

    /// @notice The proof of leaf position `position` in a tree given by `levels`.
    function proof(bytes32[][] memory tree, uint256 position) internal pure returns (bytes32[] memory path) {
        bytes32[] memory buffer = new bytes32[](tree.length);
        uint256 count = 0;
        for (uint256 d = 0; d + 1 < tree.length; ++d) {
            uint256 sibling = position ^ 1;
            if (sibling < tree[d].length) buffer[count++] = tree[d][sibling];
            position >>= 1;
        }
        path = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) path[i] = buffer[i];
    }
}

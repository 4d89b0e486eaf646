// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FuzzMerkle} from "./FuzzMerkle.sol";

/// @notice Trees kept in storage under an id (an epoch, a proposal's number): their leaves and levels, and any leaf
/// with its proof, for the fuzz and invariant tests that claim leaves of trees proposed earlier.
abstract contract TreeStore {
    mapping(uint256 id => FuzzMerkle.Leaf[]) internal _storedLeaves;
    mapping(uint256 id => bytes32[][]) internal _storedLevels;

    function _storeTree(uint256 id, FuzzMerkle.Leaf[] memory leaves, bytes32[][] memory levels) internal {
        for (uint256 i = 0; i < leaves.length; ++i) _storedLeaves[id].push(leaves[i]);
        _storedLevels[id] = levels;
    }

    /// @dev Leaf `position` of tree `id` and its proof.
    function _storedLeaf(
        uint256 id,
        uint256 position
    ) internal view returns (FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) {
        leaf = _storedLeaves[id][position];
        proof = FuzzMerkle.proof(_storedLevels[id], position);
    }
}

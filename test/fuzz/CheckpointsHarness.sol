// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {CompactCheckpoints} from "../../contracts/libraries/CompactCheckpoints.sol";

/// @notice Writes the same checkpoints into a `CompactCheckpoints.Trace` and into OpenZeppelin's
/// `Checkpoints.Trace208` (the structure it replaces) so that tests can compare their lookups.
contract CheckpointsHarness {
    using CompactCheckpoints for CompactCheckpoints.Trace;
    using Checkpoints for Checkpoints.Trace208;

    CompactCheckpoints.Trace private _compact;
    Checkpoints.Trace208 private _reference;

    /// @notice Pushes `(key, value)` into both traces and sets the compact trace's tag, as the soul code does.
    function push(uint32 key, uint64 value, uint32 tag) external {
        CompactCheckpoints.Head memory h = _compact.load();
        _compact.push(h, key, value);
        h.tag = tag;
        _compact.store(h);
        _reference.push(key, value);
    }

    function compactLookup(uint32 key) external view returns (uint256) {
        return _compact.upperLookup(key);
    }

    function referenceLookup(uint32 key) external view returns (uint256) {
        return _reference.upperLookup(key);
    }

    function compactLatest() external view returns (uint256) {
        return _compact.load().value;
    }

    function referenceLatest() external view returns (uint256) {
        return _reference.latest();
    }

    function compactHead() external view returns (CompactCheckpoints.Head memory) {
        return _compact.load();
    }

    function referenceLength() external view returns (uint256) {
        return _reference.length();
    }

    /// @notice Checkpoint `pos` of the reference trace, to compare with the compact history.
    function referenceAt(uint32 pos) external view returns (uint48 key, uint208 value) {
        Checkpoints.Checkpoint208 memory c = _reference.at(pos);
        return (c._key, c._value);
    }

    function compactHistoryAt(uint256 index) external view returns (uint32 key, uint64 value) {
        return _compact.historyAt(index);
    }
}

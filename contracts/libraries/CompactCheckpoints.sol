// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title History of a uint64 value keyed by uint32 timestamps, costing one storage slot per write
/// @notice A `Trace` keeps its two most recent checkpoints in one slot (the head) together with a 32-bit tag
/// for the owner's own use; older checkpoints move to a history packed two per slot.
/// @dev Why not OpenZeppelin's `Checkpoints.Trace208`: it spends a slot per checkpoint plus the array length,
/// so every change writes two or three slots. Here a change in a new timestamp rewrites the head and, only from
/// the third checkpoint on, half a history slot. Lookups return the value of the latest checkpoint whose key is
/// at most the timepoint, or 0 before the first one, exactly as `Checkpoints.upperLookup`.
/// Keys must be non-zero (0 marks an empty checkpoint) and written in non-decreasing order: block timestamps,
/// which the callers use, are both.
library CompactCheckpoints {
    /// @notice Two checkpoints, the history length and a tag, unpacked from one slot.
    struct Head {
        uint32 since; // key of the latest checkpoint (0: none yet)
        uint64 value; // value since `since`
        uint32 prevSince; // key of the checkpoint before it (0: none)
        uint64 prevValue; // value from `prevSince` until `since`
        uint32 historyLength; // checkpoints older than `prevSince`, in `history`
        uint32 tag; // free for the owner: last synced epoch of a soul, soul count of the supply
    }

    struct Trace {
        uint256 head; // packed Head
        mapping(uint256 slot => uint256 twoCheckpoints) history; // checkpoint i at slot i/2, half i%2
    }

    uint256 private constant MASK_32 = 0xffffffff;
    uint256 private constant MASK_64 = 0xffffffffffffffff;
    uint256 private constant MASK_128 = 0xffffffffffffffffffffffffffffffff;

    /// @notice Reads the head of a trace (one SLOAD).
    function load(Trace storage self) internal view returns (Head memory h) {
        uint256 packed = self.head;
        h.since = uint32(packed);
        h.value = uint64(packed >> 32);
        h.prevSince = uint32(packed >> 96);
        h.prevValue = uint64(packed >> 128);
        h.historyLength = uint32(packed >> 192);
        h.tag = uint32(packed >> 224);
    }

    /// @notice Writes the head of a trace (one SSTORE).
    function store(Trace storage self, Head memory h) internal {
        self.head =
            uint256(h.since) |
            (uint256(h.value) << 32) |
            (uint256(h.prevSince) << 96) |
            (uint256(h.prevValue) << 128) |
            (uint256(h.historyLength) << 192) |
            (uint256(h.tag) << 224);
    }

    /// @notice Records `value` from `key` on in the unpacked head `h`; the caller stores `h` afterwards.
    /// @dev Same key as the latest checkpoint: overwritten in place. Otherwise the checkpoint before the latest
    /// (if any) is appended to the history, which writes half a history slot.
    function push(Trace storage self, Head memory h, uint32 key, uint64 value) internal {
        if (key == h.since) {
            h.value = value;
            return;
        }
        if (h.prevSince != 0) {
            _append(self, h.historyLength, h.prevSince, h.prevValue);
            // Cannot overflow: one checkpoint per distinct timestamp below 2^32.
            unchecked {
                h.historyLength += 1;
            }
        }
        h.prevSince = h.since;
        h.prevValue = h.value;
        h.since = key;
        h.value = value;
    }

    /// @notice Value of the latest checkpoint with key <= `key`, or 0 before the first checkpoint.
    function upperLookup(Trace storage self, uint32 key) internal view returns (uint64) {
        Head memory h = load(self);
        if (key >= h.since) return h.value;
        if (key >= h.prevSince) return h.prevValue;
        // Binary search for the first history checkpoint with a key greater than `key`.
        uint256 low = 0;
        uint256 high = h.historyLength;
        while (low < high) {
            uint256 mid = (low + high) >> 1;
            (uint32 midKey, ) = _at(self, mid);
            if (midKey > key) high = mid;
            else low = mid + 1;
        }
        if (low == 0) return 0;
        (, uint64 found) = _at(self, low - 1);
        return found;
    }

    /// @notice Checkpoint `index` of the history (oldest first).
    function historyAt(Trace storage self, uint256 index) internal view returns (uint32 key, uint64 value) {
        return _at(self, index);
    }

    function _append(Trace storage self, uint256 index, uint32 key, uint64 value) private {
        uint256 entry = (uint256(key) << 64) | uint256(value);
        if (index & 1 == 0) {
            // A fresh slot: nothing to keep.
            self.history[index >> 1] = entry;
        } else {
            self.history[index >> 1] |= entry << 128;
        }
    }

    function _at(Trace storage self, uint256 index) private view returns (uint32 key, uint64 value) {
        uint256 entry = (self.history[index >> 1] >> ((index & 1) * 128)) & MASK_128;
        key = uint32((entry >> 64) & MASK_32);
        value = uint64(entry & MASK_64);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The souls of a reputation token: one slot per account, and a history of its past anchors
/// @notice A soul's *anchor* is the score a claimed leaf carried and that leaf's epoch; the score decays from it.
/// The ledger keeps, per account, the anchor in force (since a timestamp), the account's claimed epochs, and every
/// earlier anchor with the time it took effect, so that a past score can be looked up.
/// @dev Layout of a soul's slot, from the low bits: value (64) | anchorEpoch (32) | since (32) |
/// lastClaimedEpoch (32) | claimedEpochs (64) | historyLength (31) | recoveredAway (1). History entries are 128 bits
/// (value | anchorEpoch << 64 | since << 96); their `since` keys strictly increase with their position. They are laid
/// out two per slot as the nodes of a ternary search tree (`_slotOf`): position `q = index + 1` whose lowest non-zero
/// base-3 digit is 1 opens the slot keyed `q`, and `q + 3^v` (digit 2) fills its upper half. So a lookup reads
/// both separators of a tree node with one slot, about log3(length) slots, and half the entries open a fresh slot as
/// before.
/// Callers `load` a soul, change it in memory with the pure functions below, and `save` it: nothing reaches storage
/// but through `save`, which writes the slot and the history entry a new anchor needs together, so a change is
/// either stored whole or not at all. History keys are checked to increase before an entry is staged.
library SoulLedger {
    /// @notice A soul, unpacked.
    struct Soul {
        uint64 value;
        uint32 anchorEpoch;
        uint32 since; // 0: the account never held a soul
        uint32 lastClaimedEpoch;
        uint64 claimedEpochs; // bit i: epoch lastClaimedEpoch - i was claimed
        uint32 historyLength; // below 2^31: at most one entry per epoch the account claims, and one for a recovery
        bool recoveredAway;
        // Memory only, never packed: the history entry `setAnchor` staged for `save` (0: none).
        uint256 pendingEntry;
    }

    /// @notice A new anchor would take effect before the anchor it replaces: history keys must increase.
    error SoulHistoryUnordered(uint256 since, uint256 timepoint);

    struct Ledger {
        mapping(address account => uint256 packed) souls;
        mapping(address account => mapping(uint256 slot => uint256 twoAnchors)) history;
    }

    /// @notice How many epochs up to the newest claimed one a soul remembers.
    uint256 internal constant CLAIM_WINDOW = 64;

    uint256 private constant HISTORY_LENGTH_MASK = (1 << 31) - 1;

    /// @notice The soul of `account` (all zero if it never claimed).
    function load(Ledger storage self, address account) internal view returns (Soul memory s) {
        uint256 packed = self.souls[account];
        s.value = uint64(packed);
        s.anchorEpoch = uint32(packed >> 64);
        s.since = uint32(packed >> 96);
        s.lastClaimedEpoch = uint32(packed >> 128);
        s.claimedEpochs = uint64(packed >> 160);
        s.historyLength = uint32((packed >> 224) & HISTORY_LENGTH_MASK);
        s.recoveredAway = packed >> 255 != 0;
    }

    /// @notice Writes the soul of `account`: its slot, and the history entry a new anchor staged (if any).
    function save(Ledger storage self, address account, Soul memory s) internal {
        uint256 entry = s.pendingEntry;
        if (entry != 0) {
            // setAnchor counted the entry: it goes at position historyLength (index historyLength - 1).
            (uint256 key, bool upper) = _slotOf(s.historyLength);
            mapping(uint256 => uint256) storage history = self.history[account];
            if (upper) history[key] |= entry << 128;
            else history[key] = entry;
            s.pendingEntry = 0;
        }
        self.souls[account] =
            uint256(s.value) |
            (uint256(s.anchorEpoch) << 64) |
            (uint256(s.since) << 96) |
            (uint256(s.lastClaimedEpoch) << 128) |
            (uint256(s.claimedEpochs) << 160) |
            ((uint256(s.historyLength) & HISTORY_LENGTH_MASK) << 224) |
            ((s.recoveredAway ? uint256(1) : 0) << 255);
    }

    /// @notice The anchor of `s` as one word (value | anchorEpoch << 64 | since << 96), to compare before and after.
    function anchorOf(Soul memory s) internal pure returns (uint256) {
        return uint256(s.value) | (uint256(s.anchorEpoch) << 64) | (uint256(s.since) << 96);
    }

    /// @notice Marks `epoch` as claimed on `s`; false if it already was (or lies more than 63 epochs behind the
    /// newest claimed epoch, which the pool never lets be claimable). A newer epoch becomes the newest claimed.
    /// @dev `epoch` must be below 2^32 (the pool's epochs are).
    function markClaimed(Soul memory s, uint256 epoch) internal pure returns (bool) {
        uint256 newest = s.lastClaimedEpoch;
        if (epoch > newest) {
            uint256 shift = epoch - newest;
            // Bits shifted past 64 are epochs that can no longer be claimed.
            s.claimedEpochs = shift >= CLAIM_WINDOW ? 1 : uint64((uint256(s.claimedEpochs) << shift) | 1);
            s.lastClaimedEpoch = uint32(epoch);
            return true;
        }
        uint256 offset = newest - epoch;
        // Out of the window counts as claimed: never pay a leaf whose claim the soul can no longer see.
        if (offset >= CLAIM_WINDOW || (uint256(s.claimedEpochs) >> offset) & 1 != 0) return false;
        s.claimedEpochs |= uint64(1 << offset);
        return true;
    }

    /// @notice Whether `epoch` is marked as claimed on `s` (false beyond the 64 epochs it remembers).
    function isClaimed(Soul memory s, uint256 epoch) internal pure returns (bool) {
        uint256 newest = s.lastClaimedEpoch;
        if (epoch > newest || newest - epoch >= CLAIM_WINDOW) return false;
        return s.claimedEpochs & (1 << (newest - epoch)) != 0;
    }

    /// @notice Makes `(value, epoch)` the anchor of `s` from now on, staging the anchor it replaces as a history entry
    /// for `save` (unless that one also took effect now: then it never applied to any past time and is dropped).
    /// Within one block at most one entry is staged: after the first call, the anchor in force took effect now.
    function setAnchor(Soul memory s, uint64 value, uint32 epoch) internal view {
        uint32 now_ = uint32(block.timestamp);
        uint256 since = s.since;
        if (since > now_) revert SoulHistoryUnordered(since, now_);
        if (since != 0 && since != now_) {
            s.pendingEntry = uint256(s.value) | (uint256(s.anchorEpoch) << 64) | (since << 96);
            // Cannot overflow: an anchor changes only with the claim of a newer epoch (epochs are counted in 32 bits
            // and proposed one at a time) or once with a recovery, so the history stays far below 2^31 entries.
            unchecked {
                s.historyLength += 1;
            }
        }
        s.value = value;
        s.anchorEpoch = epoch;
        s.since = now_;
    }

    /// @notice The anchor of `account` in force at `timepoint`; `found` is false before its first one.
    function anchorAt(
        Ledger storage self,
        address account,
        uint256 timepoint
    ) internal view returns (bool found, uint256 value, uint256 anchorEpoch) {
        Soul memory s = load(self, account);
        if (s.since == 0) return (false, 0, 0);
        if (timepoint >= s.since) return (true, s.value, s.anchorEpoch);
        uint256 length = s.historyLength;
        if (length == 0) return (false, 0, 0);
        mapping(uint256 => uint256) storage history = self.history[account];
        // Recent first: the newest entry answers the lookups a Governor makes (recent snapshots).
        uint256 entry;
        {
            (uint256 key, bool upper) = _slotOf(length);
            entry = upper ? history[key] >> 128 : uint128(history[key]);
        }
        if (entry >> 96 <= timepoint) return (true, uint64(entry), uint32(entry >> 64));
        return _search(history, length, timepoint);
    }

    /// @dev The newest history entry at a position in [1, length) whose `since` is at most `timepoint` (the entry at
    /// `length` is after it), by a descent of the ternary tree: the block [base, base + 3p) holds (low, high), with
    /// `low == base` at or before `timepoint` (0: none) and `high` after it; the node of the block is the slot keyed
    /// base + p, holding positions base + p and base + 2p. One slot read per level, log3(length) + 1 levels at most.
    function _search(
        mapping(uint256 => uint256) storage history,
        uint256 length,
        uint256 timepoint
    ) private view returns (bool found, uint256 value, uint256 anchorEpoch) {
        uint256 low = 0;
        uint256 high = length;
        uint256 p = 1;
        uint256 entry = 0;
        // Unchecked: positions are below 2^31.
        unchecked {
            while (p * 3 <= high) p *= 3;
            while (high - low > 1) {
                uint256 first = low + p;
                if (first < high) {
                    uint256 node = history[first];
                    if ((node >> 96) & type(uint32).max > timepoint) {
                        high = first;
                    } else {
                        uint256 second = first + p;
                        if (second < high && node >> 224 <= timepoint) {
                            low = second;
                            entry = node >> 128;
                        } else {
                            low = first;
                            entry = uint128(node);
                            if (second < high) high = second;
                        }
                    }
                }
                p /= 3;
            }
        }
        if (low == 0) return (false, 0, 0);
        return (true, uint64(entry), uint32(entry >> 64));
    }

    /// @dev Where the history entry at `position` (its index + 1, at least 1) lives: position q = m * 3^v with m not
    /// divisible by 3. If m % 3 == 1 it opens the slot keyed q (lower half); if m % 3 == 2 it fills the upper half
    /// of the slot keyed q - 3^v. Every slot holds positions b + p and b + 2p of a tree node [b, b + 3p).
    function _slotOf(uint256 position) private pure returns (uint256 key, bool upper) {
        uint256 p = 1;
        uint256 m = position;
        while (m % 3 == 0) {
            m /= 3;
            p *= 3;
        }
        if (m % 3 == 1) return (position, false);
        return (position - p, true);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {SoulLedger} from "../../contracts/libraries/SoulLedger.sol";

/// @notice The claimed-epochs window of a soul against a plain set of claimed epochs.
contract SoulLedgerFuzzTest is Test {
    mapping(uint256 epoch => bool) private _claimed;

    /// @dev Claims random epochs in random order: markClaimed succeeds exactly once per epoch within 64 of the
    /// newest claimed one, refuses everything older, and isClaimed agrees with the reference set in the window.
    function testFuzz_MarkClaimed_MatchesAReferenceSet(uint16[24] memory raw) external {
        SoulLedger.Soul memory s;
        uint256 newest = 0;
        for (uint256 i = 0; i < raw.length; ++i) {
            uint256 epoch = 1 + (uint256(raw[i]) % 150);
            bool fresh = !_claimed[epoch] && (epoch > newest || newest - epoch < SoulLedger.CLAIM_WINDOW);
            assertEq(SoulLedger.markClaimed(s, epoch), fresh, "markClaimed");
            if (fresh) _claimed[epoch] = true;
            if (epoch > newest) newest = epoch;
            assertEq(s.lastClaimedEpoch, newest, "newest");
            for (uint256 e = newest >= 63 ? newest - 63 : 1; e <= newest; ++e) {
                assertEq(SoulLedger.isClaimed(s, e), _claimed[e], "isClaimed");
            }
        }
    }

    /// @dev An epoch 64 or more behind the newest claimed one is refused and reported as not known.
    function testFuzz_MarkClaimed_RefusesEpochsOutsideTheWindow(uint32 newest, uint32 behind) external pure {
        newest = uint32(bound(newest, 65, type(uint32).max));
        behind = uint32(bound(behind, SoulLedger.CLAIM_WINDOW, newest - 1));
        SoulLedger.Soul memory s;
        assertTrue(SoulLedger.markClaimed(s, newest));
        assertFalse(SoulLedger.markClaimed(s, newest - behind));
        assertFalse(SoulLedger.isClaimed(s, newest - behind));
        assertEq(s.claimedEpochs, 1);
    }
}

/// @notice The ledger's storage API: nothing is written but by `save`, which stores a change whole, and history keys
/// increase.
contract SoulLedgerStorageTest is Test {
    using SoulLedger for SoulLedger.Ledger;

    SoulLedger.Ledger private _ledger;
    address private constant ACCOUNT = address(0xA11CE);

    /// @dev Sets a new anchor on the stored soul of ACCOUNT at the current time, saving it or not.
    function anchor(uint64 value, uint32 epoch, bool store) public {
        SoulLedger.Soul memory s = _ledger.load(ACCOUNT);
        SoulLedger.setAnchor(s, value, epoch);
        if (store) _ledger.save(ACCOUNT, s);
    }

    /// @dev A changed soul that is not saved leaves storage exactly as it was: slot and history.
    function test_Unsaved_ChangesNothing() external {
        vm.warp(1000);
        anchor(7, 1, true);
        vm.warp(2000);
        bytes32 slotBefore = keccak256(abi.encode(_ledger.load(ACCOUNT)));
        anchor(9, 2, false);
        assertEq(keccak256(abi.encode(_ledger.load(ACCOUNT))), slotBefore, "slot");
        (bool found, uint256 value, ) = _ledger.anchorAt(ACCOUNT, 1500);
        assertTrue(found);
        assertEq(value, 7, "history untouched: the anchor at 1500 is still the one in force");
        // Saved later, the same change stores the old anchor in history and the new one in the slot.
        anchor(9, 2, true);
        assertEq(_ledger.load(ACCOUNT).historyLength, 1);
        (, value, ) = _ledger.anchorAt(ACCOUNT, 1500);
        assertEq(value, 7);
        (, value, ) = _ledger.anchorAt(ACCOUNT, 2000);
        assertEq(value, 9);
    }

    /// @dev An anchor stamped after the block time (a corrupt soul) is refused: history keys never go back.
    function test_SetAnchor_RevertWhen_SinceIsInTheFuture() external {
        vm.warp(5000);
        anchor(7, 1, true);
        vm.warp(4000);
        vm.expectRevert(abi.encodeWithSelector(SoulLedger.SoulHistoryUnordered.selector, 5000, 4000));
        this.anchor(9, 2, true);
    }

    /// @dev Several anchors in one block stage one entry: the one in force before the block.
    function test_SetAnchor_SameBlock_StagesOneEntry() external {
        vm.warp(1000);
        anchor(7, 1, true);
        vm.warp(2000);
        SoulLedger.Soul memory s = _ledger.load(ACCOUNT);
        SoulLedger.setAnchor(s, 8, 2);
        SoulLedger.setAnchor(s, 9, 3);
        _ledger.save(ACCOUNT, s);
        assertEq(_ledger.load(ACCOUNT).historyLength, 1);
        (, uint256 value, uint256 epoch) = _ledger.anchorAt(ACCOUNT, 1999);
        assertEq(value, 7);
        assertEq(epoch, 1);
        (, value, epoch) = _ledger.anchorAt(ACCOUNT, 2000);
        assertEq(value, 9);
        assertEq(epoch, 3);
    }

    /// @dev Anchors set at random increasing times: every past time reads the anchor then in force, and the history
    /// keys strictly increase.
    function testFuzz_AnchorAt_ReadsTheAnchorInForce(uint16[12] memory gaps) external {
        uint256[12] memory times;
        uint256 t = 1;
        for (uint256 i = 0; i < gaps.length; ++i) {
            t += gaps[i]; // a gap of 0 replaces the anchor set in the same block
            times[i] = t;
            vm.warp(t);
            anchor(uint64(i + 1), uint32(i + 1), true);
        }
        for (uint256 i = 0; i < gaps.length; ++i) {
            // The anchor in force at times[i] is the last one set at that time.
            uint256 last = i;
            while (last + 1 < gaps.length && times[last + 1] == times[i]) ++last;
            (bool found, uint256 value, uint256 epoch) = _ledger.anchorAt(ACCOUNT, times[i]);
            assertTrue(found);
            assertEq(value, last + 1, "value");
            assertEq(epoch, last + 1, "epoch");
        }
        (bool before, , ) = _ledger.anchorAt(ACCOUNT, 0);
        assertFalse(before);
    }

    /// @dev Up to 200 anchors (history positions across five levels of the ternary tree, fresh and upper halves),
    /// looked up at their times, just before them and at random times in between: anchorAt equals a linear scan.
    function testFuzz_AnchorAt_LongHistory_EqualsLinearScan(uint256 seed, uint256 count) external {
        count = bound(count, 1, 200);
        uint256[] memory times = new uint256[](count);
        uint256 t = 100;
        for (uint256 i = 0; i < count; ++i) {
            t += 1 + (uint256(keccak256(abi.encode(seed, i))) % 1000);
            times[i] = t;
            vm.warp(t);
            anchor(uint64(i + 1), uint32(i + 1), true);
        }
        assertEq(_ledger.load(ACCOUNT).historyLength, count - 1, "one entry per replaced anchor");
        for (uint256 i = 0; i < count; ++i) {
            _checkAnchorAt(times, times[i]);
            _checkAnchorAt(times, times[i] - 1);
            _checkAnchorAt(times, times[i] + (uint256(keccak256(abi.encode(seed, "between", i))) % 1000));
        }
        _checkAnchorAt(times, 0);
    }

    function _checkAnchorAt(uint256[] memory times, uint256 at) internal view {
        uint256 inForce = 0; // 1-based: the anchor set at times[inForce - 1]
        for (uint256 i = 0; i < times.length && times[i] <= at; ++i) inForce = i + 1;
        (bool found, uint256 value, uint256 epoch) = _ledger.anchorAt(ACCOUNT, at);
        assertEq(found, inForce != 0, "found");
        assertEq(value, inForce, "value");
        assertEq(epoch, inForce, "epoch");
    }
}

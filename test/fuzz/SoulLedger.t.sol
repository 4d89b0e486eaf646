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

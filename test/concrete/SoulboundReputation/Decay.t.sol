// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract Decay_Concrete_Test is Base {
    /// @dev docs/rules.md: decay(1000, n) for n = 0..5 at the default 1000 bps.
    uint256[6] private EXPECTED = [uint256(1000), 900, 810, 729, 656, 590];

    /// @dev alice claims a leaf of 1000 in epoch 1 (the pool decays 10% an epoch); returns when she claimed.
    function _claimThousand() private returns (uint256 claimedAt) {
        _proposeOpenAndClaim(1, _two(_leaf(0, alice, 1e18, 1000), _leaf(1, bob, 1e18, 7)), 1);
        return block.timestamp;
    }

    /// @dev Asserts that alice's soul is as her claim of epoch 1 left it.
    function _assertUntouched(uint256 claimedAt) private view {
        _assertAnchor(alice, 1000, 1, claimedAt);
        _assertClaims(alice, 1, 1, 0);
    }

    /*//////////////////////////////////////////////////////////////
                            DECAY FUNCTION
    //////////////////////////////////////////////////////////////*/

    function test_DecayBps_ItShouldReturnTheDeployedDecay() external {
        assertEq(pool.decayBps(), 1000);
        _usePool(0);
        assertEq(pool.decayBps(), 0);
        _usePool(2500);
        assertEq(pool.decayBps(), 2500);
    }

    function test_Decayed_RevertWhen_ReputationDoesNotFit64Bits() external {
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, MAX_REPUTATION + 1, MAX_REPUTATION)
        );
        pool.decayed(MAX_REPUTATION + 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, type(uint256).max, MAX_REPUTATION)
        );
        pool.decayed(type(uint256).max, 0);
    }

    function test_Decayed_ItShouldMatchTheWorkedExamples() external view {
        for (uint256 n = 0; n < EXPECTED.length; ++n) {
            assertEq(pool.decayed(1000, n), EXPECTED[n]);
        }
        assertEq(pool.decayed(15, 1), 13);
        assertEq(pool.decayed(15, 2), 11);
        assertEq(pool.decayed(9, 1), 8);
        assertEq(pool.decayed(1, 1), 0);
        assertEq(pool.decayed(100, 1), 90);
        assertEq(pool.decayed(0, 7), 0);
        assertEq(pool.decayed(MAX_REPUTATION, 0), MAX_REPUTATION);
    }

    function test_Decayed_ItShouldBeTheOneEpochStepIterated() external view {
        uint256[4] memory values = [uint256(12_345), 1000, 15, MAX_REPUTATION];
        for (uint256 i = 0; i < values.length; ++i) {
            uint256 r = values[i];
            uint256 stepped = r;
            for (uint256 n = 1; n <= 20; ++n) {
                stepped = (stepped * 9000) / 10_000;
                assertEq(pool.decayed(r, n), stepped, "one step at a time");
                assertEq(pool.decayed(pool.decayed(r, 7), n), pool.decayed(r, 7 + n), "in two goes");
            }
        }
    }

    function test_Decayed_ItShouldReachZeroAndStayThere() external view {
        assertGt(pool.decayed(MAX_REPUTATION, 404), 0);
        assertEq(pool.decayed(MAX_REPUTATION, 405), 0);
        assertEq(pool.decayed(MAX_REPUTATION, 421), 0);
        assertEq(pool.decayed(MAX_REPUTATION, type(uint256).max), 0);
        assertEq(pool.decayed(1000, 49), 1);
        assertEq(pool.decayed(1000, 50), 0);
    }

    /*//////////////////////////////////////////////////////////////
                        A SOUL LEFT ALONE
    //////////////////////////////////////////////////////////////*/

    function test_GivenTheNextEpochIsInItsChallengePeriod_ItShouldKeepTheScore() external {
        uint256 claimedAt = _claimThousand();
        _propose(2, _idleLeaves());
        vm.warp(pool.getEpoch(2).claimableAt - 1);
        assertEq(pool.reputationOf(alice), 1000);
        assertEq(pool.getVotes(alice), 1000);
        _assertUntouched(claimedAt);
    }

    function test_WhenEpochsTwoToSixBecomeFinal_ItShouldDecayTheScoreWithNoTransactionOnTheSoul() external {
        uint256 claimedAt = _claimThousand();
        uint256[7] memory finalAt;
        // One epoch a day: epoch k becomes final two days after it is proposed.
        for (uint256 k = 2; k <= 6; ++k) {
            _propose(k, _idleLeaves());
            finalAt[k] = pool.getEpoch(k).claimableAt;
            skip(1 days);
        }
        for (uint256 k = 2; k <= 6; ++k) {
            vm.warp(finalAt[k] - 1);
            assertEq(pool.reputationOf(alice), EXPECTED[k - 2], "before epoch k is final");
            vm.warp(finalAt[k]);
            assertEq(pool.reputationOf(alice), EXPECTED[k - 1], "once epoch k is final");
            assertEq(pool.getVotes(alice), EXPECTED[k - 1]);
        }
        _assertUntouched(claimedAt);

        // The past, looked up afterwards.
        skip(1);
        assertEq(pool.getPastVotes(alice, claimedAt), 1000);
        for (uint256 k = 2; k <= 6; ++k) {
            assertEq(pool.getPastVotes(alice, finalAt[k] - 1), EXPECTED[k - 2], "past, just before");
            assertEq(pool.getPastVotes(alice, finalAt[k]), EXPECTED[k - 1], "past, from finality on");
        }
    }

    function test_WhenEnoughEpochsBecomeFinal_ItShouldReachZero() external {
        uint256 claimedAt = _claimThousand();
        // Every epoch is final as soon as it is proposed.
        vm.prank(admin);
        pool.setDurations(0, 1 days);
        uint256 expected = 1000;
        for (uint256 k = 2; k <= 51; ++k) {
            _propose(k, _idleLeaves());
            expected = (expected * 9000) / 10_000;
            assertEq(pool.reputationOf(alice), expected);
            if (k < 51) assertGt(expected, 0);
        }
        assertEq(pool.reputationOf(alice), 0);
        _propose(52, _idleLeaves());
        assertEq(pool.reputationOf(alice), 0);
        assertTrue(pool.hasSoul(alice), "a soul of 0 is still a soul");
        _assertUntouched(claimedAt);
    }

    /*//////////////////////////////////////////////////////////////
                            OTHER DECAYS
    //////////////////////////////////////////////////////////////*/

    function test_GivenThePoolDecaysZeroBps_ItShouldNeverDecayAScore() external {
        _usePool(0);
        uint256 claimedAt = _claimThousand();
        for (uint256 k = 2; k <= 10; ++k) {
            _proposeOpen(k, _idleLeaves());
        }
        assertEq(pool.reputationOf(alice), 1000);
        skip(1);
        assertEq(pool.getPastVotes(alice, claimedAt), 1000);
        assertEq(pool.decayed(1000, 100), 1000);
        assertEq(pool.decayed(MAX_REPUTATION, type(uint256).max), MAX_REPUTATION);
        _assertUntouched(claimedAt);
    }

    function test_GivenThePoolDecays10000Bps_ItShouldTakeTheWholeScoreOnceTheNextEpochIsFinal() external {
        _usePool(10_000);
        uint256 claimedAt = _claimThousand();
        _propose(2, _idleLeaves());
        assertEq(pool.reputationOf(alice), 1000);
        uint256 finalAt = pool.getEpoch(2).claimableAt;
        vm.warp(finalAt);
        assertEq(pool.reputationOf(alice), 0);
        skip(1);
        assertEq(pool.getPastVotes(alice, finalAt - 1), 1000);
        assertEq(pool.getPastVotes(alice, finalAt), 0);
        assertEq(pool.decayed(1000, 0), 1000);
        assertEq(pool.decayed(MAX_REPUTATION, 1), 0);
        _assertUntouched(claimedAt);
    }
}

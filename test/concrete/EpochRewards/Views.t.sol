// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Views_Concrete_Test is Base {
    /*//////////////////////////////////////////////////////////////
                                EPOCH STATE
    //////////////////////////////////////////////////////////////*/

    function test_EpochState_WhenEpochIsZeroOrAfterTheLatest_ItShouldReturnNone() external {
        assertEq(_state(0), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(1), uint8(IEpochRewards.EpochState.None));
        _propose(1, _defaultLeaves());
        assertEq(_state(0), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(2), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(type(uint256).max), uint8(IEpochRewards.EpochState.None));
    }

    function test_EpochState_GivenProposed_ItShouldFollowTheLifecycle() external {
        _propose(1, _defaultLeaves());
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Challenge));
        vm.warp(e.claimableAt - 1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Challenge));
        vm.warp(e.claimableAt);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Claimable));
        vm.warp(e.expiresAt - 1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Claimable));
        vm.warp(e.expiresAt);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Expired));
        pool.sweep(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Swept));
    }

    function test_EpochState_GivenVetoed_ItShouldReturnVetoed() external {
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        _veto(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(_state(2), uint8(IEpochRewards.EpochState.Vetoed));
        vm.warp(block.timestamp + 10 * WINDOW);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Vetoed));
        _propose(1, _defaultLeaves());
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(_state(2), uint8(IEpochRewards.EpochState.Vetoed));
    }

    /*//////////////////////////////////////////////////////////////
                                GET EPOCH
    //////////////////////////////////////////////////////////////*/

    function _assertZero(IEpochRewards.EpochView memory e) private pure {
        assertEq(e.root, bytes32(0));
        assertEq(e.total, 0);
        assertEq(e.claimed, 0);
        assertEq(e.reputationTotal, 0);
        assertEq(e.claimableAt, 0);
        assertEq(e.expiresAt, 0);
    }

    function test_GetEpoch_GivenNeverProposed_ItShouldReturnZeros() external view {
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.None));
        _assertZero(e);
    }

    function test_GetEpoch_GivenProposed_ItShouldReturnEverything() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32 root = _propose(1, leaves, _sum(leaves), 1234);
        _open(1);
        _claim(bob, 1, leaves, 1);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Claimable));
        assertEq(e.root, root);
        assertEq(e.total, _sum(leaves));
        assertEq(e.claimed, leaves[1].amount);
        assertEq(e.reputationTotal, 1234);
        assertEq(e.claimableAt, START + CHALLENGE);
        assertEq(e.expiresAt, START + CHALLENGE + WINDOW);
    }

    function test_GetEpoch_GivenVetoed_ItShouldReturnZerosWithStateVetoed() external {
        _propose(1, _defaultLeaves());
        _veto(1);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Vetoed));
        _assertZero(e);
    }

    /*//////////////////////////////////////////////////////////////
                                IS CLAIMED
    //////////////////////////////////////////////////////////////*/

    function test_IsClaimed_GivenNotClaimed_ItShouldReturnFalse() external {
        _proposeOpen(1, _defaultLeaves());
        assertFalse(pool.isClaimed(1, alice));
        assertFalse(pool.isClaimed(0, alice));
        assertFalse(pool.isClaimed(2, alice));
        assertFalse(pool.isClaimed(1, address(0)));
    }

    function test_IsClaimed_GivenClaimed_ItShouldReturnTrueForThatEpochAndAccountOnly() external {
        Leaf[] memory leaves = _defaultLeaves();
        _propose(1, leaves);
        _proposeOpen(2, leaves);
        _claim(eve, 2, leaves, 1);
        assertTrue(pool.isClaimed(2, bob));
        assertFalse(pool.isClaimed(1, bob));
        assertFalse(pool.isClaimed(2, alice));
        assertFalse(pool.isClaimed(2, eve));
        _claim(eve, 1, leaves, 1);
        assertTrue(pool.isClaimed(1, bob));
        assertTrue(pool.isClaimed(2, bob));
    }

    function test_IsClaimed_GivenTheEpochIs64OrMoreEpochsOlderThanTheNewestClaim_ItShouldReturnFalse() external {
        vm.prank(admin);
        pool.setDurations(0, 1 days);
        Leaf[] memory leaves = _one(_leaf(0, alice, 1, 10));
        for (uint256 epoch = 1; epoch <= 64; ++epoch) {
            _propose(epoch, epoch <= 2 ? leaves : _idleLeaves());
        }
        _claim(1, leaves, 0);
        _claim(2, leaves, 0);
        skip(1 days);
        _propose(65, leaves);
        _claim(65, leaves, 0);
        assertEq(pool.lastSyncedEpoch(alice), 65);
        assertFalse(pool.isClaimed(1, alice), "64 epochs back");
        assertTrue(pool.isClaimed(2, alice), "63 epochs back");
        assertTrue(pool.isClaimed(65, alice));
    }

    /*//////////////////////////////////////////////////////////////
                            FINAL EPOCH AT
    //////////////////////////////////////////////////////////////*/

    function test_FinalEpochAt_GivenNoEpochIsFinal_ItShouldReturnZero() external {
        assertEq(pool.finalEpochAt(0), 0);
        assertEq(pool.finalEpochAt(block.timestamp), 0);
        _propose(1, _defaultLeaves());
        assertEq(pool.finalEpochAt(block.timestamp), 0);
        assertEq(pool.finalEpochAt(START + CHALLENGE - 1), 0);
    }

    function test_FinalEpochAt_GivenEpochsAreFinal_ItShouldReturnTheNewest() external {
        // Ten epochs an hour apart: epoch k is final from START + (k - 1) hours + CHALLENGE.
        for (uint256 k = 1; k <= 10; ++k) {
            _propose(k, _idleLeaves());
            skip(1 hours);
        }
        for (uint256 k = 1; k <= 10; ++k) {
            uint256 claimableAt = pool.getEpoch(k).claimableAt;
            assertEq(claimableAt, START + (k - 1) * 1 hours + CHALLENGE);
            assertEq(pool.finalEpochAt(claimableAt), k, "from claimableAt");
            assertEq(pool.finalEpochAt(claimableAt + 30 minutes), k, "between");
            assertEq(pool.finalEpochAt(claimableAt - 1), k - 1, "just before");
        }
        assertEq(pool.finalEpochAt(type(uint256).max), 10);
    }

    function test_FinalEpochAt_GivenSeveralEpochsShareTheirClaimableAt_ItShouldReturnTheNewest() external {
        _propose(1, _idleLeaves());
        vm.prank(admin);
        pool.setDurations(1 hours, WINDOW);
        _propose(2, _idleLeaves());
        _propose(3, _idleLeaves());
        _propose(4, _idleLeaves());
        uint256 claimableAt = START + CHALLENGE;
        assertEq(pool.getEpoch(4).claimableAt, claimableAt);
        assertEq(pool.finalEpochAt(claimableAt - 1), 0);
        assertEq(pool.finalEpochAt(claimableAt), 4);
    }

    function test_FinalEpochAt_GivenLaterEpochsWereVetoed_ItShouldNeverReturnThem() external {
        _propose(1, _idleLeaves());
        skip(1 hours);
        _propose(2, _idleLeaves());
        _propose(3, _idleLeaves());
        _veto(2);
        assertEq(pool.finalEpochAt(type(uint256).max), 1);
        assertEq(pool.finalEpochAt(START + CHALLENGE + 2 hours), 1);
        // Proposed again, epoch 2 is final from its new claimableAt on.
        skip(1 hours);
        _propose(2, _idleLeaves());
        assertEq(pool.finalEpochAt(START + 2 hours + CHALLENGE - 1), 1);
        assertEq(pool.finalEpochAt(START + 2 hours + CHALLENGE), 2);
    }

    /*//////////////////////////////////////////////////////////////
                        LATEST EPOCH, DURATIONS, OUTSTANDING
    //////////////////////////////////////////////////////////////*/

    function test_LatestEpoch_ItShouldReturnTheNewestLiveEpoch() external {
        assertEq(pool.latestEpoch(), 0);
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        assertEq(pool.latestEpoch(), 2);
        _veto(2);
        assertEq(pool.latestEpoch(), 1);
        _veto(1);
        assertEq(pool.latestEpoch(), 0);
    }

    function test_Durations_ItShouldReturnTheNextProposalsDurations() external view {
        (uint32 c, uint32 w) = pool.durations();
        assertEq(c, CHALLENGE);
        assertEq(w, WINDOW);
    }

    function test_Outstanding_ItShouldSumLiveEpochsNotSwept() external {
        Leaf[] memory leaves = _defaultLeaves();
        uint256 total = _sum(leaves);
        _propose(1, leaves); // will be swept
        _propose(2, leaves); // vetoed, then proposed again
        _veto(2);
        _propose(2, leaves); // claimable, partly claimed
        assertEq(pool.outstanding(), 2 * total);
        _open(2);
        _claim(alice, 2, leaves, 0);
        _propose(3, leaves); // challenge
        _propose(4, leaves); // vetoed
        _veto(4);
        assertEq(pool.outstanding(), 3 * total - leaves[0].amount);
        _expire(1);
        // Epochs 1 and 2 expired (still counted), 3 claimable.
        assertEq(uint8(pool.epochState(2)), uint8(IEpochRewards.EpochState.Expired));
        assertEq(pool.outstanding(), 3 * total - leaves[0].amount);
        pool.sweep(1);
        assertEq(pool.outstanding(), 2 * total - leaves[0].amount);
        assertEq(pool.available() + pool.outstanding(), token.balanceOf(address(pool)));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract Votes_Concrete_Test is Base {
    uint256 private constant EPOCHS = 6;
    uint256 private constant STEP = 100;

    function _futureError(uint256 timepoint) private view returns (bytes memory) {
        return
            abi.encodeWithSelector(
                ISoulboundReputation.ERC5805FutureLookup.selector,
                timepoint,
                uint48(block.timestamp)
            );
    }

    function _leavesOf(uint256 k) private view returns (Leaf[] memory) {
        return _two(_leaf(0, alice, k, 10 * k), _leaf(1, bob, k, 1000 + k));
    }

    /// @dev Proposes `EPOCHS` epochs at once; in epoch k alice's reputation is 10*k and bob's 1000 + k. Returns the
    /// timestamp at which all are final (and claimable).
    function _proposeMany() private returns (uint256 openAt) {
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            _propose(k, _leavesOf(k));
        }
        _open(EPOCHS);
        return block.timestamp;
    }

    function _claimEpoch(uint256 k, uint256 position) private {
        _claim(eve, k, _leavesOf(k), position);
    }

    function test_Delegate_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.ReputationNotDelegable.selector, alice, bob));
        pool.delegate(bob);
    }

    function test_DelegateBySig_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.ReputationNotDelegable.selector, address(0), bob));
        pool.delegateBySig(bob, 0, block.timestamp + 1, 27, bytes32(uint256(1)), bytes32(uint256(2)));
    }

    function test_Delegates_GivenSoul_ItShouldReturnTheAccount() external {
        _proposeOpenAndClaim(1, _defaultLeaves(), 1);
        assertEq(pool.delegates(alice), alice);
    }

    function test_Delegates_GivenNoSoul_ItShouldReturnZero() external {
        assertEq(pool.delegates(alice), address(0));
        _proposeOpenAndClaim(1, _defaultLeaves(), 1);
        _recover(alice, eve);
        assertEq(pool.delegates(alice), address(0));
        assertEq(pool.delegates(eve), eve);
    }

    function test_Nonces_ItShouldReturnZero() external {
        assertEq(pool.nonces(alice), 0);
        _proposeOpenAndClaim(1, _defaultLeaves(), 1);
        assertEq(pool.nonces(alice), 0);
        assertEq(pool.nonces(address(0)), 0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.ReputationNotDelegable.selector, alice, alice));
        pool.delegate(alice);
        assertEq(pool.nonces(alice), 0);
    }

    function test_ClockAndClockMode() external {
        assertEq(pool.clock(), uint48(block.timestamp));
        skip(12345);
        assertEq(pool.clock(), uint48(START + 12345));
        assertEq(pool.CLOCK_MODE(), "mode=timestamp");
    }

    function test_GetVotes_ItShouldReturnTheScoreNow() external {
        _propose(1, _leavesOf(1));
        skip(1 days);
        _propose(2, _leavesOf(2));
        _open(1);
        assertEq(pool.getVotes(alice), 0);
        _claimEpoch(1, 0);
        assertEq(pool.getVotes(alice), 10);
        _open(2);
        assertEq(pool.getVotes(alice), 9);
        _claimEpoch(2, 0);
        assertEq(pool.getVotes(alice), 20);
        assertEq(pool.getVotes(alice), pool.reputationOf(alice));
    }

    function test_GetPastVotes_RevertWhen_TimepointIsNowOrLater() external {
        vm.expectRevert(_futureError(block.timestamp));
        pool.getPastVotes(alice, block.timestamp);
        vm.expectRevert(_futureError(block.timestamp + 1));
        pool.getPastVotes(alice, block.timestamp + 1);
        vm.expectRevert(_futureError(type(uint256).max));
        pool.getPastVotes(alice, type(uint256).max);
    }

    function test_GetPastTotalSupply_RevertWhen_TimepointIsNowOrLater() external {
        vm.expectRevert(_futureError(block.timestamp));
        pool.getPastTotalSupply(block.timestamp);
        vm.expectRevert(_futureError(block.timestamp + 7));
        pool.getPastTotalSupply(block.timestamp + 7);
    }

    function test_GetPastVotes_GivenNoAnchorYet_ItShouldReturnZero() external {
        skip(1);
        assertEq(pool.getPastVotes(alice, block.timestamp - 1), 0);
        assertEq(pool.getPastVotes(alice, 0), 0);
        uint256 t0 = _proposeMany();
        _claimEpoch(1, 0);
        skip(1);
        assertEq(pool.getPastVotes(alice, t0 - 1), 0);
        assertEq(pool.getPastVotes(bob, t0), 0);
    }

    function test_GetPastVotes_GivenAnchorsInTheSoulAndItsHistory_ItShouldReturnTheOneInForceDecayed() external {
        uint256 t0 = _proposeMany();
        // Alice claims epochs 1..6 at t0, t0+STEP, ..., t0+5*STEP: 6 anchors, 5 of them in the history. All six
        // epochs are final by then, so the anchor of epoch k counts 6 - k epochs of decay.
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            _claimEpoch(k, 0);
            skip(STEP);
        }
        assertEq(pool.soulRecord(alice).historyLength, 5);
        uint256[6] memory expected = [uint256(5), 12, 21, 32, 45, 60]; // decay(10 * k, 6 - k)
        assertEq(pool.getPastVotes(alice, t0 - 1), 0);
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            uint256 at = t0 + (k - 1) * STEP;
            assertEq(pool.getPastVotes(alice, at), expected[k - 1], "at the anchor");
            assertEq(pool.getPastVotes(alice, at + STEP / 2), expected[k - 1], "between anchors");
            if (k > 1) assertEq(pool.getPastVotes(alice, at - 1), expected[k - 2], "just before");
        }
        assertEq(pool.getVotes(alice), 60);

        // And they decay on from there: epoch 7 final.
        _propose(7, _idleLeaves());
        _open(7);
        uint256 t7 = block.timestamp;
        skip(1);
        assertEq(pool.getPastVotes(alice, t7 - 1), 60);
        assertEq(pool.getPastVotes(alice, t7), 54);
        assertEq(pool.getPastVotes(alice, t0 + 5 * STEP), 60);
    }

    function test_GetPastVotes_GivenTwoAnchorsSetInTheSameBlock_ItShouldKeepTheLastOne() external {
        uint256 t0 = _proposeMany();
        _claimEpoch(1, 0);
        _claimEpoch(2, 0);
        _claimEpoch(1, 1);
        skip(STEP);
        _claimEpoch(3, 0);
        _claimEpoch(4, 0);
        skip(STEP);
        _claimEpoch(5, 0);
        skip(1);
        // Two history entries: (20, 2) from t0 and (40, 4) from t0 + STEP; (10, 1) and (30, 3) never applied.
        assertEq(pool.soulRecord(alice).historyLength, 2);
        assertEq(pool.getPastVotes(alice, t0 - 1), 0);
        assertEq(pool.getPastVotes(alice, t0), 12); // decay(20, 4)
        assertEq(pool.getPastVotes(alice, t0 + STEP - 1), 12);
        assertEq(pool.getPastVotes(alice, t0 + STEP), 32); // decay(40, 2)
        assertEq(pool.getPastVotes(alice, t0 + 2 * STEP), 45); // decay(50, 1)
        assertEq(pool.getPastVotes(bob, t0), 590); // decay(1001, 5)
    }

    function test_GetPastTotalSupply_ItShouldReturnTheReputationTotalOfTheEpochFinalThen() external {
        _propose(1, _idleLeaves(), 0, 100);
        skip(1 days);
        _propose(2, _idleLeaves(), 0, 200);
        skip(1 days);
        _propose(3, _idleLeaves(), 0, 300);
        vm.warp(START + 5 days);
        assertEq(pool.getPastTotalSupply(START), 0);
        assertEq(pool.getPastTotalSupply(START + CHALLENGE - 1), 0);
        assertEq(pool.getPastTotalSupply(START + CHALLENGE), 100);
        assertEq(pool.getPastTotalSupply(START + 1 days + CHALLENGE - 1), 100);
        assertEq(pool.getPastTotalSupply(START + 1 days + CHALLENGE), 200);
        assertEq(pool.getPastTotalSupply(START + 2 days + CHALLENGE), 300);
        assertEq(pool.getPastTotalSupply(block.timestamp - 1), 300);
        assertEq(pool.totalReputation(), 300);
    }

    /// @dev The pipeline's view: epoch 1 gives alice 100 and bob 50 (total 150); in epoch 2 alice gains 10 over her
    /// decayed 90 (a leaf of 100) while bob only decays to 45 (no leaf; total 145); epoch 3 is idle: 90 + 40 = 130.
    function test_GetPastTotalSupply_ItShouldNeverBeBelowTheSumOfPastVotes() external {
        Leaf[] memory e1 = _two(_leaf(0, alice, 1, 100), _leaf(1, bob, 1, 50));
        Leaf[] memory e2 = _one(_leaf(0, alice, 1, 100));
        _propose(1, e1, 2, 150);
        _open(1);
        uint256 t1 = block.timestamp;
        skip(1);
        _claim(1, e1, 0);
        _claim(1, e1, 1);
        uint256 t1Claimed = block.timestamp;
        _propose(2, e2, 1, 145);
        _open(2);
        uint256 t2 = block.timestamp;
        skip(1);
        _claim(2, e2, 0);
        uint256 t2Claimed = block.timestamp;
        _propose(3, _idleLeaves(), 0, 130);
        _open(3);
        uint256 t3 = block.timestamp;
        skip(1);

        // Nothing claimed yet: below.
        assertEq(_sumOfPastVotes(t1), 0);
        assertEq(pool.getPastTotalSupply(t1), 150);
        // Every leaf of epoch 1 claimed: equal.
        assertEq(_sumOfPastVotes(t1Claimed), 150);
        assertEq(pool.getPastTotalSupply(t1Claimed), 150);
        // Epoch 2 final, alice's leaf not claimed yet: her decayed 90 + bob's 45 = 135 < 145.
        assertEq(_sumOfPastVotes(t2), 135);
        assertEq(pool.getPastTotalSupply(t2), 145);
        // Claimed: equal, bob decaying with no leaf.
        assertEq(_sumOfPastVotes(t2Claimed), 145);
        assertEq(pool.getPastTotalSupply(t2Claimed), 145);
        // Epoch 3, idle: both decay by themselves, still equal.
        assertEq(_sumOfPastVotes(t3), 130);
        assertEq(pool.getPastTotalSupply(t3), 130);
    }

    function _sumOfPastVotes(uint256 timepoint) private view returns (uint256) {
        return pool.getPastVotes(alice, timepoint) + pool.getPastVotes(bob, timepoint);
    }
}

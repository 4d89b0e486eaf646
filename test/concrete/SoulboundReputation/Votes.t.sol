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

    /// @dev Proposes `EPOCHS` epochs at once; in epoch k alice's reputation is 10*k and bob's 1000 + k.
    /// Returns the timestamp at which all are claimable.
    function _proposeMany() private returns (uint256 openAt) {
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            _propose(k, _two(_leaf(0, alice, k, 10 * k), _leaf(1, bob, k, 1000 + k)));
        }
        _open(EPOCHS);
        return block.timestamp;
    }

    function _claimEpoch(uint256 k, uint256 position) private {
        _claim(eve, k, _two(_leaf(0, alice, k, 10 * k), _leaf(1, bob, k, 1000 + k)), position);
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
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        assertEq(pool.delegates(alice), alice);
    }

    function test_Delegates_GivenNoSoul_ItShouldReturnZero() external {
        assertEq(pool.delegates(alice), address(0));
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        vm.prank(recovery);
        pool.recoverSoul(alice, eve);
        assertEq(pool.delegates(alice), address(0));
        assertEq(pool.delegates(eve), eve);
    }

    function test_ClockAndClockMode() external {
        assertEq(pool.clock(), uint48(block.timestamp));
        skip(12345);
        assertEq(pool.clock(), uint48(START + 12345));
        assertEq(pool.CLOCK_MODE(), "mode=timestamp");
    }

    function test_GetVotes_ItShouldReturnTheCurrentReputation() external {
        _proposeMany();
        assertEq(pool.getVotes(alice), 0);
        _claimEpoch(1, 0);
        assertEq(pool.getVotes(alice), 10);
        _claimEpoch(3, 0);
        assertEq(pool.getVotes(alice), 30);
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

    function test_GetPastVotes_GivenNoCheckpoint_ItShouldReturnZero() external {
        skip(1);
        assertEq(pool.getPastVotes(alice, block.timestamp - 1), 0);
        assertEq(pool.getPastVotes(alice, 0), 0);
        assertEq(pool.getPastTotalSupply(block.timestamp - 1), 0);
    }

    function test_GetPastVotes_GivenCheckpointsInHeadAndHistory_ItShouldReturnTheLatestAtOrBefore() external {
        uint256 t0 = _proposeMany();
        // Alice syncs epochs 1..6 at t0, t0+STEP, ..., t0+5*STEP: 6 checkpoints, 4 of them in the packed history.
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            _claimEpoch(k, 0);
            skip(STEP);
        }
        assertEq(pool.getPastVotes(alice, t0 - 1), 0);
        for (uint256 k = 1; k <= EPOCHS; ++k) {
            uint256 at = t0 + (k - 1) * STEP;
            assertEq(pool.getPastVotes(alice, at), 10 * k, "at the checkpoint");
            assertEq(pool.getPastVotes(alice, at + STEP / 2), 10 * k, "between checkpoints");
            if (k > 1) assertEq(pool.getPastVotes(alice, at - 1), 10 * (k - 1), "just before");
            assertEq(pool.getPastTotalSupply(at), 10 * k, "supply at the checkpoint");
        }
        assertEq(pool.getPastVotes(bob, t0), 0);
    }

    function test_GetPastVotes_GivenTwoSyncsInTheSameBlock_ItShouldKeepTheLastValue() external {
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
        assertEq(pool.getPastVotes(alice, t0 - 1), 0);
        assertEq(pool.getPastVotes(alice, t0), 20);
        assertEq(pool.getPastVotes(alice, t0 + STEP - 1), 20);
        assertEq(pool.getPastVotes(alice, t0 + STEP), 40);
        assertEq(pool.getPastVotes(alice, t0 + 2 * STEP), 50);
        assertEq(pool.getPastTotalSupply(t0), 20 + 1001);
        assertEq(pool.getPastTotalSupply(t0 + STEP), 40 + 1001);
        assertEq(pool.getPastTotalSupply(t0 + 2 * STEP), 50 + 1001);
    }

    function test_GetPastTotalSupply_ItShouldReturnTheTotalAtThatTimepoint() external {
        uint256 t0 = _proposeMany();
        _claimEpoch(1, 0); // alice 10
        skip(STEP);
        _claimEpoch(1, 1); // bob 1001
        skip(STEP);
        _claimEpoch(2, 0); // alice 20
        skip(STEP);
        _claimEpoch(6, 1); // bob 1006
        skip(1);
        assertEq(pool.getPastTotalSupply(t0 - 1), 0);
        assertEq(pool.getPastTotalSupply(t0), 10);
        assertEq(pool.getPastTotalSupply(t0 + STEP), 1011);
        assertEq(pool.getPastTotalSupply(t0 + 2 * STEP), 1021);
        assertEq(pool.getPastTotalSupply(t0 + 3 * STEP), 1026);
        assertEq(pool.getPastTotalSupply(t0 + 3 * STEP - 1), 1021);
        assertEq(pool.totalReputation(), 1026);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Sweep_Concrete_Test is Base {
    function test_RevertGiven_EpochWasNeverProposed() external {
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 1));
        pool.sweep(1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 0));
        pool.sweep(0);
    }

    function test_RevertGiven_EpochIsVetoed() external {
        _propose(1, _defaultLeaves());
        _veto(1);
        vm.warp(block.timestamp + CHALLENGE + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 1));
        pool.sweep(1);
    }

    function test_RevertGiven_EpochHasNotExpired() external {
        _propose(1, _defaultLeaves());
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        bytes memory err = abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, expiresAt);
        vm.expectRevert(err);
        pool.sweep(1);
        _open(1);
        vm.expectRevert(err);
        pool.sweep(1);
        vm.warp(expiresAt - 1);
        vm.expectRevert(err);
        pool.sweep(1);
    }

    function test_RevertGiven_EpochWasAlreadySwept() external {
        _propose(1, _defaultLeaves());
        _expire(1);
        pool.sweep(1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochAlreadySwept.selector, 1));
        pool.sweep(1);
    }

    function test_GivenEpochExpired_ItShouldReleaseTheUnclaimedRestAndEmit() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        uint256 rest = _sum(leaves) - leaves[0].amount;
        uint256 availableBefore = pool.available();
        uint256 balanceBefore = token.balanceOf(address(pool));
        _expire(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Expired));
        assertEq(pool.outstanding(), rest);

        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochSwept(1, rest);
        vm.prank(eve);
        pool.sweep(1);

        assertEq(pool.available(), availableBefore + rest);
        assertEq(pool.outstanding(), 0);
        assertEq(token.balanceOf(address(pool)), balanceBefore);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Swept));
    }

    function test_WhenNothingIsLeftToRelease_ItShouldSweepZero() external {
        _proposeOpenAndClaim(1, _two(_leaf(0, alice, 10, 1), _leaf(1, bob, 20, 2)), 2);
        _expire(1);
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochSwept(1, 0);
        pool.sweep(1);
        assertEq(pool.available(), FUNDING - 30);
    }

    function test_WhenCallerIsAnyone_ItShouldSweep() external {
        _propose(1, _defaultLeaves());
        _expire(1);
        vm.prank(eve);
        pool.sweep(1);
        assertEq(pool.available(), FUNDING);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Withdraw_Concrete_Test is Base {
    function test_RevertWhen_CallerIsNotTheAdmin() external {
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [proposer, guardian, eve][i];
            _expectUnauthorized(caller, bytes32(0));
            pool.withdraw(caller, 1);
        }
    }

    function test_RevertWhen_RecipientIsZeroAddress() external {
        vm.prank(admin);
        vm.expectRevert(IEpochRewards.ZeroAddress.selector);
        pool.withdraw(address(0), 1);
    }

    function test_RevertWhen_AmountIsZero() external {
        vm.prank(admin);
        vm.expectRevert(IEpochRewards.ZeroAmount.selector);
        pool.withdraw(admin, 0);
    }

    function test_RevertWhen_AmountExceedsAvailable() external {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.WithdrawExceedsAvailable.selector, FUNDING + 1, FUNDING));
        pool.withdraw(admin, FUNDING + 1);
    }

    function test_RevertGiven_ALiveEpochReservesFunds() external {
        _propose(1, _defaultLeaves());
        uint256 reserved = _sum(_defaultLeaves());
        uint256 free = FUNDING - reserved;
        assertEq(pool.available(), free);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.WithdrawExceedsAvailable.selector, free + 1, free));
        pool.withdraw(admin, free + 1);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.WithdrawExceedsAvailable.selector, FUNDING, free));
        pool.withdraw(admin, FUNDING);
    }

    function test_WhenAmountIsAtMostAvailable_ItShouldTransferAndEmit() external {
        _propose(1, _defaultLeaves());
        uint256 free = pool.available();
        vm.expectEmit(address(pool));
        emit IEpochRewards.Withdrawn(eve, free);
        vm.prank(admin);
        pool.withdraw(eve, free);
        assertEq(token.balanceOf(eve), free);
        assertEq(pool.available(), 0);
        assertEq(token.balanceOf(address(pool)), _sum(_defaultLeaves()));
        assertEq(pool.outstanding(), _sum(_defaultLeaves()));
    }

    function test_GivenPaused_ItShouldStillWithdraw() external {
        vm.prank(guardian);
        pool.pause();
        vm.prank(admin);
        pool.withdraw(bob, 10);
        assertEq(token.balanceOf(bob), 10);
        assertEq(pool.available(), FUNDING - 10);
    }
}

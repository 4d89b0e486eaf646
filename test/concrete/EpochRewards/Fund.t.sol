// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {FeeOnTransferToken} from "../../../contracts/test/FeeOnTransferToken.sol";
import {Base} from "../../utils/Base.t.sol";

contract Fund_Concrete_Test is Base {
    function test_RevertWhen_AmountIsZero() external {
        vm.prank(alice);
        vm.expectRevert(IEpochRewards.ZeroAmount.selector);
        pool.fund(0);
    }

    function test_WhenTokenTakesAFeeOnTransfer_ItShouldCreditTheMeasuredIncrease() external {
        FeeOnTransferToken fee = new FeeOnTransferToken(100); // 1%
        EpochRewards feePool = new EpochRewards(
            IERC20(address(fee)),
            admin,
            ADMIN_DELAY,
            CHALLENGE,
            WINDOW,
            DECAY_BPS,
            NAME,
            SYMBOL
        );
        fee.mint(alice, 1000);
        vm.startPrank(alice);
        fee.approve(address(feePool), 1000);
        vm.expectEmit(address(feePool));
        emit IEpochRewards.Funded(alice, 1000, 990);
        feePool.fund(1000);
        vm.stopPrank();
        assertEq(feePool.available(), 990);
        assertEq(fee.balanceOf(address(feePool)), 990);
        assertEq(fee.balanceOf(alice), 0);
    }

    function test_WhenTokenTakesNoFee_ItShouldPullTheAmountAndGrowAvailable() external {
        token.mint(alice, 500);
        uint256 poolBalance = token.balanceOf(address(pool));
        vm.startPrank(alice);
        token.approve(address(pool), 500);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Funded(alice, 500, 500);
        pool.fund(500);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 0);
        assertEq(token.balanceOf(address(pool)), poolBalance + 500);
        assertEq(pool.available(), FUNDING + 500);
    }

    function test_WhenTokensWereSentWithAPlainTransfer_ItShouldNotCreditThem() external {
        token.mint(alice, 700);
        vm.prank(alice);
        token.transfer(address(pool), 700);
        assertEq(pool.available(), FUNDING);
        // A later fund credits only its own delta, not the stray tokens.
        _fund(bob, 1);
        assertEq(pool.available(), FUNDING + 1);
    }

    function test_GivenPaused_ItShouldStillFund() external {
        vm.prank(guardian);
        pool.pause();
        _fund(alice, 42);
        assertEq(pool.available(), FUNDING + 42);
    }
}

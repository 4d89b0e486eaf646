// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {FeeOnTransferToken} from "../../../contracts/test/FeeOnTransferToken.sol";
import {MockERC20} from "../../../contracts/test/MockERC20.sol";
import {Base} from "../../utils/Base.t.sol";

contract Fund_Concrete_Test is Base {
    /// @dev `alice` gets `amount` of `rewardToken` and funds `target` with all of it, expecting
    /// Funded(alice, amount, received).
    function _fundExpecting(address rewardToken, EpochRewards target, uint256 amount, uint256 received) private {
        MockERC20(rewardToken).mint(alice, amount);
        vm.startPrank(alice);
        IERC20(rewardToken).approve(address(target), amount);
        vm.expectEmit(address(target));
        emit IEpochRewards.Funded(alice, amount, received);
        target.fund(amount);
        vm.stopPrank();
    }

    function test_RevertWhen_AmountIsZero() external {
        vm.prank(alice);
        vm.expectRevert(IEpochRewards.ZeroAmount.selector);
        pool.fund(0);
    }

    function test_WhenTokenTakesAFeeOnTransfer_ItShouldCreditTheMeasuredIncrease() external {
        FeeOnTransferToken fee = new FeeOnTransferToken(100); // 1%
        EpochRewards feePool = _deployPool(IERC20(address(fee)), DECAY_BPS);
        _fundExpecting(address(fee), feePool, 1000, 990);
        assertEq(feePool.available(), 990);
        assertEq(fee.balanceOf(address(feePool)), 990);
        assertEq(fee.balanceOf(alice), 0);
        // An epoch can reserve what arrived, not what was sent.
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InsufficientAvailable.selector, 1000, 990));
        feePool.proposeEpoch(1, keccak256("root"), 1000, 1, INPUTS_HASH, URI);
    }

    function test_WhenTokenTakesNoFee_ItShouldPullTheAmountAndGrowAvailable() external {
        uint256 poolBalance = token.balanceOf(address(pool));
        _fundExpecting(address(token), pool, 500, 500);
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

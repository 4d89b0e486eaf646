// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract SetDurations_Concrete_Test is Base {
    uint32 private constant FIVE_YEARS = 5 * 365 days;

    function _expectInvalid(uint32 challengePeriod, uint32 claimWindow) private {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InvalidDurations.selector, challengePeriod, claimWindow));
        pool.setDurations(challengePeriod, claimWindow);
    }

    function test_RevertWhen_CallerIsNotTheAdmin() external {
        _expectUnauthorized(proposer, bytes32(0));
        pool.setDurations(1, 1 days);
    }

    function test_RevertWhen_ClaimWindowIsShorterThanOneDay() external {
        _expectInvalid(0, 1 days - 1);
    }

    function test_RevertWhen_ClaimWindowIsLongerThanFiveYears() external {
        _expectInvalid(0, FIVE_YEARS + 1);
    }

    function test_RevertWhen_ChallengePeriodIsLongerThanFiveYears() external {
        _expectInvalid(FIVE_YEARS + 1, 1 days);
    }

    function test_WhenDurationsAreValid_ItShouldStoreThemAndEmit() external {
        vm.expectEmit(address(pool));
        emit IEpochRewards.DurationsSet(FIVE_YEARS, 1 days);
        vm.prank(admin);
        pool.setDurations(FIVE_YEARS, 1 days);
        (uint32 c, uint32 w) = pool.durations();
        assertEq(c, FIVE_YEARS);
        assertEq(w, 1 days);
    }

    function test_WhenDurationsAreValid_ItShouldApplyToLaterEpochsOnly() external {
        _propose(1, _defaultLeaves());
        IEpochRewards.EpochView memory first = pool.getEpoch(1);
        vm.prank(admin);
        pool.setDurations(0, 3 days);
        // Once epoch 1 is final, nothing holds the next one back (see proposeEpoch.tree for the other case).
        vm.warp(first.claimableAt + 1 hours);
        _propose(2, _defaultLeaves());
        IEpochRewards.EpochView memory second = pool.getEpoch(2);
        assertEq(second.claimableAt, block.timestamp);
        assertEq(second.expiresAt, block.timestamp + 3 days);
        assertEq(uint8(second.state), uint8(IEpochRewards.EpochState.Claimable));
        IEpochRewards.EpochView memory firstAfter = pool.getEpoch(1);
        assertEq(firstAfter.claimableAt, first.claimableAt);
        assertEq(firstAfter.expiresAt, first.expiresAt);
        assertEq(first.claimableAt, START + CHALLENGE);
        assertEq(first.expiresAt, START + CHALLENGE + WINDOW);
    }

    function test_GivenPaused_ItShouldStillSetThem() external {
        _pause();
        vm.prank(admin);
        pool.setDurations(1, 2 days);
        (uint32 c, uint32 w) = pool.durations();
        assertEq(c, 1);
        assertEq(w, 2 days);
    }
}

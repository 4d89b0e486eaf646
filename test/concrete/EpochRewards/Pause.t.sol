// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Pause_Concrete_Test is Base {
    /*//////////////////////////////////////////////////////////////
                                PAUSE
    //////////////////////////////////////////////////////////////*/

    function test_Pause_RevertWhen_CallerIsNotTheGuardian() external {
        bytes32 role = pool.GUARDIAN_ROLE();
        for (uint256 i = 0; i < 4; ++i) {
            address caller = [admin, proposer, recovery, eve][i];
            _expectUnauthorized(caller, role);
            pool.pause();
        }
    }

    function test_Pause_RevertGiven_AlreadyPaused() external {
        _pause();
        vm.prank(guardian);
        vm.expectRevert(IEpochRewards.EnforcedPause.selector);
        pool.pause();
    }

    function test_Pause_GivenNotPaused_ItShouldEmitPaused() external {
        assertFalse(pool.paused());
        vm.expectEmit(address(pool));
        emit IEpochRewards.Paused(guardian);
        _pause();
        assertTrue(pool.paused());
    }

    /*//////////////////////////////////////////////////////////////
                                UNPAUSE
    //////////////////////////////////////////////////////////////*/

    function test_Unpause_RevertWhen_CallerIsNotTheGuardian() external {
        _pause();
        bytes32 role = pool.GUARDIAN_ROLE();
        _expectUnauthorized(admin, role);
        pool.unpause();
    }

    function test_Unpause_RevertGiven_NotPaused() external {
        vm.prank(guardian);
        vm.expectRevert(IEpochRewards.ExpectedPause.selector);
        pool.unpause();
    }

    function test_Unpause_GivenPaused_ItShouldEmitAndLetClaimsThrough() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _pause();
        vm.expectEmit(address(pool));
        emit IEpochRewards.Unpaused(guardian);
        _unpause();
        assertFalse(pool.paused());
        _claim(alice, 1, leaves, 0);
        assertEq(token.balanceOf(alice), 100e18);
        _propose(2, leaves);
        assertEq(pool.latestEpoch(), 2);
    }

    /*//////////////////////////////////////////////////////////////
                            PAUSED DURATION
    //////////////////////////////////////////////////////////////*/

    function test_PausedDuration_GivenNeverPaused_ItShouldReturnZero() external {
        assertEq(pool.pausedDuration(), 0);
        skip(100 days);
        assertEq(pool.pausedDuration(), 0);
    }

    function test_PausedDuration_GivenPaused_ItShouldCountTheCurrentPause() external {
        _pause();
        assertEq(pool.pausedDuration(), 0);
        skip(1 hours);
        assertEq(pool.pausedDuration(), 1 hours);
        skip(2 days);
        assertEq(pool.pausedDuration(), 1 hours + 2 days);
    }

    function test_PausedDuration_GivenPausesEnded_ItShouldReturnTheirSum() external {
        _pause();
        skip(1 hours);
        _unpause();
        skip(5 days);
        assertEq(pool.pausedDuration(), 1 hours);
        _pause();
        skip(3 days);
        _unpause();
        skip(1 days);
        assertEq(pool.pausedDuration(), 1 hours + 3 days);
        // A pause in progress adds to the ended ones.
        _pause();
        skip(7);
        assertEq(pool.pausedDuration(), 1 hours + 3 days + 7);
    }

    /*//////////////////////////////////////////////////////////////
                            CLAIM WINDOWS
    //////////////////////////////////////////////////////////////*/

    function test_GivenAnEpochIsClaimableWhenThePauseBegins_ItShouldKeepItOpenAndMoveItsExpiry() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        assertEq(expiresAt, START + CHALLENGE + WINDOW);
        skip(10 days); // 20 days of the window left
        _pause();
        vm.warp(expiresAt + 10 days); // paused for 30 days, past the former expiry

        // Still Claimable (claims wait for the unpause), and not sweepable.
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Claimable));
        assertEq(pool.getEpoch(1).expiresAt, expiresAt + 30 days);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, expiresAt + 30 days));
        pool.sweep(1);

        _unpause();
        uint256 moved = expiresAt + 30 days;
        assertEq(pool.getEpoch(1).expiresAt, moved);
        assertEq(block.timestamp + 20 days, moved, "the rest of the window is left");

        // Claimable up to the last second of the moved window, then expired.
        vm.warp(moved - 1);
        _claim(1, leaves, 0);
        assertEq(token.balanceOf(alice), 100e18);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, moved));
        pool.sweep(1);
        vm.warp(moved);
        bytes32[] memory proof = _proof(leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, moved));
        pool.claim(1, 1, bob, 50e18, 20, proof);
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochSwept(1, _sum(leaves) - 100e18);
        pool.sweep(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Swept));
    }

    function test_GivenAnEpochIsClaimableWhenThePauseBegins_ItShouldNotLetItBeSweptWhilePaused() external {
        _proposeOpen(1, _defaultLeaves());
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.warp(expiresAt - 1);
        _pause();
        vm.warp(expiresAt + 365 days);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, expiresAt + 365 days + 1));
        pool.sweep(1);
        _unpause();
        // One second of the window is left.
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Claimable));
        _claim(1, _defaultLeaves(), 1);
        skip(1);
        pool.sweep(1);
    }

    function test_GivenAnEpochIsClaimableWhenThePauseBegins_ItShouldHoldBackTheEpoch64LaterUntilTheMovedExpiry()
        external
    {
        for (uint256 epoch = 1; epoch <= 64; ++epoch) {
            _propose(epoch, _idleLeaves());
        }
        _open(64);
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        skip(1 days);
        _pause();
        skip(5 days);
        _unpause();
        uint256 moved = expiresAt + 5 days;
        vm.warp(moved - 1);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.TooManyOpenEpochs.selector, 65, 1, moved));
        pool.proposeEpoch(65, keccak256("65"), 0, 0, INPUTS_HASH, URI);
        skip(1);
        _propose(65, _idleLeaves());
        assertEq(pool.latestEpoch(), 65);
    }

    function test_GivenSeveralPauses_ItShouldAddEachOfThem() external {
        _proposeOpen(1, _defaultLeaves());
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        skip(1 days);
        _pause();
        skip(2 days);
        _unpause();
        skip(1 days);
        _pause();
        skip(5 hours);
        _unpause();
        assertEq(pool.getEpoch(1).expiresAt, expiresAt + 2 days + 5 hours);
        assertEq(pool.pausedDuration(), 2 days + 5 hours);
    }

    function test_GivenAnEpochExpiredBeforeThePauseBegan_ItShouldLetItBeSweptWhilePaused() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(1, leaves, 0);
        _expire(1);
        skip(1 hours);
        _pause();
        skip(3 days);
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochSwept(1, _sum(leaves) - 100e18);
        pool.sweep(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Swept));
        assertEq(pool.available(), FUNDING - 100e18);
    }

    function test_GivenAnEpochExpiredBeforeThePauseBegan_ItShouldNotMoveItsExpiresAt() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.warp(expiresAt + 1 hours);
        _pause();
        skip(3 days);
        _unpause();
        // It was not claimable during the pause: nothing to give back.
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Expired));
        assertEq(pool.getEpoch(1).expiresAt, expiresAt);
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        pool.claim(1, 0, alice, 100e18, 10, proof);
    }

    function test_GivenThePauseBeginsAndEndsInTheChallengePeriod_ItShouldNotMoveTheEpoch() external {
        Leaf[] memory leaves = _defaultLeaves();
        _propose(1, leaves);
        uint256 claimableAt = pool.getEpoch(1).claimableAt;
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        skip(1 days);
        _pause();
        skip(12 hours);
        _unpause();
        assertLt(block.timestamp, claimableAt);
        assertEq(pool.getEpoch(1).claimableAt, claimableAt);
        assertEq(pool.getEpoch(1).expiresAt, expiresAt);
        // The whole window, no more.
        vm.warp(expiresAt - 1);
        _claim(1, leaves, 0);
        vm.warp(expiresAt);
        bytes32[] memory proof = _proof(leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        pool.claim(1, 1, bob, 50e18, 20, proof);
        pool.sweep(1);
    }

    function test_GivenThePauseBeginsInTheChallengePeriodAndEndsAfterClaimableAt_ItShouldAddOnlyThePausedTimeAfterClaimableAt()
        external
    {
        _propose(1, _defaultLeaves());
        uint256 claimableAt = pool.getEpoch(1).claimableAt;
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.warp(claimableAt - 1 days);
        _pause();
        vm.warp(claimableAt + 3 days);
        // While the pause still runs, the epoch is final and Claimable, its expiry moved by the time since claimableAt.
        assertEq(pool.finalEpochAt(claimableAt), 1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Claimable));
        assertEq(pool.getEpoch(1).expiresAt, expiresAt + 3 days);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, expiresAt + 3 days));
        pool.sweep(1);
        _unpause();
        assertEq(pool.pausedDuration(), 4 days);
        assertEq(pool.getEpoch(1).claimableAt, claimableAt);
        assertEq(pool.getEpoch(1).expiresAt, expiresAt + 3 days);
        vm.warp(expiresAt + 3 days - 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, 1, expiresAt + 3 days));
        pool.sweep(1);
        skip(1);
        pool.sweep(1);
    }

    function test_GivenTheEpochIsProposedAfterThePause_ItShouldNotBeAffected() external {
        _pause();
        skip(10 days);
        _unpause();
        _propose(1, _defaultLeaves());
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(e.claimableAt, block.timestamp + CHALLENGE);
        assertEq(e.expiresAt, block.timestamp + CHALLENGE + WINDOW);
        _expire(1);
        pool.sweep(1);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Pause_Concrete_Test is Base {
    function _pause() private {
        vm.prank(guardian);
        pool.pause();
    }

    function test_Pause_RevertWhen_CallerIsNotTheGuardian() external {
        bytes32 role = pool.GUARDIAN_ROLE();
        for (uint256 i = 0; i < 4; ++i) {
            address caller = [admin, proposer, recovery, eve][i];
            vm.prank(caller);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role)
            );
            pool.pause();
        }
    }

    function test_Pause_RevertGiven_AlreadyPaused() external {
        _pause();
        vm.prank(guardian);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.pause();
    }

    function test_Pause_GivenNotPaused_ItShouldEmitPaused() external {
        vm.expectEmit(address(pool));
        emit Pausable.Paused(guardian);
        _pause();
        assertTrue(pool.paused());
    }

    function test_Pause_ItShouldBlockClaimsAndProposals() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _pause();
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.claim(1, 0, alice, 100e18, 10, proof);
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](1);
        batch[0] = _claimOf(1, leaves, 0);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.claimMany(batch);
        vm.prank(proposer);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.proposeEpoch(2, keccak256("r"), 1, INPUTS_HASH, URI);
    }

    function test_Pause_ItShouldNotBlockTheRest() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        _propose(2, leaves);
        _pause();

        _fund(bob, 5);
        vm.prank(admin);
        pool.withdraw(admin, 5);
        _veto(2);
        vm.prank(admin);
        pool.setDurations(1, 2 days);
        vm.prank(recovery);
        pool.recoverSoul(alice, bob);
        _expire(1);
        pool.sweep(1);

        assertEq(uint8(pool.epochState(2)), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Swept));
        assertTrue(pool.hasSoul(bob));
        assertEq(pool.available(), FUNDING - 100e18);
        assertTrue(pool.paused());
    }

    function test_Unpause_RevertWhen_CallerIsNotTheGuardian() external {
        _pause();
        bytes32 role = pool.GUARDIAN_ROLE();
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        pool.unpause();
    }

    function test_Unpause_RevertGiven_NotPaused() external {
        vm.prank(guardian);
        vm.expectRevert(Pausable.ExpectedPause.selector);
        pool.unpause();
    }

    function test_Unpause_GivenPaused_ItShouldEmitAndLetClaimsThrough() external {
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _pause();
        vm.expectEmit(address(pool));
        emit Pausable.Unpaused(guardian);
        vm.prank(guardian);
        pool.unpause();
        assertFalse(pool.paused());
        _claim(alice, 1, leaves, 0);
        assertEq(token.balanceOf(alice), 100e18);
        _propose(2, leaves);
        assertEq(pool.latestEpoch(), 2);
    }
}

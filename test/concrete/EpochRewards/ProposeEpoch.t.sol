// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract ProposeEpoch_Concrete_Test is Base {
    bytes32 private constant ROOT = keccak256("root");

    function _expectNotProposable(uint256 epoch, uint256 next, IEpochRewards.EpochState state) private {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposable.selector, epoch, next, state));
        pool.proposeEpoch(epoch, ROOT, 1, INPUTS_HASH, URI);
    }

    function test_RevertWhen_CallerIsNotTheProposer() external {
        bytes32 role = pool.PROPOSER_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, guardian, eve][i];
            vm.prank(caller);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role)
            );
            pool.proposeEpoch(1, ROOT, 1, INPUTS_HASH, URI);
        }
    }

    function test_RevertGiven_Paused() external {
        vm.prank(guardian);
        pool.pause();
        vm.prank(proposer);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.proposeEpoch(1, ROOT, 1, INPUTS_HASH, URI);
    }

    function test_RevertWhen_EpochIsZero() external {
        _expectNotProposable(0, 1, IEpochRewards.EpochState.None);
    }

    function test_RevertWhen_EpochSkipsAhead() external {
        _expectNotProposable(2, 1, IEpochRewards.EpochState.None);
        _propose(1, _defaultLeaves());
        _expectNotProposable(3, 2, IEpochRewards.EpochState.None);
    }

    function test_RevertWhen_EpochIsADuplicateInItsChallengePeriod() external {
        _propose(1, _defaultLeaves());
        _expectNotProposable(1, 2, IEpochRewards.EpochState.Challenge);
    }

    function test_RevertWhen_EpochIsAnOlderOne() external {
        _propose(1, _defaultLeaves());
        _open(1);
        _expectNotProposable(1, 2, IEpochRewards.EpochState.Claimable);
        _expire(1);
        _expectNotProposable(1, 2, IEpochRewards.EpochState.Expired);
        pool.sweep(1);
        _expectNotProposable(1, 2, IEpochRewards.EpochState.Swept);
    }

    function test_RevertWhen_RootIsZero() external {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.ZeroRoot.selector, 1));
        pool.proposeEpoch(1, bytes32(0), 1, INPUTS_HASH, URI);
    }

    function test_RevertWhen_TotalDoesNotFit96Bits() external {
        uint256 total = uint256(type(uint96).max) + 1;
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.TotalTooLarge.selector, total, type(uint96).max));
        pool.proposeEpoch(1, ROOT, total, INPUTS_HASH, URI);
    }

    function test_RevertWhen_TotalExceedsAvailable() external {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InsufficientAvailable.selector, FUNDING + 1, FUNDING));
        pool.proposeEpoch(1, ROOT, FUNDING + 1, INPUTS_HASH, URI);
    }

    function test_WhenTotalIsAtMostAvailable_ItShouldReserveStoreAndEmit() external {
        uint64 claimableAt = uint64(block.timestamp) + CHALLENGE;
        uint64 expiresAt = claimableAt + WINDOW;
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochProposed(1, ROOT, 1000, INPUTS_HASH, URI, claimableAt, expiresAt);
        vm.prank(proposer);
        pool.proposeEpoch(1, ROOT, 1000, INPUTS_HASH, URI);

        assertEq(pool.available(), FUNDING - 1000);
        assertEq(pool.outstanding(), 1000);
        assertEq(pool.latestEpoch(), 1);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(e.root, ROOT);
        assertEq(e.inputsHash, INPUTS_HASH);
        assertEq(e.total, 1000);
        assertEq(e.claimed, 0);
        assertEq(e.claimableAt, claimableAt);
        assertEq(e.expiresAt, expiresAt);
    }

    function test_WhenTotalEqualsAvailable_ItShouldReserveAll() external {
        vm.prank(proposer);
        pool.proposeEpoch(1, ROOT, FUNDING, INPUTS_HASH, URI);
        assertEq(pool.available(), 0);
        assertEq(pool.getEpoch(1).total, FUNDING);
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InsufficientAvailable.selector, 1, 0));
        pool.proposeEpoch(2, ROOT, 1, INPUTS_HASH, URI);
    }

    function test_WhenTotalIsZero_ItShouldProposeAReputationOnlyEpoch() external {
        vm.prank(proposer);
        pool.proposeEpoch(1, ROOT, 0, INPUTS_HASH, URI);
        assertEq(pool.available(), FUNDING);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(pool.latestEpoch(), 1);
    }

    function test_WhenEpochIsVetoed_ItShouldStoreTheNewRootWithFreshDurations() external {
        _propose(1, _defaultLeaves());
        skip(1 days);
        _veto(1);
        skip(1 hours);
        bytes32 newRoot = keccak256("fixed");
        uint64 claimableAt = uint64(block.timestamp) + CHALLENGE;
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochProposed(1, newRoot, 7, INPUTS_HASH, URI, claimableAt, claimableAt + WINDOW);
        vm.prank(proposer);
        pool.proposeEpoch(1, newRoot, 7, INPUTS_HASH, URI);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(e.root, newRoot);
        assertEq(e.total, 7);
        assertEq(e.claimableAt, claimableAt);
        assertEq(pool.available(), FUNDING - 7);
        assertEq(pool.latestEpoch(), 1);
    }

    function test_GivenALaterEpochWasProposed_ItShouldNotLowerLatestEpoch() external {
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        _veto(1);
        vm.prank(proposer);
        pool.proposeEpoch(1, ROOT, 5, INPUTS_HASH, URI);
        assertEq(pool.latestEpoch(), 2);
        assertEq(pool.getEpoch(1).root, ROOT);
        // The next epoch is still 3.
        _expectNotProposable(2, 3, IEpochRewards.EpochState.Challenge);
    }
}

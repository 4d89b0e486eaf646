// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract VetoEpoch_Concrete_Test is Base {
    /// @dev Expects the guardian's veto of `epoch` to revert with `err`.
    function _expectVetoReverts(uint256 epoch, bytes memory err) private {
        vm.prank(guardian);
        vm.expectRevert(err);
        pool.vetoEpoch(epoch, "no");
    }

    function test_RevertWhen_CallerIsNotTheGuardian() external {
        _propose(1, _defaultLeaves());
        bytes32 role = pool.GUARDIAN_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, proposer, eve][i];
            _expectUnauthorized(caller, role);
            pool.vetoEpoch(1, "no");
        }
    }

    function test_RevertGiven_EpochWasNeverProposed() external {
        _expectVetoReverts(1, abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 1));
        _expectVetoReverts(0, abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 0));
    }

    function test_RevertGiven_EpochIsAlreadyVetoed() external {
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        _veto(1);
        _expectVetoReverts(1, abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 1));
        _expectVetoReverts(2, abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 2));
    }

    function test_RevertGiven_ChallengePeriodIsOver() external {
        _propose(1, _defaultLeaves());
        uint256 claimableAt = pool.getEpoch(1).claimableAt;
        bytes memory err = abi.encodeWithSelector(IEpochRewards.ChallengeClosed.selector, 1, claimableAt);
        vm.warp(claimableAt);
        _expectVetoReverts(1, err);
        _expire(1);
        _expectVetoReverts(1, err);
    }

    function test_GivenEpochIsInItsChallengePeriod_ItShouldReleaseDeleteAndEmit() external {
        bytes32 root = _propose(1, _defaultLeaves());
        assertEq(pool.available(), FUNDING - _sum(_defaultLeaves()));
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochVetoed(1, root, guardian, "bad tree");
        vm.prank(guardian);
        pool.vetoEpoch(1, "bad tree");
        assertEq(pool.available(), FUNDING);
        assertEq(pool.outstanding(), 0);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(e.root, bytes32(0));
        assertEq(e.total, 0);
        assertEq(e.reputationTotal, 0);
        assertEq(e.claimableAt, 0);
        assertEq(e.expiresAt, 0);
    }

    function test_GivenEpochIsInItsChallengePeriod_ItShouldMakeLatestEpochTheOneBefore() external {
        _proposeOpen(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        assertEq(pool.latestEpoch(), 2);
        _veto(2);
        assertEq(pool.latestEpoch(), 1);
        // The same number comes next.
        _propose(2, _defaultLeaves());
        assertEq(pool.latestEpoch(), 2);
        assertEq(uint8(pool.epochState(2)), uint8(IEpochRewards.EpochState.Challenge));
    }

    function test_WhenItIsTheLastSecondOfTheChallengePeriod_ItShouldVeto() external {
        _propose(1, _defaultLeaves());
        vm.warp(pool.getEpoch(1).claimableAt - 1);
        _veto(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(pool.latestEpoch(), 0);
    }

    function test_GivenLaterEpochsWereProposed_ItShouldVetoThemAllNewestFirst() external {
        Leaf[] memory leaves = _defaultLeaves();
        uint256 total = _sum(leaves);
        bytes32 root1 = _proposeOpen(1, leaves); // final: untouched
        bytes32[4] memory roots;
        for (uint256 epoch = 2; epoch <= 4; ++epoch) {
            Leaf[] memory other = _one(_leaf(0, alice, epoch * 1e18, epoch));
            roots[epoch - 1] = _propose(epoch, other);
            skip(1 hours);
        }
        uint256 reserved = total + 2e18 + 3e18 + 4e18;
        assertEq(pool.available(), FUNDING - reserved);

        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochVetoed(4, roots[3], guardian, "bad input");
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochVetoed(3, roots[2], guardian, "bad input");
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochVetoed(2, roots[1], guardian, "bad input");
        vm.recordLogs();
        vm.prank(guardian);
        pool.vetoEpoch(2, "bad input");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, EPOCH_VETOED), 3);

        // Every reservation from epoch 2 on is released; epoch 1 is untouched.
        assertEq(pool.available(), FUNDING - total);
        assertEq(pool.outstanding(), total);
        for (uint256 epoch = 2; epoch <= 4; ++epoch) {
            IEpochRewards.EpochView memory e = pool.getEpoch(epoch);
            assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Vetoed));
            assertEq(e.root, bytes32(0));
            assertEq(e.total, 0);
        }
        assertEq(pool.latestEpoch(), 1);
        IEpochRewards.EpochView memory first = pool.getEpoch(1);
        assertEq(uint8(first.state), uint8(IEpochRewards.EpochState.Claimable));
        assertEq(first.root, root1);
        assertEq(first.total, total);

        // The same numbers are proposed again, in order.
        vm.prank(proposer);
        vm.expectRevert(
            abi.encodeWithSelector(IEpochRewards.EpochNotProposable.selector, 3, 2, IEpochRewards.EpochState.Vetoed)
        );
        pool.proposeEpoch(3, keccak256("3"), 0, 0, INPUTS_HASH, URI);
        _propose(2, leaves);
        assertEq(uint8(pool.epochState(3)), uint8(IEpochRewards.EpochState.Vetoed));
        _propose(3, leaves);
        assertEq(pool.latestEpoch(), 3);
        assertEq(uint8(pool.epochState(3)), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(uint8(pool.epochState(4)), uint8(IEpochRewards.EpochState.Vetoed));
    }

    function test_WhenTheEpochIsProposedAgain_ItShouldFinalizeNoEarlierThanTheLiveEpochsOnly() external {
        _propose(1, _defaultLeaves()); // final at START + 2 days
        skip(1 days);
        _propose(2, _defaultLeaves()); // final at START + 3 days
        skip(1 days);
        _propose(3, _defaultLeaves()); // final at START + 4 days
        _veto(2);
        vm.prank(admin);
        pool.setDurations(1 hours, WINDOW);
        // Epoch 1 is the newest live epoch: the vetoed epochs' claimableAt no longer hold epoch 2 back.
        _propose(2, _defaultLeaves());
        assertEq(pool.getEpoch(2).claimableAt, START + 2 days + 1 hours);
        assertEq(pool.getEpoch(2).expiresAt, START + 2 days + 1 hours + WINDOW);
    }

    function test_GivenPaused_ItShouldStillVeto() external {
        _propose(1, _defaultLeaves());
        _pause();
        _veto(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(pool.available(), FUNDING);
        assertEq(pool.latestEpoch(), 0);
    }
}

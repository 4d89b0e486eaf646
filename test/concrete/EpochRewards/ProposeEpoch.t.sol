// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract ProposeEpoch_Concrete_Test is Base {
    bytes32 private constant ROOT = keccak256("root");

    function _proposeRoot(uint256 epoch, uint256 total, uint256 reputationTotal) private {
        vm.prank(proposer);
        pool.proposeEpoch(epoch, ROOT, total, reputationTotal, INPUTS_HASH, URI);
    }

    function _expectNotProposable(uint256 epoch, uint256 next, IEpochRewards.EpochState state) private {
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposable.selector, epoch, next, state));
        _proposeRoot(epoch, 1, 1);
    }

    function test_RevertWhen_CallerIsNotTheProposer() external {
        bytes32 role = pool.PROPOSER_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, guardian, eve][i];
            _expectUnauthorized(caller, role);
            pool.proposeEpoch(1, ROOT, 1, 1, INPUTS_HASH, URI);
        }
    }

    function test_RevertGiven_Paused() external {
        _pause();
        vm.expectRevert(IEpochRewards.EnforcedPause.selector);
        _proposeRoot(1, 1, 1);
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

    function test_RevertWhen_EpochWasVetoedButAnEarlierVetoedEpochComesFirst() external {
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        _propose(3, _defaultLeaves());
        _veto(2); // vetoes 3 too
        _expectNotProposable(3, 2, IEpochRewards.EpochState.Vetoed);
    }

    function test_RevertWhen_RootIsZero() external {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.ZeroRoot.selector, 1));
        pool.proposeEpoch(1, bytes32(0), 1, 1, INPUTS_HASH, URI);
    }

    function test_RevertWhen_TotalDoesNotFit96Bits() external {
        uint256 total = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.TotalTooLarge.selector, total, type(uint96).max));
        _proposeRoot(1, total, 1);
    }

    function test_RevertWhen_ReputationTotalDoesNotFit64Bits() external {
        uint256 reputationTotal = MAX_REPUTATION + 1;
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, reputationTotal, MAX_REPUTATION)
        );
        _proposeRoot(1, 1, reputationTotal);
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, type(uint256).max, MAX_REPUTATION)
        );
        _proposeRoot(1, 1, type(uint256).max);

        // The largest value that fits is accepted, and is the total supply once the epoch is final.
        _proposeRoot(1, 1, MAX_REPUTATION);
        assertEq(pool.getEpoch(1).reputationTotal, MAX_REPUTATION);
        _open(1);
        assertEq(pool.totalReputation(), MAX_REPUTATION);
    }

    function test_RevertWhen_TotalExceedsAvailable() external {
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InsufficientAvailable.selector, FUNDING + 1, FUNDING));
        _proposeRoot(1, FUNDING + 1, 1);
    }

    /// @dev Proposes epochs 1..64 at START: they all become final at START + CHALLENGE and expire at
    /// START + CHALLENGE + WINDOW.
    function _proposeSixtyFour() private {
        for (uint256 epoch = 1; epoch <= 64; ++epoch) {
            _proposeRoot(epoch, 1, epoch);
        }
        assertEq(pool.latestEpoch(), 64);
    }

    function test_RevertGiven_EpochSixtyFourBeforeHasNotExpired() external {
        _proposeSixtyFour();
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        assertEq(expiresAt, START + CHALLENGE + WINDOW);
        bytes memory err = abi.encodeWithSelector(IEpochRewards.TooManyOpenEpochs.selector, 65, 1, expiresAt);
        vm.expectRevert(err);
        _proposeRoot(65, 1, 1);
        _open(1);
        vm.expectRevert(err);
        _proposeRoot(65, 1, 1);
        vm.warp(expiresAt - 1);
        vm.expectRevert(err);
        _proposeRoot(65, 1, 1);
    }

    function test_GivenEpochSixtyFourBeforeHasExpired_ItShouldPropose() external {
        _proposeSixtyFour();
        _expire(1);
        // Epoch 1 expired but is not swept: its funds are still reserved, yet it no longer holds a place.
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Expired));
        _proposeRoot(65, 1, 1);
        assertEq(pool.latestEpoch(), 65);
        // Epoch 66 waits for epoch 2, which expired at the same time: swept first this time.
        pool.sweep(2);
        _proposeRoot(66, 1, 1);
        assertEq(pool.latestEpoch(), 66);
        // Every epoch up to 64 expired together, so epoch 128 can be proposed, but not 129 (epoch 65 is open).
        for (uint256 epoch = 67; epoch <= 128; ++epoch) {
            _proposeRoot(epoch, 1, 1);
        }
        uint256 expiresAt = pool.getEpoch(65).expiresAt;
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.TooManyOpenEpochs.selector, 129, 65, expiresAt));
        _proposeRoot(129, 1, 1);
    }

    function test_WhenTotalIsAtMostAvailable_ItShouldReserveStoreAndEmit() external {
        uint64 claimableAt = uint64(block.timestamp) + CHALLENGE;
        uint64 expiresAt = claimableAt + WINDOW;
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochProposed(1, ROOT, 1000, 77, INPUTS_HASH, URI, claimableAt, expiresAt);
        vm.expectEmit(address(pool));
        emit IERC4906.BatchMetadataUpdate(0, type(uint160).max);
        _proposeRoot(1, 1000, 77);

        assertEq(pool.available(), FUNDING - 1000);
        assertEq(pool.outstanding(), 1000);
        assertEq(pool.latestEpoch(), 1);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(e.root, ROOT);
        assertEq(e.total, 1000);
        assertEq(e.claimed, 0);
        assertEq(e.reputationTotal, 77);
        assertEq(e.claimableAt, claimableAt);
        assertEq(e.expiresAt, expiresAt);
    }

    function test_WhenTotalEqualsAvailable_ItShouldReserveAll() external {
        _proposeRoot(1, FUNDING, 1);
        assertEq(pool.available(), 0);
        assertEq(pool.getEpoch(1).total, FUNDING);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InsufficientAvailable.selector, 1, 0));
        _proposeRoot(2, 1, 1);
    }

    function test_WhenTotalIsZero_ItShouldProposeAReputationOnlyEpoch() external {
        _proposeRoot(1, 0, 5);
        assertEq(pool.available(), FUNDING);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(pool.latestEpoch(), 1);
        assertEq(pool.getEpoch(1).reputationTotal, 5);
    }

    function test_GivenThePreviousEpochBecomesFinalAfterNowPlusChallengePeriod_ItShouldFinalizeWithIt() external {
        _propose(1, _defaultLeaves());
        uint64 previous = pool.getEpoch(1).claimableAt;
        assertEq(previous, START + CHALLENGE);
        vm.prank(admin);
        pool.setDurations(1 hours, 3 days);
        skip(1 hours);
        // now + 1 hour is before epoch 1 becomes final: epoch 2 becomes final with it, not before.
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochProposed(2, ROOT, 0, 0, INPUTS_HASH, URI, previous, previous + 3 days);
        _proposeRoot(2, 0, 0);
        IEpochRewards.EpochView memory e = pool.getEpoch(2);
        assertEq(e.claimableAt, previous);
        assertEq(e.expiresAt, previous + 3 days);
        assertEq(pool.finalEpochAt(previous - 1), 0);
        assertEq(pool.finalEpochAt(previous), 2);

        // Once the previous epoch is final, the shorter challenge period applies again.
        vm.warp(previous + 1 days);
        _proposeRoot(3, 0, 0);
        assertEq(pool.getEpoch(3).claimableAt, previous + 1 days + 1 hours);
    }

    function test_WhenEpochWasVetoed_ItShouldStoreTheNewRootWithFreshDurations() external {
        _propose(1, _defaultLeaves());
        skip(1 days);
        _veto(1);
        skip(1 hours);
        bytes32 newRoot = keccak256("fixed");
        uint64 claimableAt = uint64(block.timestamp) + CHALLENGE;
        vm.expectEmit(address(pool));
        emit IEpochRewards.EpochProposed(1, newRoot, 7, 3, INPUTS_HASH, URI, claimableAt, claimableAt + WINDOW);
        vm.prank(proposer);
        pool.proposeEpoch(1, newRoot, 7, 3, INPUTS_HASH, URI);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Challenge));
        assertEq(e.root, newRoot);
        assertEq(e.total, 7);
        assertEq(e.reputationTotal, 3);
        assertEq(e.claimableAt, claimableAt);
        assertEq(pool.available(), FUNDING - 7);
        assertEq(pool.latestEpoch(), 1);
    }
}

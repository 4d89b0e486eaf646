// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {IERC5192} from "../../../contracts/interfaces/IERC5192.sol";
import {Base} from "../../utils/Base.t.sol";

contract Claim_Concrete_Test is Base {
    bytes32 private constant VOTES_CHANGED = keccak256("DelegateVotesChanged(address,uint256,uint256)");
    bytes32 private constant LOCKED = keccak256("Locked(uint256)");

    function setUp() public override {
        super.setUp();
        _proposeOpen(1, _defaultLeaves());
    }

    function _expectInvalidProof(uint256 epoch, Leaf memory l, bytes32[] memory proof) private {
        vm.expectRevert(
            abi.encodeWithSelector(
                IEpochRewards.InvalidProof.selector,
                epoch,
                l.index,
                l.account,
                l.amount,
                l.reputation
            )
        );
        pool.claim(epoch, l.index, l.account, l.amount, l.reputation, proof);
    }

    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic) private pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics[0] == topic) ++n;
        }
    }

    /*//////////////////////////////////////////////////////////////
                            EPOCH WINDOW
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_Paused() external {
        vm.prank(guardian);
        pool.pause();
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.claim(1, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_RevertGiven_EpochWasNeverProposed() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 2));
        pool.claim(2, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 0));
        pool.claim(0, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_RevertGiven_EpochIsVetoed() external {
        Leaf[] memory leaves = _defaultLeaves();
        _propose(2, leaves);
        _veto(2);
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 2));
        pool.claim(2, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_RevertGiven_EpochIsInItsChallengePeriod() external {
        Leaf[] memory leaves = _defaultLeaves();
        _propose(2, leaves);
        uint256 claimableAt = pool.getEpoch(2).claimableAt;
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochInChallenge.selector, 2, claimableAt));
        pool.claim(2, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
        vm.warp(claimableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochInChallenge.selector, 2, claimableAt));
        pool.claim(2, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_RevertGiven_EpochExpired() external {
        Leaf[] memory leaves = _defaultLeaves();
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        bytes32[] memory proof = _proof(leaves, 0);
        vm.warp(expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        pool.claim(1, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
        pool.sweep(1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        pool.claim(1, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_WhenItIsTheLastSecondOfTheClaimWindow_ItShouldPay() external {
        vm.warp(pool.getEpoch(1).expiresAt - 1);
        _claim(alice, 1, _defaultLeaves(), 0);
        assertEq(token.balanceOf(alice), 100e18);
    }

    /*//////////////////////////////////////////////////////////////
                            LEAF CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_LeafWasAlreadyClaimed() external {
        Leaf[] memory leaves = _defaultLeaves();
        _claim(alice, 1, leaves, 0);
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.AlreadyClaimed.selector, 1, 0));
        pool.claim(1, 0, alice, leaves[0].amount, leaves[0].reputation, proof);
    }

    function test_RevertWhen_ProofIsFromAnotherEpoch() external {
        Leaf[] memory other = _two(_leaf(0, alice, 7e18, 3), _leaf(1, bob, 8e18, 4));
        _proposeOpen(2, other);
        // A valid leaf and proof of epoch 2, submitted for epoch 1.
        _expectInvalidProof(1, other[0], _proof(other, 0));
        // And the other way round.
        Leaf[] memory leaves = _defaultLeaves();
        _expectInvalidProof(2, leaves[0], _proof(leaves, 0));
    }

    function test_RevertWhen_AmountIsTampered() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 0);
        Leaf memory l = leaves[0];
        l.amount += 1;
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_ReputationIsTampered() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 1);
        Leaf memory l = leaves[1];
        l.reputation = 1000;
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_AccountIsWrong() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 0);
        Leaf memory l = leaves[0];
        l.account = eve;
        vm.prank(eve);
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_IndexIsWrong() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32[] memory proof = _proof(leaves, 0);
        Leaf memory l = leaves[0];
        l.index = 1;
        _expectInvalidProof(1, l, proof);
        // An empty proof for a leaf of a multi-leaf tree is no proof either.
        _expectInvalidProof(1, leaves[0], new bytes32[](0));
    }

    function test_RevertWhen_LeavesOfAMaliciousTreeSumPastTheTotal() external {
        Leaf[] memory leaves = _two(_leaf(0, alice, 60, 1), _leaf(1, bob, 60, 1));
        _propose(2, leaves, 100);
        _open(2);
        _claim(alice, 2, leaves, 0);
        bytes32[] memory proof = _proof(leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochTotalExceeded.selector, 2, 60, 60, 100));
        pool.claim(2, 1, bob, 60, 1, proof);
        // The other epochs' reservations are untouched.
        assertEq(pool.getEpoch(2).claimed, 60);
        assertEq(pool.outstanding(), _sum(_defaultLeaves()) + 40);
    }

    /*//////////////////////////////////////////////////////////////
                            PAYMENT
    //////////////////////////////////////////////////////////////*/

    function test_WhenCallerIsAnyone_ItShouldPayTheLeafAccount() external {
        Leaf[] memory leaves = _defaultLeaves();
        uint256 availableBefore = pool.available();
        uint256 poolBalance = token.balanceOf(address(pool));
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(1, 0, alice, 100e18);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(address(pool), alice, 100e18);
        _claim(eve, 1, leaves, 0);
        assertEq(token.balanceOf(alice), 100e18);
        assertEq(token.balanceOf(eve), 0);
        assertEq(token.balanceOf(address(pool)), poolBalance - 100e18);
        assertTrue(pool.isClaimed(1, 0));
        assertEq(pool.getEpoch(1).claimed, 100e18);
        assertEq(pool.available(), availableBefore);
        assertEq(pool.outstanding(), _sum(leaves) - 100e18);
    }

    function test_WhenAmountIsZero_ItShouldTransferNoTokensAndStillSync() external {
        vm.recordLogs();
        _claim(bob, 1, _defaultLeaves(), 2); // eve's leaf: amount 0, reputation 5
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_tokenTransfers(logs), 0);
        assertTrue(pool.isClaimed(1, 2));
        assertTrue(pool.hasSoul(eve));
        assertEq(pool.reputationOf(eve), 5);
    }

    /*//////////////////////////////////////////////////////////////
                            REPUTATION SYNC
    //////////////////////////////////////////////////////////////*/

    function test_GivenAccountHasNoSoul_ItShouldMintTheSoul() external {
        uint256 id = _tokenId(alice);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(1, 0, alice, 100e18);
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(address(0), alice, id);
        vm.expectEmit(address(pool));
        emit IERC5192.Locked(id);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(alice, address(0), alice);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 0, 10);
        _claim(alice, 1, _defaultLeaves(), 0);

        assertTrue(pool.hasSoul(alice));
        assertEq(pool.soulOf(alice), id);
        assertEq(pool.ownerOf(id), alice);
        assertEq(pool.balanceOf(alice), 1);
        assertTrue(pool.locked(id));
        assertEq(pool.reputationOf(alice), 10);
        assertEq(pool.getVotes(alice), 10);
        assertEq(pool.delegates(alice), alice);
        assertEq(pool.lastSyncedEpoch(alice), 1);
        assertEq(pool.soulCount(), 1);
        assertEq(pool.totalReputation(), 10);
    }

    function test_WhenReputationIsZero_ItShouldMintWithoutDelegateVotesChanged() external {
        Leaf[] memory leaves = _one(_leaf(0, eve, 3, 0));
        _proposeOpen(2, leaves);
        uint256 id = _tokenId(eve);
        vm.recordLogs();
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(address(0), eve, id);
        vm.expectEmit(address(pool));
        emit IERC5192.Locked(id);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(eve, address(0), eve);
        _claim(eve, 2, leaves, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(pool), VOTES_CHANGED), 0);
        assertTrue(pool.hasSoul(eve));
        assertEq(pool.reputationOf(eve), 0);
        assertEq(pool.lastSyncedEpoch(eve), 2);
        assertEq(pool.soulCount(), 1);
        assertEq(pool.totalReputation(), 0);
        assertEq(token.balanceOf(eve), 3);
    }

    function test_RevertWhen_LeafAccountIsTheZeroAddress() external {
        Leaf[] memory leaves = _one(_leaf(0, address(0), 0, 7));
        _proposeOpen(2, leaves);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        _claim(bob, 2, leaves, 0);
        assertFalse(pool.isClaimed(2, 0));
        assertEq(pool.soulCount(), 0);
    }

    function test_GivenSoulSyncedFromAnOlderEpoch_WhenReputationDiffers_ItShouldOverwrite() external {
        _claim(alice, 1, _defaultLeaves(), 0);
        _claim(bob, 1, _defaultLeaves(), 1);
        Leaf[] memory next = _two(_leaf(0, alice, 1e18, 7), _leaf(1, bob, 1e18, 20));
        _proposeOpen(2, next);
        vm.recordLogs();
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 10, 7);
        _claim(alice, 2, next, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(pool), LOCKED), 0, "no second mint");
        assertEq(pool.reputationOf(alice), 7);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(pool.totalReputation(), 27);
        assertEq(pool.soulCount(), 2);
    }

    function test_GivenSoulSyncedFromAnOlderEpoch_WhenReputationIsEqual_ItShouldOnlyRecordTheEpoch() external {
        _claim(bob, 1, _defaultLeaves(), 1);
        Leaf[] memory next = _one(_leaf(0, bob, 1e18, 20));
        _proposeOpen(2, next);
        vm.recordLogs();
        _claim(bob, 2, next, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(pool), VOTES_CHANGED), 0);
        assertEq(_count(logs, address(pool), LOCKED), 0);
        assertEq(pool.reputationOf(bob), 20);
        assertEq(pool.lastSyncedEpoch(bob), 2);
        assertEq(pool.totalReputation(), 20);
        assertEq(pool.soulCount(), 1);
        assertEq(token.balanceOf(bob), 51e18);
    }

    function test_GivenSoulSyncedFromANewerEpoch_ItShouldPayButNeverOverwrite() external {
        Leaf[] memory next = _one(_leaf(0, alice, 1e18, 99));
        _proposeOpen(2, next);
        _claim(alice, 2, next, 0);
        vm.recordLogs();
        _claim(alice, 1, _defaultLeaves(), 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(pool), VOTES_CHANGED), 0);
        assertEq(_tokenTransfers(logs), 1);
        assertEq(pool.reputationOf(alice), 99);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(token.balanceOf(alice), 101e18);
    }

    function test_RevertWhen_ReputationDoesNotFit64Bits() external {
        uint256 tooLarge = uint256(type(uint64).max) + 1;
        Leaf[] memory leaves = _two(_leaf(0, alice, 1, tooLarge), _leaf(1, bob, 1, type(uint64).max));
        _proposeOpen(2, leaves);
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, tooLarge, type(uint64).max)
        );
        pool.claim(2, 0, alice, 1, tooLarge, proof);
        // The largest value that fits is accepted.
        _claim(bob, 2, leaves, 1);
        assertEq(pool.reputationOf(bob), type(uint64).max);
    }

    function test_RevertWhen_TotalReputationWouldNotFit64Bits() external {
        Leaf[] memory leaves = _two(_leaf(0, alice, 1, type(uint64).max), _leaf(1, bob, 1, 1));
        _proposeOpen(2, leaves);
        _claim(alice, 2, leaves, 0);
        bytes32[] memory proof = _proof(leaves, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISoulboundReputation.ReputationTooLarge.selector,
                uint256(type(uint64).max) + 1,
                type(uint64).max
            )
        );
        pool.claim(2, 1, bob, 1, 1, proof);
    }
}

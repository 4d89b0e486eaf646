// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract Claim_Concrete_Test is Base {
    /// @dev Epoch 1 (the default tree) is claimable: alice 100e18 rep 10, bob 50e18 rep 20, eve 0 rep 5.
    function setUp() public override {
        super.setUp();
        _proposeOpen(1, _defaultLeaves());
    }

    /// @dev Leaf `position` of the default tree (a copy, free to tamper with) and its genuine proof.
    function _genuine(uint256 position) private view returns (Leaf memory, bytes32[] memory) {
        Leaf[] memory leaves = _defaultLeaves();
        return (leaves[position], _proof(leaves, position));
    }

    /// @dev Claims `l` in `epoch` with `proof`, from the current sender.
    function _submit(uint256 epoch, Leaf memory l, bytes32[] memory proof) private {
        pool.claim(epoch, l.index, l.account, l.amount, l.reputation, proof);
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
        _submit(epoch, l, proof);
    }

    /*//////////////////////////////////////////////////////////////
                            EPOCH WINDOW
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_Paused() external {
        _pause();
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        vm.expectRevert(IEpochRewards.EnforcedPause.selector);
        _submit(1, l, proof);
    }

    /// @dev The pause is copied into the epochs open when it begins: a claim that could not succeed anyway reverts with
    /// its own reason, which the pause does not change.
    function test_RevertGiven_Paused_GivenTheEpochWasNotOpenWhenThePauseBegan() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        _expire(1);
        _pause();
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        _submit(1, l, proof);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 7));
        _submit(7, l, proof);
    }

    function test_RevertGiven_EpochWasNeverProposed() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 2));
        _submit(2, l, proof);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 0));
        _submit(0, l, proof);
    }

    /// @dev Also epoch 3, vetoed with epoch 2, and both once their claim windows would have begun.
    function test_RevertGiven_EpochIsVetoed() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        _propose(2, _defaultLeaves());
        _propose(3, _defaultLeaves());
        uint256 claimableAt = pool.getEpoch(3).claimableAt;
        _veto(2);
        for (uint256 epoch = 2; epoch <= 3; ++epoch) {
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, epoch));
            _submit(epoch, l, proof);
        }
        vm.warp(claimableAt);
        for (uint256 epoch = 2; epoch <= 3; ++epoch) {
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, epoch));
            _submit(epoch, l, proof);
        }
        assertEq(token.balanceOf(alice), 0);
    }

    function test_RevertGiven_EpochIsInItsChallengePeriod() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        _propose(2, _defaultLeaves());
        uint256 claimableAt = pool.getEpoch(2).claimableAt;
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochInChallenge.selector, 2, claimableAt));
        _submit(2, l, proof);
        vm.warp(claimableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochInChallenge.selector, 2, claimableAt));
        _submit(2, l, proof);
    }

    function test_RevertGiven_EpochExpired() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.warp(expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        _submit(1, l, proof);
        pool.sweep(1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        _submit(1, l, proof);
    }

    function test_WhenItIsTheFirstOrTheLastSecondOfTheClaimWindow_ItShouldPay() external {
        // setUp left the chain at epoch 1's claimableAt.
        assertEq(block.timestamp, pool.getEpoch(1).claimableAt);
        _claim(bob, 1, _defaultLeaves(), 1);
        assertEq(token.balanceOf(bob), 50e18);
        vm.warp(pool.getEpoch(1).expiresAt - 1);
        _claim(alice, 1, _defaultLeaves(), 0);
        assertEq(token.balanceOf(alice), 100e18);
    }

    /*//////////////////////////////////////////////////////////////
                            LEAF CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_AccountAlreadyClaimedItsLeafOfTheEpoch() external {
        Leaf[] memory leaves = _defaultLeaves();
        // A zero-amount leaf, submitted again by someone else.
        _claim(eve, 1, leaves, 2);
        _expectAlreadyClaimed(1, eve);
        _claim(bob, 1, leaves, 2);
        // A paid leaf (bob's 50e18, alice's 100e18 still unclaimed), submitted again by its account.
        _claim(eve, 1, leaves, 1);
        _expectAlreadyClaimed(1, bob);
        _claim(bob, 1, leaves, 1);
        assertEq(token.balanceOf(bob), 50e18);
        assertEq(pool.getEpoch(1).claimed, 50e18);
    }

    /// @dev Claims are recorded per account: however the first leaf was claimed, the other one never pays.
    function test_RevertGiven_AccountAlreadyClaimedItsLeafOfTheEpoch_GivenAWrongTreeHoldsAnotherLeafOfTheAccount()
        external
    {
        Leaf[] memory twin = _twinLeaves();
        _proposeOpen(2, twin);
        uint256 snapshot = vm.snapshotState();
        for (uint256 first = 0; first < 2; ++first) {
            for (uint256 batched = 0; batched < 2; ++batched) {
                vm.revertToState(snapshot);
                if (batched == 1) {
                    IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](1);
                    batch[0] = _claimOf(2, twin, first);
                    pool.claimMany(batch);
                } else {
                    _claim(2, twin, first);
                }
                _expectAlreadyClaimed(2, alice);
                _claim(2, twin, 1 - first);
                _expectAlreadyClaimed(2, alice);
                _claim(2, twin, first);
                assertEq(token.balanceOf(alice), twin[first].amount);
                assertEq(pool.getEpoch(2).claimed, twin[first].amount);
                assertTrue(pool.isClaimed(2, alice));
                assertEq(pool.reputationOf(alice), twin[first].reputation);
            }
        }
    }

    /// @dev The claimed check comes before the epoch's cap: a second claim says AlreadyClaimed even when less than
    /// the leaf's amount is left in the epoch (here 50e18 < 100e18), not that the tree is wrong.
    function test_RevertGiven_AccountAlreadyClaimedItsLeafOfTheEpoch_WhenLessThanItsAmountIsLeft() external {
        Leaf[] memory leaves = _defaultLeaves();
        _claim(alice, 1, leaves, 0);
        _expectAlreadyClaimed(1, alice);
        _claim(bob, 1, leaves, 0);
        assertEq(token.balanceOf(alice), 100e18);
        assertEq(pool.getEpoch(1).claimed, 100e18);
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
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        l.amount += 1;
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_ReputationIsTampered() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(1);
        l.reputation = 1000;
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_AccountIsWrong() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        l.account = eve;
        vm.prank(eve);
        _expectInvalidProof(1, l, proof);
    }

    function test_RevertWhen_IndexIsWrong() external {
        (Leaf memory l, bytes32[] memory proof) = _genuine(0);
        l.index = 1;
        _expectInvalidProof(1, l, proof);
        // An empty proof for a leaf of a multi-leaf tree is no proof either.
        (Leaf memory genuine, ) = _genuine(0);
        _expectInvalidProof(1, genuine, new bytes32[](0));
        // Once the leaf is claimed, another index for it is still no proof: the index is part of the leaf.
        _claim(1, _defaultLeaves(), 0);
        _expectInvalidProof(1, l, proof);
    }

    /// @dev The leaves of a vetoed tree do not verify against the root proposed again for its epoch.
    function test_RevertWhen_LeafIsOfAVetoedTreeWhoseEpochWasProposedAgain() external {
        Leaf[] memory vetoed = _defaultLeaves();
        Leaf[] memory replacement = _two(_leaf(0, alice, 7e18, 3), _leaf(1, bob, 8e18, 4));
        _propose(2, vetoed);
        _veto(2);
        _proposeOpen(2, replacement);
        for (uint256 i = 0; i < vetoed.length; ++i) {
            _expectInvalidProof(2, vetoed[i], _proof(vetoed, i));
        }
        _claim(2, replacement, 0);
        assertEq(token.balanceOf(alice), 7e18);
        assertEq(pool.getEpoch(2).claimed, 7e18);
    }

    function test_RevertWhen_LeavesOfAWrongTreeSumPastTheTotal() external {
        Leaf[] memory leaves = _two(_leaf(0, alice, 60, 1), _leaf(1, bob, 60, 1));
        _propose(2, leaves, 100);
        _open(2);
        _claim(alice, 2, leaves, 0);
        bytes32[] memory proof = _proof(leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochTotalExceeded.selector, 2, 60, 60, 100));
        pool.claim(2, 1, bob, 60, 1, proof);
        // The other epochs' reservations are untouched: epoch 1 still pays every leaf in full.
        assertEq(pool.getEpoch(2).claimed, 60);
        assertEq(pool.outstanding(), _sum(_defaultLeaves()) + 40);
        assertFalse(pool.isClaimed(2, bob));
        Leaf[] memory first = _defaultLeaves();
        for (uint256 i = 0; i < first.length; ++i) _claim(1, first, i);
        assertEq(pool.getEpoch(1).claimed, _sum(first));
        assertEq(token.balanceOf(bob), first[1].amount);
        assertEq(pool.outstanding(), 40);
    }

    function test_RevertWhen_LeafReputationDoesNotFit64Bits() external {
        uint256 tooLarge = MAX_REPUTATION + 1;
        Leaf[] memory leaves = _two(_leaf(0, alice, 1, tooLarge), _leaf(1, bob, 1, MAX_REPUTATION));
        _propose(2, leaves, 2, MAX_REPUTATION);
        _open(2);
        bytes32[] memory proof = _proof(leaves, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, tooLarge, MAX_REPUTATION)
        );
        pool.claim(2, 0, alice, 1, tooLarge, proof);
        assertFalse(pool.isClaimed(2, alice));
        // The largest value that fits is accepted.
        _claim(bob, 2, leaves, 1);
        assertEq(pool.reputationOf(bob), MAX_REPUTATION);
    }

    function test_WhenTwoLeavesCarry2Pow64Minus1Each_ItShouldAcceptBoth() external {
        Leaf[] memory leaves = _two(_leaf(0, alice, 1, MAX_REPUTATION), _leaf(1, bob, 1, MAX_REPUTATION));
        _propose(2, leaves, 2, MAX_REPUTATION);
        _open(2);
        _claim(2, leaves, 0);
        _claim(2, leaves, 1);
        assertEq(pool.reputationOf(alice), MAX_REPUTATION);
        assertEq(pool.reputationOf(bob), MAX_REPUTATION);
        assertEq(pool.totalReputation(), MAX_REPUTATION);
    }

    function test_RevertWhen_LeafAccountIsTheZeroAddress() external {
        Leaf[] memory leaves = _one(_leaf(0, address(0), 0, 7));
        _proposeOpen(2, leaves);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        _claim(bob, 2, leaves, 0);
        // Not even a zero reputation mints there.
        Leaf[] memory zero = _one(_leaf(0, address(0), 0, 0));
        _proposeOpen(3, zero);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        _claim(bob, 3, zero, 0);
        assertFalse(pool.isClaimed(2, address(0)));
        assertFalse(pool.isClaimed(3, address(0)));
        assertFalse(pool.hasSoul(address(0)));
        assertEq(pool.soulCount(), 0);
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
        assertTrue(pool.isClaimed(1, alice));
        assertFalse(pool.isClaimed(1, eve));
        assertEq(pool.getEpoch(1).claimed, 100e18);
        assertEq(pool.available(), availableBefore);
        assertEq(pool.outstanding(), _sum(leaves) - 100e18);
        // The score is the leaf account's too: the caller gets no soul.
        assertEq(pool.reputationOf(alice), 10);
        assertFalse(pool.hasSoul(eve));
        assertEq(pool.reputationOf(eve), 0);
    }

    function test_WhenAmountIsZero_ItShouldTransferNoTokensAndStillApplyTheReputation() external {
        vm.recordLogs();
        _claim(bob, 1, _defaultLeaves(), 2); // eve's leaf: amount 0, reputation 5
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_tokenTransfers(logs), 0);
        assertTrue(pool.isClaimed(1, eve));
        assertTrue(pool.hasSoul(eve));
        assertEq(pool.reputationOf(eve), 5);
    }

    /*//////////////////////////////////////////////////////////////
                            REPUTATION
    //////////////////////////////////////////////////////////////*/

    function test_GivenAccountHasNoSoul_ItShouldMintTheSoul() external {
        uint256 id = _tokenId(alice);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(1, 0, alice, 100e18);
        _expectMint(alice, 10);
        _claim(alice, 1, _defaultLeaves(), 0);

        _assertAnchor(alice, 10, 1, block.timestamp);
        _assertClaims(alice, 1, 1, 0);
        assertFalse(pool.soulRecord(alice).recoveredAway);
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
    }

    function test_GivenNewerEpochsAreFinalAlready_ItShouldCountTheDecayedReputation() external {
        _propose(2, _idleLeaves());
        _propose(3, _idleLeaves());
        _open(3);
        assertEq(pool.finalEpochAt(block.timestamp), 3);
        // 10 claimed at epoch 1 is worth decay(10, 2) = floor(floor(10 * 0.9) * 0.9) = 8 now.
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 0, 8);
        _claim(alice, 1, _defaultLeaves(), 0);
        _assertAnchor(alice, 10, 1, block.timestamp);
        assertEq(pool.reputationOf(alice), 8);
        assertEq(pool.lastSyncedEpoch(alice), 1);
    }

    function test_WhenReputationIsZero_ItShouldMintWithoutDelegateVotesChanged() external {
        Leaf[] memory leaves = _one(_leaf(0, eve, 3, 0));
        _proposeOpen(2, leaves);
        vm.recordLogs();
        _expectMint(eve, 0);
        _claim(eve, 2, leaves, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, VOTES_CHANGED), 0);
        assertTrue(pool.hasSoul(eve));
        assertEq(pool.reputationOf(eve), 0);
        assertEq(pool.lastSyncedEpoch(eve), 2);
        assertEq(pool.soulCount(), 1);
        assertEq(token.balanceOf(eve), 3);
    }

    function test_WhenReputationEqualsTheAnchorDecayedToTheEpoch_ItShouldKeepTheAnchorAndEmitNothing() external {
        _claim(alice, 1, _defaultLeaves(), 0);
        uint256 since = block.timestamp;
        // Epoch 2 pays alice but her reputation only decayed: 9 = decay(10, 1).
        Leaf[] memory next = _one(_leaf(0, alice, 1e18, 9));
        _proposeOpen(2, next);
        assertEq(pool.reputationOf(alice), 9);
        vm.recordLogs();
        _claim(alice, 2, next, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _assertNoScoreChange(logs);
        assertEq(_count(logs, LOCKED), 0, "no second mint");
        assertEq(_tokenTransfers(logs), 1);

        _assertAnchor(alice, 10, 1, since);
        _assertClaims(alice, 2, 3, 0);
        assertEq(pool.reputationOf(alice), 9);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(token.balanceOf(alice), 101e18);
    }

    function test_WhenReputationDiffersFromTheAnchorDecayedToTheEpoch_ItShouldSetTheAnchor() external {
        _claim(alice, 1, _defaultLeaves(), 0);
        _claim(bob, 1, _defaultLeaves(), 1);
        uint256 firstClaim = block.timestamp;
        // alice gains (15 > 9), bob loses more than the decay (17 < 18).
        Leaf[] memory next = _two(_leaf(0, alice, 1e18, 15), _leaf(1, bob, 1e18, 17));
        _proposeOpen(2, next);
        skip(1 hours);

        vm.expectEmit(address(pool));
        emit IERC4906.MetadataUpdate(_tokenId(alice));
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 9, 15);
        vm.recordLogs();
        _claim(alice, 2, next, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, LOCKED), 0, "no second mint");
        assertEq(_count(logs, METADATA_UPDATE), 1);
        assertEq(_count(logs, VOTES_CHANGED), 1);

        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(bob, 18, 17);
        _claim(bob, 2, next, 1);

        _assertAnchor(alice, 15, 2, block.timestamp);
        assertEq(pool.soulRecord(alice).historyLength, 1);
        assertEq(pool.reputationOf(alice), 15);
        assertEq(pool.reputationOf(bob), 17);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(pool.soulCount(), 2);
        // The replaced anchor still answers for the past.
        assertEq(pool.getPastVotes(alice, firstClaim), 10);
        assertEq(pool.getPastVotes(alice, block.timestamp - 1), 9);
    }

    function test_WhenTheScoreNowStaysTheSame_ItShouldEmitMetadataUpdateButNoDelegateVotesChanged() external {
        _proposeOpenAndClaim(2, _one(_leaf(0, alice, 1, 1000)), 1);
        // Epoch 3's leaf carries 901, not decay(1000, 1) = 900; once epoch 4 is final both anchors are worth 810.
        Leaf[] memory next = _one(_leaf(0, alice, 1, 901));
        _propose(3, next);
        _propose(4, _idleLeaves());
        _open(4);
        assertEq(pool.reputationOf(alice), 810);
        vm.expectEmit(address(pool));
        emit IERC4906.MetadataUpdate(_tokenId(alice));
        vm.recordLogs();
        _claim(alice, 3, next, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, VOTES_CHANGED), 0);
        _assertAnchor(alice, 901, 3, block.timestamp);
        assertEq(pool.reputationOf(alice), 810);
        assertEq(pool.soulRecord(alice).historyLength, 1);
    }

    function test_GivenAccountClaimedANewerEpoch_ItShouldPayButLeaveTheScore() external {
        _proposeOpenAndClaim(2, _one(_leaf(0, alice, 1e18, 99)), 1);
        uint256 since = block.timestamp;
        skip(1 hours);
        vm.recordLogs();
        _claim(alice, 1, _defaultLeaves(), 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _assertNoScoreChange(logs);
        assertEq(_tokenTransfers(logs), 1);
        _assertAnchor(alice, 99, 2, since);
        assertEq(pool.reputationOf(alice), 99);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertTrue(pool.isClaimed(1, alice));
        assertTrue(pool.isClaimed(2, alice));
        assertEq(token.balanceOf(alice), 101e18);
    }
}

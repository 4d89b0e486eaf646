// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract ClaimMany_Concrete_Test is Base {
    Leaf[] private _e1;
    Leaf[] private _e2;
    Leaf[] private _e3;

    /// @dev Three epochs claimable (and final) at once:
    /// 1: alice 100e18 rep 10, bob 50e18 rep 20, eve 0 rep 5
    /// 2: alice 30e18 rep 12, bob 40e18 rep 25
    /// 3: alice 0 rep 11, eve 5e18 rep 6
    /// Scores decay 10% an epoch from their anchor's epoch to epoch 3.
    function setUp() public override {
        super.setUp();
        Leaf[] memory e1 = _defaultLeaves();
        Leaf[] memory e2 = _two(_leaf(0, alice, 30e18, 12), _leaf(1, bob, 40e18, 25));
        Leaf[] memory e3 = _two(_leaf(0, alice, 0, 11), _leaf(1, eve, 5e18, 6));
        for (uint256 i = 0; i < e1.length; ++i) _e1.push(e1[i]);
        for (uint256 i = 0; i < e2.length; ++i) _e2.push(e2[i]);
        for (uint256 i = 0; i < e3.length; ++i) _e3.push(e3[i]);
        _propose(1, e1);
        _propose(2, e2);
        _propose(3, e3);
        _open(3);
    }

    function _c(uint256 epoch, uint256 position) private view returns (IEpochRewards.Claim memory) {
        Leaf[] memory leaves =
            epoch == 1
                ? _e1
                : epoch == 2
                    ? _e2
                    : _e3;
        return _claimOf(epoch, leaves, position);
    }

    function _batch(IEpochRewards.Claim memory a) private pure returns (IEpochRewards.Claim[] memory batch) {
        batch = new IEpochRewards.Claim[](1);
        batch[0] = a;
    }

    /// @dev The claims `_c(epoch, position)` of six picks, each written `epoch * 10 + position`, in order.
    function _batchOf(uint256[6] memory picks) private view returns (IEpochRewards.Claim[] memory batch) {
        batch = new IEpochRewards.Claim[](picks.length);
        for (uint256 i = 0; i < picks.length; ++i) batch[i] = _c(picks[i] / 10, picks[i] % 10);
    }

    function test_RevertGiven_Paused() external {
        _pause();
        vm.expectRevert(IEpochRewards.EnforcedPause.selector);
        pool.claimMany(_batch(_c(1, 0)));
    }

    function test_RevertWhen_BatchIsEmpty() external {
        vm.expectRevert(IEpochRewards.EmptyBatch.selector);
        pool.claimMany(new IEpochRewards.Claim[](0));
    }

    function test_RevertWhen_AnyClaimFails() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(1, 0);
        batch[1] = _c(2, 0);
        batch[2] = _c(1, 1);
        batch[2].amount += 1;
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InvalidProof.selector, 1, 1, bob, 50e18 + 1, 20));
        pool.claimMany(batch);

        // The same leaf twice in one batch.
        batch[0] = _c(1, 2);
        batch[1] = _c(2, 0);
        batch[2] = _c(1, 2);
        _expectAlreadyClaimed(1, eve);
        pool.claimMany(batch);

        // A leaf of a wrong tree past its epoch's total, after valid claims.
        Leaf[] memory bad = _two(_leaf(0, alice, 60, 1), _leaf(1, bob, 60, 1));
        _propose(4, bad, 100);
        _open(4);
        batch[0] = _c(1, 0);
        batch[1] = _claimOf(4, bad, 0);
        batch[2] = _claimOf(4, bad, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochTotalExceeded.selector, 4, 60, 60, 100));
        pool.claimMany(batch);

        // A leaf of a vetoed epoch, after valid claims.
        _propose(5, bad);
        _veto(5);
        batch[2] = _claimOf(5, bad, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 5));
        pool.claimMany(batch);

        // A leaf of an expired epoch (epochs 1 to 3 expire together, epoch 4 later), after a valid claim.
        uint256 expiresAt = pool.getEpoch(1).expiresAt;
        vm.warp(expiresAt);
        batch[0] = _claimOf(4, bad, 0);
        batch[1] = _c(1, 0);
        batch[2] = _c(2, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, expiresAt));
        pool.claimMany(batch);

        assertFalse(pool.isClaimed(1, eve));
        assertFalse(pool.isClaimed(1, alice));
        assertFalse(pool.isClaimed(2, alice));
        assertEq(pool.getEpoch(1).claimed, 0);
        assertEq(pool.getEpoch(4).claimed, 0);
        assertEq(token.balanceOf(alice), 0);
        assertFalse(pool.hasSoul(alice));
        assertFalse(pool.hasSoul(eve));
    }

    /// @dev Say a front-runner claimed one leaf of someone's batch: the whole batch reverts, and the batch without it
    /// (filtered with isClaimed) pays.
    function test_RevertWhen_ALeafOfTheBatchWasClaimedBefore() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(1, 0); // alice
        batch[1] = _c(1, 1); // bob
        batch[2] = _c(2, 0); // alice
        _claim(1, _e1, 1);
        _expectAlreadyClaimed(1, bob);
        pool.claimMany(batch);
        assertFalse(pool.isClaimed(1, alice));
        assertFalse(pool.isClaimed(2, alice));
        assertEq(token.balanceOf(alice), 0);
        assertEq(token.balanceOf(bob), 50e18);

        IEpochRewards.Claim[] memory unclaimed = new IEpochRewards.Claim[](2);
        uint256 n = 0;
        for (uint256 i = 0; i < batch.length; ++i) {
            if (!pool.isClaimed(batch[i].epoch, batch[i].account)) unclaimed[n++] = batch[i];
        }
        assertEq(n, 2);
        pool.claimMany(unclaimed);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(bob), 50e18);
        assertEq(pool.getEpoch(1).claimed, 150e18);
    }

    /// @dev Claims are recorded per account: a second leaf of the account never pays, in a run of its leaves, split
    /// by another account's claim, or after the first one was claimed.
    function test_RevertGiven_AWrongTreeHoldsTwoLeavesOfOneAccount() external {
        Leaf[] memory twin = _twinLeaves(); // alice at 0 and 1, bob at 2
        _propose(4, twin);
        _open(4);
        IEpochRewards.Claim[] memory run = new IEpochRewards.Claim[](2);
        run[0] = _claimOf(4, twin, 0);
        run[1] = _claimOf(4, twin, 1);
        _expectAlreadyClaimed(4, alice);
        pool.claimMany(run);
        IEpochRewards.Claim[] memory split = new IEpochRewards.Claim[](3);
        split[0] = _claimOf(4, twin, 1);
        split[1] = _claimOf(4, twin, 2);
        split[2] = _claimOf(4, twin, 0);
        _expectAlreadyClaimed(4, alice);
        pool.claimMany(split);
        assertEq(token.balanceOf(alice), 0);
        assertFalse(pool.isClaimed(4, alice));
        assertEq(pool.getEpoch(4).claimed, 0);

        _claim(4, twin, 1);
        for (uint256 i = 0; i < 2; ++i) {
            _expectAlreadyClaimed(4, alice);
            pool.claimMany(_batch(_claimOf(4, twin, i)));
        }
        assertEq(token.balanceOf(alice), 3e18);
        assertEq(pool.getEpoch(4).claimed, 3e18);
        assertTrue(pool.isClaimed(4, alice));
        assertEq(pool.reputationOf(alice), 300);
    }

    function test_WhenOneAccountClaimsSeveralEpochsInARow_ItShouldPayOnceAndAnchorTheNewest() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(1, 0);
        batch[1] = _c(3, 0); // newest epoch in the middle of the run
        batch[2] = _c(2, 0);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(1, 0, alice, 100e18);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(3, 0, alice, 0);
        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(2, 0, alice, 30e18);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 0, 11);
        uint256 poolBalance = token.balanceOf(address(pool));
        vm.recordLogs();
        vm.prank(eve);
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(_tokenTransfers(logs), 1);
        assertEq(_count(logs, VOTES_CHANGED), 1);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(address(pool)), poolBalance - 130e18);
        _assertAnchor(alice, 11, 3, block.timestamp);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.lastSyncedEpoch(alice), 3);
        assertTrue(pool.isClaimed(1, alice) && pool.isClaimed(2, alice) && pool.isClaimed(3, alice));
        assertEq(pool.soulRecord(alice).claimedEpochs, 7);
    }

    function test_WhenBatchMixesAccounts_ItShouldTransferOncePerRun() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](6);
        batch[0] = _c(1, 0); // alice  \ run 1
        batch[1] = _c(2, 0); // alice  /
        batch[2] = _c(1, 1); // bob    \ run 2
        batch[3] = _c(2, 1); // bob    /
        batch[4] = _c(1, 2); // eve    \ run 3
        batch[5] = _c(3, 1); // eve    /
        vm.recordLogs();
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(_tokenTransfers(logs), 3);
        assertEq(_count(logs, CLAIMED), 6);
        assertEq(_count(logs, VOTES_CHANGED), 3);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(bob), 90e18);
        assertEq(token.balanceOf(eve), 5e18);
        // Anchored at epoch 2, decayed once to epoch 3.
        assertEq(pool.reputationOf(alice), 10); // decay(12, 1)
        assertEq(pool.reputationOf(bob), 22); // decay(25, 1)
        assertEq(pool.reputationOf(eve), 6);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(pool.lastSyncedEpoch(bob), 2);
        assertEq(pool.lastSyncedEpoch(eve), 3);
        assertEq(pool.soulCount(), 3);
    }

    function test_GivenAnAccountAppearsInTwoRuns_ItShouldApplyEachRunInTurn() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](4);
        batch[0] = _c(2, 0); // alice, epoch 2 (rep 12, worth 10 at epoch 3)
        batch[1] = _c(1, 1); // bob (rep 20, worth 16 at epoch 3)
        batch[2] = _c(1, 0); // alice again, epoch 1: older, pays only
        batch[3] = _c(3, 0); // alice, epoch 3 (rep 11), same run: the newest sets the anchor
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 0, 10);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(bob, 0, 16);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 10, 11);
        vm.recordLogs();
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(_tokenTransfers(logs), 3);
        assertEq(_count(logs, VOTES_CHANGED), 3);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(bob), 50e18);
        _assertAnchor(alice, 11, 3, block.timestamp);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.lastSyncedEpoch(alice), 3);
    }

    function test_GivenAnAccountAppearsInTwoRuns_WhenTheLaterRunIsOlder_ItShouldKeepTheNewerAnchor() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(2, 0); // alice, epoch 2 (rep 12)
        batch[1] = _c(1, 1); // bob
        batch[2] = _c(1, 0); // alice, epoch 1 (rep 10): a run of its own, older
        pool.claimMany(batch);
        _assertAnchor(alice, 12, 2, block.timestamp);
        assertEq(pool.reputationOf(alice), 10);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertTrue(pool.isClaimed(1, alice));
        assertEq(token.balanceOf(alice), 130e18);
    }

    function test_WhenARunOwesNothing_ItShouldMakeNoTransferAndStillApplyItsReputation() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](2);
        batch[0] = _c(3, 0); // alice, 0
        batch[1] = _c(1, 2); // eve, 0
        vm.recordLogs();
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_tokenTransfers(logs), 0);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.reputationOf(eve), 3); // decay(5, 2)
        assertEq(pool.soulCount(), 2);
    }

    /*//////////////////////////////////////////////////////////////
                    SAME RESULT AS SINGLE CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @dev Everything a claim can change, for alice, bob and eve, with `past` a timepoint before the claims.
    function _outcome(uint256 past) private view returns (bytes memory out) {
        address[3] memory accounts = [alice, bob, eve];
        for (uint256 i = 0; i < accounts.length; ++i) {
            address a = accounts[i];
            out = bytes.concat(
                out,
                abi.encode(pool.soulRecord(a), pool.reputationOf(a), token.balanceOf(a), pool.lastSyncedEpoch(a)),
                abi.encode(pool.getPastVotes(a, past), pool.hasSoul(a))
            );
            for (uint256 epoch = 1; epoch <= 3; ++epoch) {
                out = bytes.concat(out, abi.encode(pool.isClaimed(epoch, a)));
            }
        }
        for (uint256 epoch = 1; epoch <= 3; ++epoch) {
            out = bytes.concat(out, abi.encode(pool.getEpoch(epoch)));
        }
        out = bytes.concat(out, abi.encode(pool.soulCount(), pool.available(), token.balanceOf(address(pool))));
    }

    /// @dev Claims `batch` with claimMany, then (from the same state) leaf by leaf, and compares the outcomes.
    /// Bob claimed his leaf of epoch 1 an hour before, so that his anchor of epoch 2 pushes one into the history.
    function _assertSameAsSingleClaims(IEpochRewards.Claim[] memory batch) private {
        _claim(1, _e1, 1);
        uint256 past = block.timestamp;
        skip(1 hours);

        uint256 snapshot = vm.snapshotState();
        vm.prank(eve);
        pool.claimMany(batch);
        skip(1);
        bytes memory batched = _outcome(past);

        vm.revertToState(snapshot);
        for (uint256 i = 0; i < batch.length; ++i) {
            IEpochRewards.Claim memory c = batch[i];
            vm.prank(eve);
            pool.claim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
        }
        skip(1);
        assertEq(_outcome(past), batched);
        assertEq(pool.soulRecord(bob).historyLength, 1);
    }

    function test_ItShouldLeaveTheSameStateAsSingleClaims_InEpochOrder() external {
        // alice, eve, alice, bob, alice, eve
        _assertSameAsSingleClaims(_batchOf([uint256(10), 12, 20, 21, 30, 31]));
    }

    function test_ItShouldLeaveTheSameStateAsSingleClaims_NewestFirstInRuns() external {
        // alice, alice, alice, bob, eve, eve
        _assertSameAsSingleClaims(_batchOf([uint256(30), 10, 20, 21, 31, 12]));
    }

    function test_ItShouldLeaveTheSameStateAsSingleClaims_Interleaved() external {
        // eve, alice, bob, eve, alice, alice
        _assertSameAsSingleClaims(_batchOf([uint256(12), 20, 21, 31, 10, 30]));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract ClaimMany_Concrete_Test is Base {
    bytes32 private constant VOTES_CHANGED = keccak256("DelegateVotesChanged(address,uint256,uint256)");
    bytes32 private constant CLAIMED = keccak256("Claimed(uint256,uint256,address,uint256)");

    Leaf[] private _e1;
    Leaf[] private _e2;
    Leaf[] private _e3;

    /// @dev Three epochs claimable at once:
    /// 1: alice 100e18 rep 10, bob 50e18 rep 20, eve 0 rep 5
    /// 2: alice 30e18 rep 12, bob 40e18 rep 25
    /// 3: alice 0 rep 11, eve 5e18 rep 6
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

    function _count(Vm.Log[] memory logs, bytes32 topic) private view returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(pool) && logs[i].topics[0] == topic) ++n;
        }
    }

    function test_RevertGiven_Paused() external {
        vm.prank(guardian);
        pool.pause();
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](1);
        batch[0] = _c(1, 0);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        pool.claimMany(batch);
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
        batch[2] = _c(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.AlreadyClaimed.selector, 1, 0));
        pool.claimMany(batch);

        assertFalse(pool.isClaimed(1, 0));
        assertFalse(pool.isClaimed(2, 0));
        assertEq(token.balanceOf(alice), 0);
        assertFalse(pool.hasSoul(alice));
    }

    function test_RevertWhen_AClaimExceedsItsEpochTotal() external {
        Leaf[] memory bad = _two(_leaf(0, alice, 60, 1), _leaf(1, bob, 60, 1));
        _propose(4, bad, 100);
        _open(4);
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(1, 0);
        batch[1] = _claimOf(4, bad, 0);
        batch[2] = _claimOf(4, bad, 1);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochTotalExceeded.selector, 4, 60, 60, 100));
        pool.claimMany(batch);
    }

    function test_WhenOneAccountClaimsSeveralEpochsInARow_ItShouldPayOnceAndSyncFromTheNewest() external {
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
        vm.recordLogs();
        vm.prank(eve);
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(_tokenTransfers(logs), 1);
        assertEq(_count(logs, VOTES_CHANGED), 1);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.lastSyncedEpoch(alice), 3);
        assertTrue(pool.isClaimed(1, 0) && pool.isClaimed(2, 0) && pool.isClaimed(3, 0));
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
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(bob), 90e18);
        assertEq(token.balanceOf(eve), 5e18);
        assertEq(pool.reputationOf(alice), 12);
        assertEq(pool.reputationOf(bob), 25);
        assertEq(pool.reputationOf(eve), 6);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(pool.lastSyncedEpoch(bob), 2);
        assertEq(pool.lastSyncedEpoch(eve), 3);
        assertEq(pool.totalReputation(), 43);
        assertEq(pool.soulCount(), 3);
    }

    function test_GivenAnAccountAppearsInTwoRuns_ItShouldSyncEachRunNeverGoingBack() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](4);
        batch[0] = _c(2, 0); // alice, epoch 2 (rep 12)
        batch[1] = _c(1, 1); // bob
        batch[2] = _c(1, 0); // alice again, epoch 1 (rep 10): older, must not overwrite
        batch[3] = _c(3, 0); // alice, epoch 3 (rep 11), same run: newest wins
        vm.recordLogs();
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertEq(_tokenTransfers(logs), 3);
        assertEq(token.balanceOf(alice), 130e18);
        assertEq(token.balanceOf(bob), 50e18);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.lastSyncedEpoch(alice), 3);
        // alice: 0 -> 12, bob: 0 -> 20, alice: 12 -> 11.
        assertEq(_count(logs, VOTES_CHANGED), 3);
    }

    function test_GivenAnAccountAppearsInTwoRuns_WhenTheLaterRunIsOlder_ItShouldKeepTheNewer() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](3);
        batch[0] = _c(2, 0); // alice, epoch 2 (rep 12)
        batch[1] = _c(1, 1); // bob
        batch[2] = _c(1, 0); // alice, epoch 1 (rep 10): a run of its own, older
        pool.claimMany(batch);
        assertEq(pool.reputationOf(alice), 12);
        assertEq(pool.lastSyncedEpoch(alice), 2);
        assertEq(token.balanceOf(alice), 130e18);
    }

    function test_WhenARunOwesNothing_ItShouldMakeNoTransferAndStillSync() external {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](2);
        batch[0] = _c(3, 0); // alice, 0
        batch[1] = _c(1, 2); // eve, 0
        vm.recordLogs();
        pool.claimMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_tokenTransfers(logs), 0);
        assertEq(pool.reputationOf(alice), 11);
        assertEq(pool.reputationOf(eve), 5);
        assertEq(pool.soulCount(), 2);
    }
}

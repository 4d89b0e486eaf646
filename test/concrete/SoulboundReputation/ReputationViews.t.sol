// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract ReputationViews_Concrete_Test is Base {
    uint256 private claimedAt;

    /// @dev Epoch 1 (the default tree) is final: alice (10) and bob (20) claimed it; eve (5) did not.
    function setUp() public override {
        super.setUp();
        _proposeOpenAndClaim(1, _defaultLeaves(), 2);
        claimedAt = block.timestamp;
    }

    function test_GivenNeverClaimed() external {
        assertEq(pool.reputationOf(eve), 0);
        assertEq(pool.lastSyncedEpoch(eve), 0);
        assertEq(pool.balanceOf(eve), 0);
        assertFalse(pool.hasSoul(eve));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, eve));
        pool.soulOf(eve);
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(eve);
        assertEq(r.value, 0);
        assertEq(r.anchorEpoch, 0);
        assertEq(r.since, 0);
        assertEq(r.lastClaimedEpoch, 0);
        assertEq(r.claimedEpochs, 0);
        assertEq(r.historyLength, 0);
        assertFalse(r.recoveredAway);
    }

    function test_GivenASoul() external {
        assertEq(pool.reputationOf(bob), 20);
        assertEq(pool.lastSyncedEpoch(bob), 1);
        assertTrue(pool.hasSoul(bob));
        assertEq(pool.soulOf(bob), uint256(uint160(bob)));
        // Decayed as epochs become final: decay(20, 1) = 18.
        _propose(2, _idleLeaves());
        assertEq(pool.reputationOf(bob), 20);
        _open(2);
        assertEq(pool.reputationOf(bob), 18);
        assertEq(pool.lastSyncedEpoch(bob), 1);
    }

    function test_GivenASoul_SoulRecord() external {
        // bob claims epochs 2 (a raise) and 4 (a decay-only leaf), skipping 3.
        Leaf[] memory e2 = _one(_leaf(0, bob, 1, 30));
        Leaf[] memory e4 = _one(_leaf(0, bob, 1, 24)); // decay(30, 2) = 24
        _propose(2, e2);
        _propose(3, _idleLeaves());
        _propose(4, e4);
        _open(4);
        _claim(2, e2, 0);
        uint256 raisedAt = block.timestamp;
        skip(1 hours);
        _claim(4, e4, 0);
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(bob);
        assertEq(r.value, 30);
        assertEq(r.anchorEpoch, 2);
        assertEq(r.since, raisedAt);
        assertEq(r.lastClaimedEpoch, 4);
        assertEq(r.claimedEpochs, 0xd); // epochs 4, 2 and 1: bits 0, 2 and 3
        assertEq(r.historyLength, 1);
        assertFalse(r.recoveredAway);
        assertEq(pool.reputationOf(bob), 24);
        assertEq(pool.lastSyncedEpoch(bob), 4);
        assertGt(raisedAt, claimedAt);
    }

    function test_GivenRecoveredAway() external {
        _recover(bob, eve);
        assertFalse(pool.hasSoul(bob));
        assertEq(pool.lastSyncedEpoch(bob), 0);
        assertEq(pool.reputationOf(bob), 0);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, bob));
        pool.soulOf(bob);
        assertEq(pool.soulOf(eve), uint256(uint160(eve)));
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(bob);
        assertTrue(r.recoveredAway);
        assertEq(r.value, 0);
    }

    function test_TotalReputation_GivenNoEpochIsFinal_ItShouldReturnZero() external {
        // A pool of its own, with no final epoch.
        _usePool(DECAY_BPS);
        assertEq(pool.totalReputation(), 0);
        _propose(1, _defaultLeaves(), 0, 500);
        assertEq(pool.totalReputation(), 0);
        _open(1);
        assertEq(pool.totalReputation(), 500);
    }

    function test_TotalReputation_GivenEpochsAreFinal_ItShouldReturnTheReputationTotalOfTheNewestFinal() external {
        assertEq(pool.totalReputation(), 35); // epoch 1: 10 + 20 + 5, eve's leaf unclaimed
        _propose(2, _idleLeaves(), 0, 1000);
        assertEq(pool.totalReputation(), 35);
        _open(2);
        assertEq(pool.totalReputation(), 1000);
        // Independent of the claims: not the sum of the souls' scores.
        _claim(1, _defaultLeaves(), 2);
        assertEq(pool.totalReputation(), 1000);
    }

    function test_SoulCount() external {
        assertEq(pool.soulCount(), 2);
        _claim(eve, 1, _defaultLeaves(), 2);
        assertEq(pool.soulCount(), 3);
        // A second claim of an account mints nothing.
        _proposeOpenAndClaim(2, _one(_leaf(0, eve, 1, 40)), 1);
        assertEq(pool.soulCount(), 3);
        // A recovery moves a soul.
        _recover(eve, makeAddr("fresh"));
        assertEq(pool.soulCount(), 3);
    }
}

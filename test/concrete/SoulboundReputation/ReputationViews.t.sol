// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract ReputationViews_Concrete_Test is Base {
    function setUp() public override {
        super.setUp();
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        _claim(alice, 1, leaves, 1);
    }

    function test_GivenNeverASoul() external {
        assertEq(pool.reputationOf(eve), 0);
        assertEq(pool.lastSyncedEpoch(eve), 0);
        assertEq(pool.balanceOf(eve), 0);
        assertFalse(pool.hasSoul(eve));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, eve));
        pool.soulOf(eve);
    }

    function test_GivenASoul() external view {
        assertEq(pool.reputationOf(bob), 20);
        assertEq(pool.lastSyncedEpoch(bob), 1);
        assertTrue(pool.hasSoul(bob));
        assertEq(pool.soulOf(bob), uint256(uint160(bob)));
    }

    function test_GivenRecoveredAway() external {
        vm.prank(recovery);
        pool.recoverSoul(bob, eve);
        assertFalse(pool.hasSoul(bob));
        assertEq(pool.lastSyncedEpoch(bob), 0);
        assertEq(pool.reputationOf(bob), 0);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, bob));
        pool.soulOf(bob);
        assertEq(pool.soulOf(eve), uint256(uint160(eve)));
    }

    function test_TotalReputationAndSoulCount() external {
        assertEq(pool.totalReputation(), 30);
        assertEq(pool.soulCount(), 2);
        _claim(eve, 1, _defaultLeaves(), 2);
        assertEq(pool.totalReputation(), 35);
        assertEq(pool.soulCount(), 3);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {Base} from "../../utils/Base.t.sol";

contract DefaultAdmin_Concrete_Test is Base {
    address private newAdmin;

    function setUp() public override {
        super.setUp();
        newAdmin = makeAddr("newAdmin");
    }

    function _begin() private returns (uint48 schedule) {
        schedule = uint48(block.timestamp) + ADMIN_DELAY;
        vm.prank(admin);
        pool.beginDefaultAdminTransfer(newAdmin);
    }

    function test_Begin_RevertWhen_CallerIsNotTheAdmin() external {
        _expectUnauthorized(guardian, bytes32(0));
        pool.beginDefaultAdminTransfer(guardian);
    }

    function test_Begin_WhenCallerIsTheAdmin_ItShouldScheduleTheTransfer() external {
        uint48 schedule = uint48(block.timestamp) + ADMIN_DELAY;
        vm.expectEmit(address(pool));
        emit IAccessControlDefaultAdminRules.DefaultAdminTransferScheduled(newAdmin, schedule);
        _begin();
        (address pending, uint48 at) = pool.pendingDefaultAdmin();
        assertEq(pending, newAdmin);
        assertEq(at, schedule);
        assertEq(pool.defaultAdmin(), admin);
    }

    function test_Accept_RevertWhen_CallerIsNotThePendingAdmin() external {
        _begin();
        skip(ADMIN_DELAY + 1);
        vm.prank(eve);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, eve)
        );
        pool.acceptDefaultAdminTransfer();
    }

    function test_Accept_RevertGiven_DelayHasNotPassed() external {
        uint48 schedule = _begin();
        bytes memory err = abi.encodeWithSelector(
            IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
            schedule
        );
        vm.prank(newAdmin);
        vm.expectRevert(err);
        pool.acceptDefaultAdminTransfer();
        vm.warp(schedule);
        vm.prank(newAdmin);
        vm.expectRevert(err);
        pool.acceptDefaultAdminTransfer();
    }

    function test_Accept_GivenDelayHasPassed_ItShouldMoveTheRole() external {
        uint48 schedule = _begin();
        vm.warp(schedule + 1);
        vm.expectEmit(address(pool));
        emit IAccessControl.RoleRevoked(bytes32(0), admin, newAdmin);
        vm.expectEmit(address(pool));
        emit IAccessControl.RoleGranted(bytes32(0), newAdmin, newAdmin);
        vm.prank(newAdmin);
        pool.acceptDefaultAdminTransfer();

        assertEq(pool.defaultAdmin(), newAdmin);
        assertTrue(pool.hasRole(bytes32(0), newAdmin));
        assertFalse(pool.hasRole(bytes32(0), admin));

        vm.prank(newAdmin);
        pool.withdraw(newAdmin, 1);
        assertEq(token.balanceOf(newAdmin), 1);
        _expectUnauthorized(admin, bytes32(0));
        pool.withdraw(admin, 1);
        // The new admin manages the other roles.
        bytes32 proposerRole = pool.PROPOSER_ROLE();
        vm.prank(newAdmin);
        pool.revokeRole(proposerRole, proposer);
        assertFalse(pool.hasRole(proposerRole, proposer));
    }

    function test_GrantRole_RevertWhen_RoleIsDefaultAdmin() external {
        vm.prank(admin);
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        pool.grantRole(bytes32(0), eve);
    }
}

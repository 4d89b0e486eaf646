// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract VetoEpoch_Concrete_Test is Base {
    function test_RevertWhen_CallerIsNotTheGuardian() external {
        _propose(1, _defaultLeaves());
        bytes32 role = pool.GUARDIAN_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, proposer, eve][i];
            vm.prank(caller);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role)
            );
            pool.vetoEpoch(1, "no");
        }
    }

    function test_RevertGiven_EpochWasNeverProposed() external {
        vm.startPrank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 1));
        pool.vetoEpoch(1, "no");
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotProposed.selector, 0));
        pool.vetoEpoch(0, "no");
        vm.stopPrank();
    }

    function test_RevertGiven_EpochIsAlreadyVetoed() external {
        _propose(1, _defaultLeaves());
        _veto(1);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochIsVetoed.selector, 1));
        pool.vetoEpoch(1, "again");
    }

    function test_RevertGiven_ChallengePeriodIsOver() external {
        _propose(1, _defaultLeaves());
        uint256 claimableAt = pool.getEpoch(1).claimableAt;
        vm.warp(claimableAt);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.ChallengeClosed.selector, 1, claimableAt));
        pool.vetoEpoch(1, "late");
        _expire(1);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.ChallengeClosed.selector, 1, claimableAt));
        pool.vetoEpoch(1, "late");
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
        assertEq(e.claimableAt, 0);
        assertEq(e.expiresAt, 0);
        assertEq(pool.latestEpoch(), 1);
    }

    function test_WhenItIsTheLastSecondOfTheChallengePeriod_ItShouldVeto() external {
        _propose(1, _defaultLeaves());
        vm.warp(pool.getEpoch(1).claimableAt - 1);
        _veto(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Vetoed));
    }

    function test_GivenPaused_ItShouldStillVeto() external {
        _propose(1, _defaultLeaves());
        vm.prank(guardian);
        pool.pause();
        _veto(1);
        assertEq(uint8(pool.epochState(1)), uint8(IEpochRewards.EpochState.Vetoed));
        assertEq(pool.available(), FUNDING);
    }
}

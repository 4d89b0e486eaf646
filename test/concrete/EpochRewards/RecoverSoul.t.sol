// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {IERC5192} from "../../../contracts/interfaces/IERC5192.sol";
import {Base} from "../../utils/Base.t.sol";

contract RecoverSoul_Concrete_Test is Base {
    address private lost;
    address private fresh;

    /// @dev alice (rep 10, epoch 1) and bob (rep 20, epoch 1) hold souls; they are recovered in epoch 1's window.
    function setUp() public override {
        super.setUp();
        lost = alice;
        fresh = makeAddr("fresh");
        Leaf[] memory leaves = _defaultLeaves();
        _proposeOpen(1, leaves);
        _claim(alice, 1, leaves, 0);
        _claim(bob, 1, leaves, 1);
        skip(1 hours);
    }

    function _recover(address from, address to) private {
        vm.prank(recovery);
        pool.recoverSoul(from, to);
    }

    function test_RevertWhen_CallerDoesNotHaveTheRecoveryRole() external {
        bytes32 role = pool.RECOVERY_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, guardian, alice][i];
            vm.prank(caller);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role)
            );
            pool.recoverSoul(alice, fresh);
        }
    }

    function test_RevertWhen_ToIsTheZeroAddress() external {
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        pool.recoverSoul(alice, address(0));
    }

    function test_RevertGiven_FromHasNoSoul() external {
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, eve));
        pool.recoverSoul(eve, fresh);
    }

    function test_RevertGiven_FromWasAlreadyRecoveredAway() external {
        _recover(alice, fresh);
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, alice));
        pool.recoverSoul(alice, eve);
    }

    function test_RevertGiven_ToHoldsASoul() external {
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulAlreadyExists.selector, bob));
        pool.recoverSoul(alice, bob);
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulAlreadyExists.selector, alice));
        pool.recoverSoul(alice, alice);
    }

    function test_RevertGiven_ToOnceHeldASoulThatWasRecoveredAway() external {
        _recover(alice, fresh);
        vm.prank(recovery);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulAlreadyExists.selector, alice));
        pool.recoverSoul(fresh, alice);
    }

    function test_GivenFromHasASoul_ItShouldEmitTheBurnTheMintAndSoulRecovered() external {
        uint256 fromId = _tokenId(alice);
        uint256 toId = _tokenId(fresh);
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(alice, address(0), fromId);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(alice, alice, address(0));
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 10, 0);
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(address(0), fresh, toId);
        vm.expectEmit(address(pool));
        emit IERC5192.Locked(toId);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(fresh, address(0), fresh);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(fresh, 0, 10);
        vm.expectEmit(address(pool));
        emit ISoulboundReputation.SoulRecovered(alice, fresh, 10, 1);
        _recover(alice, fresh);
    }

    function test_GivenFromHasASoul_ItShouldMoveScoreAndLastEpoch() external {
        uint256 total = pool.totalReputation();
        uint256 souls = pool.soulCount();
        _recover(alice, fresh);

        assertFalse(pool.hasSoul(alice));
        assertEq(pool.reputationOf(alice), 0);
        assertEq(pool.getVotes(alice), 0);
        assertEq(pool.lastSyncedEpoch(alice), 0);
        assertEq(pool.balanceOf(alice), 0);
        assertEq(pool.delegates(alice), address(0));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, alice));
        pool.soulOf(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, _tokenId(alice)));
        pool.ownerOf(_tokenId(alice));

        assertTrue(pool.hasSoul(fresh));
        assertEq(pool.ownerOf(_tokenId(fresh)), fresh);
        assertEq(pool.reputationOf(fresh), 10);
        assertEq(pool.lastSyncedEpoch(fresh), 1);
        assertEq(pool.delegates(fresh), fresh);

        assertEq(pool.totalReputation(), total);
        assertEq(pool.soulCount(), souls);
    }

    function test_GivenFromHasASoul_ItShouldKeepTheVotingHistoryOfFrom() external {
        uint256 recoveredAt = block.timestamp;
        _recover(alice, fresh);
        skip(1);
        assertEq(pool.getPastVotes(alice, recoveredAt - 1), 10);
        assertEq(pool.getPastVotes(alice, recoveredAt), 0);
        assertEq(pool.getPastVotes(fresh, recoveredAt - 1), 0);
        assertEq(pool.getPastVotes(fresh, recoveredAt), 10);
        assertEq(pool.getPastTotalSupply(recoveredAt), 30);
    }

    function test_GivenALaterClaimForFrom_ItShouldPayButNeverResync() external {
        _recover(alice, fresh);
        Leaf[] memory next = _two(_leaf(0, alice, 3e18, 50), _leaf(1, fresh, 0, 11));
        _proposeOpen(2, next);
        uint256 before = token.balanceOf(alice);
        _claim(eve, 2, next, 0);
        assertEq(token.balanceOf(alice), before + 3e18);
        assertFalse(pool.hasSoul(alice));
        assertEq(pool.reputationOf(alice), 0);
        assertEq(pool.lastSyncedEpoch(alice), 0);
        assertEq(pool.totalReputation(), 30);
        // `to` keeps syncing normally.
        _claim(eve, 2, next, 1);
        assertEq(pool.reputationOf(fresh), 11);
        assertEq(pool.lastSyncedEpoch(fresh), 2);
    }

    function test_GivenALaterClaimForToFromANotNewerEpoch_ItShouldPayAndKeepTheMovedReputation() external {
        Leaf[] memory next = _two(_leaf(0, alice, 1e18, 12), _leaf(1, fresh, 2e18, 99));
        _proposeOpen(2, next);
        _claim(alice, 2, next, 0);
        _recover(alice, fresh);
        assertEq(pool.lastSyncedEpoch(fresh), 2);
        _claim(eve, 2, next, 1);
        assertEq(token.balanceOf(fresh), 2e18);
        assertEq(pool.reputationOf(fresh), 12);
        assertEq(pool.lastSyncedEpoch(fresh), 2);
    }

    function test_GivenPaused_ItShouldStillRecover() external {
        vm.prank(guardian);
        pool.pause();
        _recover(alice, fresh);
        assertTrue(pool.hasSoul(fresh));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract RecoverSoul_Concrete_Test is Base {
    address private fresh;
    address private third;
    uint256 private recoveredAt;

    /// @dev alice (rep 10) and bob (rep 20) claimed epoch 1, an hour ago.
    function setUp() public override {
        super.setUp();
        fresh = makeAddr("fresh");
        third = makeAddr("third");
        _proposeOpenAndClaim(1, _defaultLeaves(), 2);
        skip(1 hours);
    }

    /// @dev Expects the recovery of the soul of `from` to `to` to revert with `err`.
    function _expectRecoverReverts(address from, address to, bytes memory err) private {
        vm.prank(recovery);
        vm.expectRevert(err);
        pool.recoverSoul(from, to);
    }

    function _soulAlreadyExists(address account) private pure returns (bytes memory) {
        return abi.encodeWithSelector(ISoulboundReputation.SoulAlreadyExists.selector, account);
    }

    function _soulNotFound(address account) private pure returns (bytes memory) {
        return abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, account);
    }

    /// @dev After `_recoverWithBarrier`: the leaf of `to` (fresh, at position 1) in `epoch`, up to the barrier, pays
    /// it and changes neither its anchor nor its score.
    function _assertPaysFreshAndKeepsItsScore(uint256 epoch, Leaf[] memory leaves) private {
        vm.recordLogs();
        _claim(epoch, leaves, 1);
        _assertNoScoreChange(vm.getRecordedLogs());
        assertEq(token.balanceOf(fresh), 1e18);
        assertTrue(pool.isClaimed(epoch, fresh));
        _assertAnchor(fresh, 10, 1, recoveredAt);
        assertEq(pool.reputationOf(fresh), 7);
        assertEq(pool.lastSyncedEpoch(fresh), 3);
    }

    /// @dev Epoch 2: claimable at the recovery.
    function _e2() private view returns (Leaf[] memory) {
        return _two(_leaf(0, alice, 1e18, 50), _leaf(1, fresh, 1e18, 99));
    }

    /// @dev Epoch 3: proposed before the recovery, still in its challenge period then.
    function _e3() private view returns (Leaf[] memory) {
        return _two(_leaf(0, alice, 1e18, 60), _leaf(1, fresh, 1e18, 77));
    }

    /// @dev Epoch 4: proposed after the recovery.
    function _e4() private view returns (Leaf[] memory) {
        return _two(_leaf(0, fresh, 4e18, 50), _leaf(1, alice, 1e18, 70));
    }

    /// @dev Epoch 2 final (alice's score is decay(10, 1) = 9), epoch 3 in its challenge period, then alice's soul
    /// is recovered to fresh an hour later: the barrier is 3. Then epoch 4 is proposed and every epoch is opened.
    /// At epoch 4, the recovered score is decay(10, 3) = 7.
    function _recoverWithBarrier() private {
        _proposeOpen(2, _e2());
        _propose(3, _e3());
        skip(1 hours);
        recoveredAt = block.timestamp;
        _recover(alice, fresh);
        _propose(4, _e4());
        _open(4);
    }

    function test_RevertWhen_CallerDoesNotHaveTheRecoveryRole() external {
        bytes32 role = pool.RECOVERY_ROLE();
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [admin, guardian, alice][i];
            _expectUnauthorized(caller, role);
            pool.recoverSoul(alice, fresh);
        }
    }

    function test_RevertWhen_ToIsTheZeroAddress() external {
        _expectRecoverReverts(
            alice,
            address(0),
            abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0))
        );
    }

    function test_RevertGiven_FromHasNoSoul() external {
        _expectRecoverReverts(eve, fresh, _soulNotFound(eve));
    }

    function test_RevertGiven_FromWasAlreadyRecoveredAway() external {
        _recover(alice, fresh);
        _expectRecoverReverts(alice, eve, _soulNotFound(alice));
    }

    function test_RevertGiven_ToHasClaimedBefore() external {
        _expectRecoverReverts(alice, bob, _soulAlreadyExists(bob));
        _expectRecoverReverts(alice, alice, _soulAlreadyExists(alice));
        // A soul of zero reputation is a soul too.
        _proposeOpenAndClaim(2, _one(_leaf(0, eve, 1, 0)), 1);
        _expectRecoverReverts(alice, eve, _soulAlreadyExists(eve));
    }

    function test_RevertGiven_ToIsAnAddressWhoseSoulWasRecoveredAway() external {
        _recover(alice, fresh);
        _expectRecoverReverts(fresh, alice, _soulAlreadyExists(alice));
        _expectRecoverReverts(bob, alice, _soulAlreadyExists(alice));
    }

    function test_GivenFromHasASoul_ItShouldEmitTheBurnTheMintAndSoulRecovered() external {
        _proposeOpen(2, _e2());
        _propose(3, _e3());
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(alice, address(0), _tokenId(alice));
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(alice, alice, address(0));
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(alice, 9, 0);
        _expectMint(fresh, 9);
        vm.expectEmit(address(pool));
        emit ISoulboundReputation.SoulRecovered(alice, fresh, 9, 3);
        _recover(alice, fresh);
    }

    function test_WhenTheScoreIsZero_ItShouldEmitNeitherDelegateVotesChanged() external {
        _proposeOpenAndClaim(2, _one(_leaf(0, eve, 1, 0)), 1);
        vm.expectEmit(address(pool));
        emit ISoulboundReputation.SoulRecovered(eve, fresh, 0, 2);
        vm.recordLogs();
        _recover(eve, fresh);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, VOTES_CHANGED), 0);
        assertEq(_count(logs, TRANSFER), 2);
        assertTrue(pool.hasSoul(fresh));
        assertEq(pool.reputationOf(fresh), 0);
    }

    function test_GivenFromHasASoul_ItShouldGiveToTheAnchorAndTheBarrier() external {
        _recoverWithBarrier();
        _assertAnchor(fresh, 10, 1, recoveredAt);
        _assertClaims(fresh, 3, 0, 0);
        assertFalse(pool.soulRecord(fresh).recoveredAway);
        assertEq(pool.lastSyncedEpoch(fresh), 3);
        assertTrue(pool.hasSoul(fresh));
        assertEq(pool.ownerOf(_tokenId(fresh)), fresh);
        assertEq(pool.balanceOf(fresh), 1);
        assertEq(pool.soulOf(fresh), _tokenId(fresh));
        assertEq(pool.delegates(fresh), fresh);
        // It decays as alice's did: decay(10, 3) now that epoch 4 is final.
        assertEq(pool.reputationOf(fresh), 7);
        assertEq(pool.getVotes(fresh), 7);
    }

    function test_GivenFromHasASoul_ItShouldTakeTheSoulFromFrom() external {
        _recoverWithBarrier();
        assertFalse(pool.hasSoul(alice));
        assertEq(pool.reputationOf(alice), 0);
        assertEq(pool.getVotes(alice), 0);
        assertEq(pool.lastSyncedEpoch(alice), 0);
        assertEq(pool.balanceOf(alice), 0);
        assertEq(pool.delegates(alice), address(0));
        // ownerOf, locked, tokenURI and soulOf revert for it: see erc721Views.tree and reputationViews.tree.
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(alice);
        assertTrue(r.recoveredAway);
        assertEq(r.value, 0);
        // Its claimed epochs stay recorded: its leaves still pay once.
        assertEq(r.lastClaimedEpoch, 1);
        assertTrue(pool.isClaimed(1, alice));
    }

    function test_GivenFromHasASoul_ItShouldKeepTheSoulCountAndTheTotalReputation() external {
        _proposeOpen(2, _e2());
        uint256 total = pool.totalReputation();
        uint256 souls = pool.soulCount();
        _recover(alice, fresh);
        assertEq(pool.totalReputation(), total);
        assertEq(pool.soulCount(), souls);
        assertEq(souls, 2);
    }

    function test_GivenFromHasASoul_ItShouldKeepThePastVotes() external {
        uint256 claimedAt = block.timestamp - 1 hours;
        _recoverWithBarrier();
        uint256 epoch3Final = pool.getEpoch(3).claimableAt;
        skip(1);
        // alice: 10 from her claim, 9 once epoch 2 was final, 0 from the recovery on.
        assertEq(pool.getPastVotes(alice, claimedAt), 10);
        assertEq(pool.getPastVotes(alice, recoveredAt - 1), 9);
        assertEq(pool.getPastVotes(alice, recoveredAt), 0);
        assertEq(pool.getPastVotes(alice, block.timestamp - 1), 0);
        // fresh: nothing before the recovery, then the same anchor decaying.
        assertEq(pool.getPastVotes(fresh, claimedAt), 0);
        assertEq(pool.getPastVotes(fresh, recoveredAt - 1), 0);
        assertEq(pool.getPastVotes(fresh, recoveredAt), 9);
        assertEq(pool.getPastVotes(fresh, epoch3Final), 8);
        assertEq(pool.getPastVotes(fresh, block.timestamp - 1), 7);
    }

    /*//////////////////////////////////////////////////////////////
                        LEAVES OF `to` UP TO THE BARRIER
    //////////////////////////////////////////////////////////////*/

    function test_GivenTheEpochWasClaimableAtTheRecovery_ItShouldPayToAndNeverChangeItsScore() external {
        _recoverWithBarrier();
        _assertPaysFreshAndKeepsItsScore(2, _e2());
    }

    function test_GivenTheEpochWasInItsChallengePeriodAtTheRecovery_ItShouldPayToAndNeverChangeItsScore() external {
        _recoverWithBarrier();
        _assertPaysFreshAndKeepsItsScore(3, _e3());
    }

    function test_WhenItIsClaimedAfterALeafOfANewerEpoch_ItShouldPayToAndKeepTheNewerAnchor() external {
        _recoverWithBarrier();
        _claim(4, _e4(), 0);
        uint256 anchoredAt = block.timestamp;
        skip(1 hours);
        vm.recordLogs();
        _claim(3, _e3(), 1);
        _claim(2, _e2(), 1);
        _assertNoScoreChange(vm.getRecordedLogs());
        assertEq(token.balanceOf(fresh), 4e18 + 1e18 + 1e18);
        _assertAnchor(fresh, 50, 4, anchoredAt);
        assertEq(pool.reputationOf(fresh), 50);
        assertEq(pool.lastSyncedEpoch(fresh), 4);
    }

    function test_WhenItIsClaimedBeforeALeafOfANewerEpoch_ItShouldPayToAndLetTheNewerLeafSetTheScore() external {
        _recoverWithBarrier();
        _claim(2, _e2(), 1);
        _claim(3, _e3(), 1);
        _assertAnchor(fresh, 10, 1, recoveredAt);
        assertEq(pool.reputationOf(fresh), 7);
        skip(1 hours);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(fresh, 7, 50);
        _claim(4, _e4(), 0);
        _assertAnchor(fresh, 50, 4, block.timestamp);
        assertEq(pool.reputationOf(fresh), 50);
        assertEq(pool.lastSyncedEpoch(fresh), 4);
        assertEq(token.balanceOf(fresh), 6e18);
        assertEq(pool.soulRecord(fresh).claimedEpochs, 7); // epochs 4, 3 and 2
    }

    function test_RevertWhen_ALeafOfToUpToTheBarrierIsClaimedASecondTime() external {
        _recoverWithBarrier();
        _claim(2, _e2(), 1);
        _expectAlreadyClaimed(2, fresh);
        _claim(2, _e2(), 1);
        assertEq(token.balanceOf(fresh), 1e18);
    }

    function test_GivenALeafOfToInAnEpochProposedAfterTheRecovery_ItShouldSetTheScore() external {
        _recoverWithBarrier();
        vm.expectEmit(address(pool));
        emit IERC4906.MetadataUpdate(_tokenId(fresh));
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(fresh, 7, 50);
        _claim(4, _e4(), 0);
        _assertAnchor(fresh, 50, 4, block.timestamp);
        assertEq(pool.soulRecord(fresh).historyLength, 1);
        assertEq(pool.reputationOf(fresh), 50);
        assertEq(token.balanceOf(fresh), 4e18);
    }

    /*//////////////////////////////////////////////////////////////
                        LEAVES OF `from`
    //////////////////////////////////////////////////////////////*/

    function test_GivenLeavesOfFromClaimedAfterTheRecovery_ItShouldPayFromOnceEachAndChangeNoScore() external {
        _recoverWithBarrier();
        uint256 before = token.balanceOf(alice);
        vm.recordLogs();
        _claim(2, _e2(), 0); // an epoch claimable at the recovery
        _claim(4, _e4(), 1); // an epoch proposed after it
        _claim(3, _e3(), 0); // older than the newest claimed
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _assertNoScoreChange(logs);
        assertEq(_count(logs, LOCKED), 0);
        assertEq(token.balanceOf(alice), before + 3e18);
        assertFalse(pool.hasSoul(alice));
        assertEq(pool.reputationOf(alice), 0);
        assertEq(pool.lastSyncedEpoch(alice), 0);
        assertEq(pool.soulRecord(alice).value, 0);
        assertEq(pool.soulCount(), 2);
        assertTrue(pool.isClaimed(2, alice) && pool.isClaimed(3, alice) && pool.isClaimed(4, alice));
        // Nor `to`'s.
        _assertAnchor(fresh, 10, 1, recoveredAt);
        assertEq(pool.reputationOf(fresh), 7);
    }

    function test_RevertWhen_ALeafOfFromIsClaimedASecondTime() external {
        _recoverWithBarrier();
        // Claimed after the recovery (epochs 2 and 4), then again.
        _claim(2, _e2(), 0);
        _claim(4, _e4(), 1);
        _expectAlreadyClaimed(2, alice);
        _claim(2, _e2(), 0);
        _expectAlreadyClaimed(4, alice);
        _claim(4, _e4(), 1);
        // Its claim from before the recovery stays recorded too.
        assertTrue(pool.isClaimed(1, alice));
        assertEq(token.balanceOf(alice), 100e18 + 2e18);
    }

    /*//////////////////////////////////////////////////////////////
                        RECOVERED AGAIN, PAUSED
    //////////////////////////////////////////////////////////////*/

    function test_GivenTheSoulIsRecoveredAgainToAThirdAddress_ItShouldMoveTheScoreOn() external {
        _recoverWithBarrier(); // fresh: 7, barrier 3
        _propose(5, _idleLeaves());
        skip(1 hours);
        uint256 secondAt = block.timestamp;
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(fresh, 7, 0);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateVotesChanged(third, 0, 7);
        vm.expectEmit(address(pool));
        emit ISoulboundReputation.SoulRecovered(fresh, third, 7, 5);
        _recover(fresh, third);

        assertTrue(pool.hasSoul(third));
        assertFalse(pool.hasSoul(fresh));
        assertFalse(pool.hasSoul(alice));
        assertEq(pool.reputationOf(third), 7);
        assertEq(pool.reputationOf(fresh), 0);
        assertEq(pool.lastSyncedEpoch(third), 5);
        _assertAnchor(third, 10, 1, secondAt);
        assertTrue(pool.soulRecord(fresh).recoveredAway);
        assertEq(pool.soulCount(), 2);
        // Neither earlier holder can take it back.
        _expectRecoverReverts(third, alice, _soulAlreadyExists(alice));
        _expectRecoverReverts(fresh, alice, _soulNotFound(fresh));
        // Past votes follow the soul.
        skip(1);
        assertEq(pool.getPastVotes(fresh, secondAt - 1), 7);
        assertEq(pool.getPastVotes(fresh, secondAt), 0);
        assertEq(pool.getPastVotes(third, secondAt - 1), 0);
        assertEq(pool.getPastVotes(third, secondAt), 7);
        // fresh's own leaf still pays it, without a score.
        _claim(4, _e4(), 0);
        assertEq(token.balanceOf(fresh), 4e18);
        assertEq(pool.reputationOf(fresh), 0);
        assertEq(pool.reputationOf(third), 7);
    }

    function test_GivenPaused_ItShouldStillRecover() external {
        _pause();
        _recover(alice, fresh);
        assertTrue(pool.hasSoul(fresh));
        assertEq(pool.reputationOf(fresh), 10);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {Base} from "../../utils/Base.t.sol";

contract Views_Concrete_Test is Base {
    function _state(uint256 epoch) private view returns (uint8) {
        return uint8(pool.epochState(epoch));
    }

    function test_EpochState_WhenEpochIsZeroOrAfterTheLatest_ItShouldReturnNone() external {
        assertEq(_state(0), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(1), uint8(IEpochRewards.EpochState.None));
        _propose(1, _defaultLeaves());
        assertEq(_state(0), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(2), uint8(IEpochRewards.EpochState.None));
        assertEq(_state(type(uint256).max), uint8(IEpochRewards.EpochState.None));
    }

    function test_EpochState_ItShouldFollowTheLifecycle() external {
        _propose(1, _defaultLeaves());
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Challenge));
        vm.warp(e.claimableAt - 1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Challenge));
        vm.warp(e.claimableAt);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Claimable));
        vm.warp(e.expiresAt - 1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Claimable));
        vm.warp(e.expiresAt);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Expired));
        pool.sweep(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Swept));
    }

    function test_EpochState_GivenVetoed_ItShouldReturnVetoed() external {
        _propose(1, _defaultLeaves());
        _veto(1);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Vetoed));
        vm.warp(block.timestamp + 10 * WINDOW);
        assertEq(_state(1), uint8(IEpochRewards.EpochState.Vetoed));
    }

    function test_GetEpoch_GivenNeverProposed_ItShouldReturnZeros() external view {
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.None));
        assertEq(e.root, bytes32(0));
        assertEq(e.inputsHash, bytes32(0));
        assertEq(e.total, 0);
        assertEq(e.claimed, 0);
        assertEq(e.claimableAt, 0);
        assertEq(e.expiresAt, 0);
    }

    function test_GetEpoch_GivenProposed_ItShouldReturnEverything() external {
        Leaf[] memory leaves = _defaultLeaves();
        bytes32 root = _proposeOpen(1, leaves);
        _claim(bob, 1, leaves, 1);
        IEpochRewards.EpochView memory e = pool.getEpoch(1);
        assertEq(uint8(e.state), uint8(IEpochRewards.EpochState.Claimable));
        assertEq(e.root, root);
        assertEq(e.inputsHash, INPUTS_HASH);
        assertEq(e.total, _sum(leaves));
        assertEq(e.claimed, leaves[1].amount);
        assertEq(e.claimableAt, START + CHALLENGE);
        assertEq(e.expiresAt, START + CHALLENGE + WINDOW);
    }

    function test_IsClaimed_ItShouldTrackEachEpochAndIndex() external {
        Leaf[] memory leaves = _defaultLeaves();
        _propose(1, leaves);
        _proposeOpen(2, leaves);
        assertFalse(pool.isClaimed(1, 1));
        _claim(eve, 1, leaves, 1);
        assertTrue(pool.isClaimed(1, 1));
        assertFalse(pool.isClaimed(1, 0));
        assertFalse(pool.isClaimed(1, 2));
        assertFalse(pool.isClaimed(2, 1));
    }

    function test_LatestEpoch_ItShouldReturnTheHighestEverProposed() external {
        assertEq(pool.latestEpoch(), 0);
        _propose(1, _defaultLeaves());
        _propose(2, _defaultLeaves());
        assertEq(pool.latestEpoch(), 2);
        _veto(2);
        assertEq(pool.latestEpoch(), 2);
    }

    function test_Durations_ItShouldReturnTheNextProposalsDurations() external view {
        (uint32 c, uint32 w) = pool.durations();
        assertEq(c, CHALLENGE);
        assertEq(w, WINDOW);
    }

    function test_Outstanding_ItShouldSumLiveEpochsOnly() external {
        Leaf[] memory leaves = _defaultLeaves();
        uint256 total = _sum(leaves);
        _propose(1, leaves); // will be swept
        _propose(2, leaves); // will be vetoed
        _veto(2);
        _propose(2, leaves); // claimable, partly claimed
        assertEq(pool.outstanding(), 2 * total);
        _open(2);
        _claim(alice, 2, leaves, 0);
        _propose(3, leaves); // challenge
        _propose(4, leaves); // vetoed
        _veto(4);
        assertEq(pool.outstanding(), 3 * total - leaves[0].amount);
        _expire(1);
        // Epochs 1 and 2 expired (still counted), 3 claimable.
        assertEq(pool.outstanding(), 3 * total - leaves[0].amount);
        pool.sweep(1);
        assertEq(pool.outstanding(), 2 * total - leaves[0].amount);
        assertEq(pool.available() + pool.outstanding(), token.balanceOf(address(pool)));
    }
}

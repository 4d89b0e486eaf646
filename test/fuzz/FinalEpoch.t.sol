// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";
import {ReputationModel} from "./ReputationModel.sol";

/// @notice Invariants 6 and 8 over long histories (up to 80 epochs, past the 64 open epochs): epochs proposed at
/// random intervals with random challenge periods (so that claimableAt is often the previous epoch's), souls
/// anchored in random epochs; at every finality time (and the second before) and at random past timepoints,
/// `finalEpochAt` equals a linear scan and every `getPastVotes` equals the model, whatever epoch the soul's
/// anchor (the search's lower bound) is in.
contract FinalEpochFuzzTest is PoolFuzzBase, ReputationModel {
    uint32 internal constant SHORT_WINDOW = 1 days;

    mapping(uint256 epoch => FuzzMerkle.Leaf) internal leafOf;
    mapping(uint256 epoch => uint256) internal expiresAtOf;

    function setUp() public override {
        super.setUp();
        mDecayBps = DECAY_BPS;
        pool.setDurations(CHALLENGE, SHORT_WINDOW);
    }

    function testFuzz_FinalEpochAt_AndPastVotes_LongHistories(
        uint256 seed,
        uint256 epochCount,
        uint256 accountCount
    ) public {
        epochCount = bound(epochCount, 1, 80);
        accountCount = bound(accountCount, 1, 6);
        for (uint256 a = 0; a < accountCount; ++a) _mAddAccount(_account(seed, a));
        uint32 challenge = CHALLENGE;

        for (uint256 e = 1; e <= epochCount; ++e) {
            uint256 r = _rand(seed, "epoch", e);
            if (r % 5 == 0) {
                challenge = uint32((r >> 8) % (3 * uint256(CHALLENGE)));
                pool.setDurations(challenge, SHORT_WINDOW);
            }
            uint256 gap = (r >> 40) % 4;
            if (gap == 1) vm.warp(block.timestamp + ((r >> 48) % 120));
            else if (gap == 2) vm.warp(block.timestamp + ((r >> 48) % (2 * uint256(CHALLENGE))));
            else if (gap == 3 && (r >> 56) % 8 == 0) vm.warp(block.timestamp + SHORT_WINDOW);
            _proposeOne(e, r, challenge);
            // Claim this epoch's leaf once it is final, half of the time.
            if ((r >> 64) % 2 == 0) {
                if (block.timestamp < mClaimableAt[e - 1]) vm.warp(mClaimableAt[e - 1]);
                FuzzMerkle.Leaf memory leaf = leafOf[e];
                pool.claim(e, leaf.index, leaf.account, leaf.amount, leaf.reputation, new bytes32[](0));
                _mClaim(leaf.account, e, leaf.reputation);
            }
        }

        vm.warp(block.timestamp + 1);
        for (uint256 e = 1; e <= epochCount; ++e) {
            uint256 at = mClaimableAt[e - 1];
            if (at < block.timestamp) _checkAt(at);
            if (at - 1 < block.timestamp) _checkAt(at - 1);
        }
        for (uint256 i = 0; i < 12; ++i) _checkAt(bound(_rand(seed, "past", i), START - 1, block.timestamp - 1));
        _checkNow();
    }

    /// @dev Proposes epoch `e` with a one-leaf tree (the root is the leaf; the proof is empty), waiting for epoch
    /// `e - 64` to expire if it has not: the pool refuses with `TooManyOpenEpochs` until then.
    function _proposeOne(uint256 e, uint256 r, uint32 challenge) internal {
        address account = mAccounts[(r >> 72) % mAccounts.length];
        FuzzMerkle.Leaf memory leaf = FuzzMerkle.Leaf(0, account, 0, _someReputation((r >> 80) % 3, r >> 96, 60));
        bytes32 root = FuzzMerkle.leafHash(leaf);
        if (e > 64 && block.timestamp < expiresAtOf[e - 64]) {
            vm.expectRevert(
                abi.encodeWithSelector(IEpochRewards.TooManyOpenEpochs.selector, e, e - 64, expiresAtOf[e - 64])
            );
            pool.proposeEpoch(e, root, 0, 0, bytes32(0), "");
            vm.warp(expiresAtOf[e - 64]);
        }
        uint256 claimableAt = _mNextClaimableAt(challenge);
        pool.proposeEpoch(e, root, 0, e, bytes32(0), "");
        uint256[] memory reps = new uint256[](mAccounts.length);
        bool[] memory hasLeaf = new bool[](mAccounts.length);
        hasLeaf[mIndex[account] - 1] = true;
        _mRecordEpoch(claimableAt, reps, hasLeaf, e);
        leafOf[e] = leaf;
        expiresAtOf[e] = claimableAt + SHORT_WINDOW;
        IEpochRewards.EpochView memory v = pool.getEpoch(e);
        assertEq(v.claimableAt, claimableAt, "claimableAt = max(now + challenge, previous claimableAt)");
        assertEq(v.expiresAt, claimableAt + SHORT_WINDOW, "expiresAt");
    }

    function _checkAt(uint256 t) internal view {
        uint256 finalEpoch = _mFinalEpochAt(t);
        assertEq(pool.finalEpochAt(t), finalEpoch, "finalEpochAt == linear scan");
        assertEq(pool.getPastTotalSupply(t), finalEpoch == 0 ? 0 : mRepTotal[finalEpoch], "past total supply");
        for (uint256 i = 0; i < mAccounts.length; ++i) {
            assertEq(pool.getPastVotes(mAccounts[i], t), _mScoreAt(mAccounts[i], t), "getPastVotes == model");
        }
    }

    function _checkNow() internal view {
        uint256 finalEpoch = _mFinalEpochAt(block.timestamp);
        assertEq(pool.finalEpochAt(block.timestamp), finalEpoch, "finalEpochAt now");
        assertEq(pool.totalReputation(), finalEpoch == 0 ? 0 : mRepTotal[finalEpoch], "total reputation");
        for (uint256 i = 0; i < mAccounts.length; ++i) {
            address account = mAccounts[i];
            assertEq(pool.getVotes(account), _mScoreAt(account, block.timestamp), "getVotes == model");
            assertEq(pool.lastSyncedEpoch(account), mLastClaimed[account], "last synced epoch");
        }
    }
}

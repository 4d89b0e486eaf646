// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DecayReference} from "./DecayReference.sol";

/// @notice A reference model of the reputation, written from the v2 brief without looking at how the pool stores
/// anything, shared by the reputation fuzz tests and the invariant handler.
///
/// Two figures per account:
/// - the *pipeline* figure: what the off-chain pipeline says the account's reputation is after each epoch,
///   `rep_N = decay(rep_{N-1}, 1) + gain_N` (a recovery merges the lost account's figure into the new one from the
///   next epoch computed after it); every epoch commits `reputationTotal = Σ rep_N` over every account;
/// - the *chain* figure: what the soul should carry. A claim of a leaf of epoch N newer than every epoch the
///   account claimed makes `(leaf reputation, N)` the anchor from now on; the score at time t is the anchor in force
///   at t decayed over `finalEpochAt(t) - anchorEpoch` epochs. A recovery gives `to` the anchor of `from` with the
///   latest epoch as barrier (`to`'s leaves up to it change nothing) and leaves `from` at 0 for ever.
abstract contract ReputationModel {
    struct Anchor {
        uint256 since;
        uint256 value;
        uint256 epoch;
    }

    struct Recovery {
        address from;
        address to;
    }

    uint256 internal mDecayBps;
    /// @dev Every account the model knows (leaf holders and recovery targets), in order of appearance.
    address[] internal mAccounts;
    mapping(address account => uint256 indexPlusOne) internal mIndex;
    /// @dev claimableAt of each live epoch: `mClaimableAt[e - 1]` for epoch e. Vetoes truncate it.
    uint256[] internal mClaimableAt;
    /// @dev Pipeline figure of each account after each live epoch, whether it has a leaf, and the epoch's total.
    mapping(uint256 epoch => mapping(address account => uint256)) internal mPipe;
    mapping(uint256 epoch => mapping(address account => bool)) internal mHasLeaf;
    mapping(uint256 epoch => uint256) internal mRepTotal;
    /// @dev Chain figure: the anchors of each account, oldest first (two on the same timestamp: the later wins).
    mapping(address account => Anchor[]) internal mAnchors;
    /// @dev Newest epoch claimed (for a recovered soul: its barrier); whether the soul was recovered away.
    mapping(address account => uint256) internal mLastClaimed;
    mapping(address account => bool) internal mRecoveredAway;
    /// @dev Accounts linked by recoveries share a family (the index + 1 of the family's first account).
    mapping(address account => uint256) internal mFamily;
    Recovery[] internal mRecoveries;

    function _mAddAccount(address account) internal {
        if (mIndex[account] != 0) return;
        mAccounts.push(account);
        mIndex[account] = mAccounts.length;
        mFamily[account] = mAccounts.length;
    }

    function _mDecay(uint256 value, uint256 epochs) internal view returns (uint256) {
        return DecayReference.decay(value, epochs, mDecayBps);
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    function _mLatest() internal view returns (uint256) {
        return mClaimableAt.length;
    }

    /// @dev claimableAt of an epoch proposed now: never before the previous epoch's.
    function _mNextClaimableAt(uint256 challengePeriod) internal view returns (uint256 at) {
        at = block.timestamp + challengePeriod;
        uint256 n = mClaimableAt.length;
        if (n != 0 && mClaimableAt[n - 1] > at) at = mClaimableAt[n - 1];
    }

    /// @dev Newest live epoch final at `timepoint` (a linear scan: no cleverness to share bugs with).
    function _mFinalEpochAt(uint256 timepoint) internal view returns (uint256) {
        for (uint256 e = mClaimableAt.length; e > 0; --e) {
            if (mClaimableAt[e - 1] <= timepoint) return e;
        }
        return 0;
    }

    /// @dev The pipeline's figures after the next epoch for every known account, given each account's gain.
    function _mPipelineNext(uint256[] memory gains) internal view returns (uint256[] memory reps, uint256 total) {
        uint256 n = mAccounts.length;
        uint256 previous = mClaimableAt.length;
        uint256[] memory base = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) base[i] = mPipe[previous][mAccounts[i]];
        // The pipeline's recoveries input: the lost account's figure moves to the new one (idempotent once merged).
        for (uint256 r = 0; r < mRecoveries.length; ++r) {
            uint256 from = mIndex[mRecoveries[r].from] - 1;
            uint256 to = mIndex[mRecoveries[r].to] - 1;
            base[to] += base[from];
            base[from] = 0;
        }
        reps = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            reps[i] = _mDecay(base[i], 1) + gains[i];
            total += reps[i];
        }
    }

    /// @dev Records the next live epoch: its claimableAt, every account's figure and which accounts got a leaf.
    function _mRecordEpoch(
        uint256 claimableAt,
        uint256[] memory reps,
        bool[] memory hasLeaf,
        uint256 total
    ) internal returns (uint256 epoch) {
        mClaimableAt.push(claimableAt);
        epoch = mClaimableAt.length;
        for (uint256 i = 0; i < reps.length; ++i) {
            mPipe[epoch][mAccounts[i]] = reps[i];
            mHasLeaf[epoch][mAccounts[i]] = hasLeaf[i];
        }
        mRepTotal[epoch] = total;
    }

    /// @dev A veto of `epoch` removes it and every later epoch.
    function _mVeto(uint256 epoch) internal {
        while (mClaimableAt.length >= epoch) mClaimableAt.pop();
    }

    /*//////////////////////////////////////////////////////////////
                                SOULS
    //////////////////////////////////////////////////////////////*/

    /// @dev A successful claim of `account`'s leaf of `epoch` carrying `reputation`.
    function _mClaim(address account, uint256 epoch, uint256 reputation) internal {
        if (epoch <= mLastClaimed[account]) return;
        mLastClaimed[account] = epoch;
        if (mRecoveredAway[account]) return;
        // A leaf equal to the anchor decayed to `epoch` keeps the old anchor on chain: the same figure either way.
        _mSetAnchor(account, reputation, epoch);
    }

    function _mRecover(address from, address to) internal {
        _mAddAccount(to);
        Anchor[] storage lost = mAnchors[from];
        Anchor memory current = lost[lost.length - 1];
        _mSetAnchor(to, current.value, current.epoch);
        mLastClaimed[to] = mClaimableAt.length;
        _mSetAnchor(from, 0, current.epoch);
        mRecoveredAway[from] = true;
        mFamily[to] = mFamily[from];
        mRecoveries.push(Recovery(from, to));
    }

    function _mSetAnchor(address account, uint256 value, uint256 epoch) private {
        Anchor[] storage anchors = mAnchors[account];
        uint256 n = anchors.length;
        if (n != 0 && anchors[n - 1].since == block.timestamp) anchors[n - 1] = Anchor(block.timestamp, value, epoch);
        else anchors.push(Anchor(block.timestamp, value, epoch));
    }

    function _mHasSoul(address account) internal view returns (bool) {
        return mLastClaimed[account] != 0 && !mRecoveredAway[account];
    }

    /// @dev Whether `account` may receive a recovered soul: it never claimed.
    function _mMayReceive(address account) internal view returns (bool) {
        return account != address(0) && mLastClaimed[account] == 0;
    }

    /// @dev Whether a recovery ever involved `account`.
    function _mInRecovery(address account) internal view returns (bool) {
        return mFamily[account] != mIndex[account] || mRecoveredAway[account];
    }

    /// @dev The chain figure of `account` at `timepoint`.
    function _mScoreAt(address account, uint256 timepoint) internal view returns (uint256) {
        Anchor[] storage anchors = mAnchors[account];
        uint256 i = anchors.length;
        while (i > 0 && anchors[i - 1].since > timepoint) --i;
        if (i == 0) return 0;
        Anchor memory a = anchors[i - 1];
        uint256 finalEpoch = _mFinalEpochAt(timepoint);
        // An anchor's epoch was final when it took effect, and finality never goes back.
        require(finalEpoch >= a.epoch, "ReputationModel: anchor newer than the final epoch");
        return _mDecay(a.value, finalEpoch - a.epoch);
    }

    /// @dev Newest live epoch up to `epoch` in which `account` has a leaf (0: none).
    function _mNewestLeaf(address account, uint256 epoch) internal view returns (uint256) {
        for (uint256 e = epoch; e > 0; --e) if (mHasLeaf[e][account]) return e;
        return 0;
    }

    function _mAccountCount() internal view returns (uint256) {
        return mAccounts.length;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../contracts/interfaces/ISoulboundReputation.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";
import {ReputationModel} from "./ReputationModel.sol";

/// @notice Invariants 4, 6 and 8 on random sequences of proposals (pipeline epochs: `rep_N = decay(rep_{N-1}, 1) +
/// gain`, a leaf only for an account paid or gaining), claims of any final epoch in any order (alone or batched),
/// warps across finality times, and a recovery at a random point followed by claims of both addresses:
/// - every score, now and at past timepoints, equals the model's (the newest claimed leaf decayed to the final
///   epoch), whatever the order and timing of claims;
/// - no score exceeds the pipeline's figure; a score equals it once the account's newest leaf is claimed;
/// - the total supply is the committed total, and exceeds Σ votes by exactly the model's unclaimed reputation;
/// - a recovered score never falls below the lost soul's score decayed, whatever `from` and `to` claim after.
contract ReputationSyncFuzzTest is PoolFuzzBase, ReputationModel {
    uint256 internal constant MAX_EPOCHS = 10;

    /// @dev Leaves and trees of each live epoch; the position + 1 of each account's leaf in it; claimed leaves.
    mapping(uint256 epoch => FuzzMerkle.Leaf[]) internal epochLeaves;
    mapping(uint256 epoch => bytes32[][]) internal epochTrees;
    mapping(uint256 epoch => mapping(address account => bool)) internal claimedLeaf;
    uint256[] internal timepoints;

    /// @dev The recovery of the test, if any.
    address internal from;
    address internal to;
    bool internal recovered;
    uint256 internal recoveredScore;
    uint256 internal recoveredFinalEpoch;
    /// @dev Leaves with arbitrary reputations instead of the pipeline's.
    bool internal arbitrary;

    function setUp() public override {
        super.setUp();
        mDecayBps = DECAY_BPS;
    }

    /*//////////////////////////////////////////////////////////////
                                TESTS
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Sync_RandomClaimsAndWarps_ScoresFollowTheModel(
        uint256 seed,
        uint256 accountCount,
        uint256 steps
    ) public {
        _runAndCheck(seed, bound(accountCount, 1, 5), steps);
    }

    /// @dev Leaves that do not follow the pipeline (lower than the decayed anchor, equal to it, zero, random):
    /// the score is still the newest claimed leaf decayed, whatever the order of claims.
    function testFuzz_Sync_ArbitraryLeaves_NewestClaimedLeafWins(
        uint256 seed,
        uint256 accountCount,
        uint256 steps
    ) public {
        arbitrary = true;
        _runAndCheck(seed, bound(accountCount, 1, 4), steps);
    }

    /// @dev `from` (account 0) is recovered to `to` (account 1, which has leaves but never claimed before) at a
    /// random step; afterwards leaves of both, of any epoch, are claimed in random order.
    function testFuzz_Sync_RecoveryAtRandomPoint_ClaimsOfBothInAnyOrder(
        uint256 seed,
        uint256 accountCount,
        uint256 steps,
        uint256 recoverAt
    ) public {
        _addAccounts(seed, bound(accountCount, 2, 4));
        (from, to) = (mAccounts[0], mAccounts[1]);
        steps = bound(steps, 8, 40);
        _run(seed, steps, bound(recoverAt, 0, steps - 1));
        if (!recovered) {
            // `from` never got a soul in time: recover now if it can, so every run exercises a recovery.
            _ensureSoul(from);
            _recover();
            _run(_rand(seed, "after", 0), 12, type(uint256).max);
        }
        _checkHistory(seed);
    }

    /*//////////////////////////////////////////////////////////////
                                ENGINE
    //////////////////////////////////////////////////////////////*/

    /// @dev Runs 8 to 40 random steps (after `steps`) over `count` random accounts, then checks every past score.
    function _runAndCheck(uint256 seed, uint256 count, uint256 steps) internal {
        _addAccounts(seed, count);
        _run(seed, bound(steps, 8, 40), type(uint256).max);
        _checkHistory(seed);
    }

    /// @dev Adds `count` random accounts to the model.
    function _addAccounts(uint256 seed, uint256 count) internal {
        for (uint256 a = 0; a < count; ++a) _mAddAccount(_account(seed, a));
    }

    function _run(uint256 seed, uint256 steps, uint256 recoverAt) internal {
        for (uint256 step = 0; step < steps; ++step) {
            uint256 r = _rand(seed, "step", step);
            if (step >= recoverAt && !recovered && _mHasSoul(from)) _recover();
            uint256 kind = r % 6;
            if (kind == 0 || _mLatest() == 0) {
                if (_mLatest() < MAX_EPOCHS) _proposePipelineEpoch(r >> 8);
            } else if (kind == 1) {
                _warpRandomly(r >> 8);
            } else if (kind == 2) {
                _warpToNextFinality();
            } else {
                _claimRandomLeaves(r >> 8);
            }
            _checkNow();
        }
    }

    /// @dev The pipeline's next epoch over the model's accounts: random gains (some zero) and amounts (some zero);
    /// a leaf for each account paid or gaining, carrying its figure; the committed total over every account.
    function _proposePipelineEpoch(uint256 r) internal {
        uint256 n = _mAccountCount();
        uint256[] memory gains = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        bool[] memory hasLeaf = new bool[](n);
        uint256 leafCount = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (mRecoveredAway[mAccounts[i]]) continue;
            uint256 x = _rand(r, i);
            gains[i] = x % 5 < 2 ? 0 : (x >> 8) % (1 << 40);
            amounts[i] = (x >> 64) % 3 == 0 ? 0 : (x >> 128) % 1e24;
            hasLeaf[i] = gains[i] != 0 || amounts[i] != 0;
            if (hasLeaf[i]) ++leafCount;
        }
        if (leafCount == 0) {
            // An epoch needs a leaf: pay the first account that is not lost.
            uint256 i = 0;
            while (mRecoveredAway[mAccounts[i]]) ++i;
            (amounts[i], hasLeaf[i], leafCount) = (1, true, 1);
        }
        (uint256[] memory reps, uint256 total) = _mPipelineNext(gains);
        if (arbitrary) (reps, total) = _arbitraryReputations(r, hasLeaf);

        FuzzMerkle.Leaf[] memory leaves = new FuzzMerkle.Leaf[](leafCount);
        uint256 k = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (hasLeaf[i]) leaves[k] = FuzzMerkle.Leaf(k, mAccounts[i], amounts[i], reps[i]);
            if (hasLeaf[i]) ++k;
        }
        uint256 claimableAt = _mNextClaimableAt(CHALLENGE);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves), total);
        assertEq(_mRecordEpoch(claimableAt, reps, hasLeaf, total), epoch, "model epoch");
        assertEq(pool.getEpoch(epoch).claimableAt, claimableAt, "claimableAt = max(now + challenge, previous)");
        delete epochLeaves[epoch];
        for (uint256 i = 0; i < leaves.length; ++i) epochLeaves[epoch].push(leaves[i]);
        epochTrees[epoch] = tree;
    }

    /// @dev Leaves that do not follow the pipeline (a tree computed with other rules, or corrected): each account's
    /// leaf is 0, its current anchor decayed to the new epoch (a leaf that changes nothing), one less, or random.
    /// The "figures" recorded are the leaves themselves (no pipeline bound is checked in this mode).
    function _arbitraryReputations(
        uint256 r,
        bool[] memory hasLeaf
    ) internal view returns (uint256[] memory reps, uint256 total) {
        uint256 n = hasLeaf.length;
        reps = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            if (!hasLeaf[i]) continue;
            uint256 x = _rand(r, n + i);
            Anchor[] storage anchors = mAnchors[mAccounts[i]];
            uint256 decayed =
                anchors.length == 0
                    ? 0
                    : _mDecay(anchors[anchors.length - 1].value, _mLatest() + 1 - anchors[anchors.length - 1].epoch);
            uint256 kind = x % 4;
            if (kind == 0) reps[i] = 0;
            else if (kind == 1) reps[i] = decayed;
            else if (kind == 2) reps[i] = decayed == 0 ? 0 : decayed - 1;
            else reps[i] = (x >> 8) % (1 << 40);
            total += reps[i];
        }
    }

    /// @dev Claims 1..3 random unclaimed leaves of final epochs (one claim, or one claimMany in random order), or
    /// tries a leaf already claimed. Before the recovery `to` never claims.
    function _claimRandomLeaves(uint256 r) internal {
        (uint256[] memory candidates, uint256[] memory done) = _candidates();
        if (done.length != 0 && r % 4 == 0) {
            (uint256 e, uint256 p) = _unpair(done[(r >> 8) % done.length]);
            FuzzMerkle.Leaf memory leaf = epochLeaves[e][p];
            _assertSecondClaimFails(e, leaf, FuzzMerkle.proof(epochTrees[e], p));
            return;
        }
        if (candidates.length == 0) return;
        uint256 size = 1 + ((r >> 16) % 3);
        if (size > candidates.length) size = candidates.length;
        uint256[] memory order = _permutation(r >> 32, candidates.length);
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](size);
        for (uint256 j = 0; j < size; ++j) {
            (uint256 e, uint256 p) = _unpair(candidates[order[j]]);
            batch[j] = _claimOf(e, epochLeaves[e][p], FuzzMerkle.proof(epochTrees[e], p));
        }
        uint256[] memory before = new uint256[](size);
        for (uint256 j = 0; j < size; ++j) before[j] = token.balanceOf(batch[j].account);
        if (size == 1) {
            IEpochRewards.Claim memory c = batch[0];
            pool.claim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
        } else {
            pool.claimMany(batch);
        }
        for (uint256 j = 0; j < size; ++j) {
            IEpochRewards.Claim memory c = batch[j];
            claimedLeaf[c.epoch][c.account] = true;
            _mClaim(c.account, c.epoch, c.reputation);
            assertTrue(pool.isClaimed(c.epoch, c.account), "claimed");
            // Leaves of one batch belong to distinct accounts or to one account in distinct epochs.
            uint256 paid = 0;
            for (uint256 i = 0; i < size; ++i) if (batch[i].account == c.account) paid += batch[i].amount;
            assertEq(token.balanceOf(c.account) - before[j], paid, "each leaf pays its amount to its account");
        }
        timepoints.push(block.timestamp);
    }

    /// @dev Unclaimed leaves of final epochs (`epoch << 128 | position`), and claimed ones.
    function _candidates() internal view returns (uint256[] memory open, uint256[] memory done) {
        uint256 finalEpoch = _mFinalEpochAt(block.timestamp);
        uint256 n = 0;
        uint256 m = 0;
        for (uint256 e = 1; e <= finalEpoch; ++e) {
            for (uint256 p = 0; p < epochLeaves[e].length; ++p) {
                if (claimedLeaf[e][epochLeaves[e][p].account]) ++m;
                else if (_mayClaim(epochLeaves[e][p].account)) ++n;
            }
        }
        open = new uint256[](n);
        done = new uint256[](m);
        (n, m) = (0, 0);
        for (uint256 e = 1; e <= finalEpoch; ++e) {
            for (uint256 p = 0; p < epochLeaves[e].length; ++p) {
                if (claimedLeaf[e][epochLeaves[e][p].account]) done[m++] = (e << 128) | p;
                else if (_mayClaim(epochLeaves[e][p].account)) open[n++] = (e << 128) | p;
            }
        }
    }

    function _mayClaim(address account) internal view returns (bool) {
        return recovered || account != to;
    }

    function _unpair(uint256 pair) internal pure returns (uint256 epoch, uint256 position) {
        return (pair >> 128, uint128(pair));
    }

    function _warpRandomly(uint256 r) internal {
        uint256 kind = r % 4;
        if (kind == 0) vm.warp(block.timestamp + 1);
        else if (kind == 1) vm.warp(block.timestamp + 1 + ((r >> 8) % 30));
        else if (kind == 2) vm.warp(block.timestamp + ((r >> 8) % (3 * uint256(CHALLENGE))));
        // kind 3: no time passes.
        if (kind != 3) timepoints.push(block.timestamp);
    }

    /// @dev To the next claimableAt after now (an epoch becomes final: every score decays once more).
    function _warpToNextFinality() internal {
        for (uint256 e = 1; e <= _mLatest(); ++e) {
            if (mClaimableAt[e - 1] > block.timestamp) {
                vm.warp(mClaimableAt[e - 1]);
                timepoints.push(block.timestamp);
                return;
            }
        }
    }

    /// @dev Claims one of `account`'s leaves in a final epoch if it holds no soul (warping to finality if needed).
    function _ensureSoul(address account) internal {
        for (uint256 e = 1; e <= _mLatest() && !_mHasSoul(account); ++e) {
            if (!mHasLeaf[e][account] || claimedLeaf[e][account]) continue;
            if (mClaimableAt[e - 1] > block.timestamp) vm.warp(mClaimableAt[e - 1]);
            FuzzMerkle.Leaf[] storage leaves = epochLeaves[e];
            for (uint256 p = 0; p < leaves.length; ++p) {
                if (leaves[p].account != account) continue;
                _claim(e, leaves[p], FuzzMerkle.proof(epochTrees[e], p));
                claimedLeaf[e][account] = true;
                _mClaim(account, e, leaves[p].reputation);
            }
        }
        if (!_mHasSoul(account)) {
            // No leaf of `account` yet: an epoch that pays it.
            uint256 before = _mLatest();
            while (_mLatest() == before || !mHasLeaf[_mLatest()][account]) _proposePipelineEpoch(_mLatest() + 7);
            _ensureSoul(account);
        }
    }

    function _recover() internal {
        uint256 souls = pool.soulCount();
        uint256 score = pool.getVotes(from);
        vm.expectEmit(address(pool));
        emit ISoulboundReputation.SoulRecovered(from, to, score, _mLatest());
        pool.recoverSoul(from, to);
        _mRecover(from, to);
        (recovered, recoveredScore, recoveredFinalEpoch) = (true, score, _mFinalEpochAt(block.timestamp));
        timepoints.push(block.timestamp);

        assertEq(pool.soulCount(), souls, "a recovery moves a soul, it does not mint one");
        assertEq(pool.getVotes(to), score, "to carries from's score");
        assertEq(pool.getVotes(from), 0, "from has no votes");
        assertEq(pool.ownerOf(uint256(uint160(to))), to, "to holds its soul");
        assertEq(pool.balanceOf(from), 0, "from holds no soul");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, uint256(uint160(from))));
        pool.ownerOf(uint256(uint160(from)));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulNotFound.selector, from));
        pool.recoverSoul(from, address(0xF00D));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulAlreadyExists.selector, from));
        pool.recoverSoul(to, from);
    }

    /*//////////////////////////////////////////////////////////////
                                CHECKS
    //////////////////////////////////////////////////////////////*/

    function _checkNow() internal view {
        uint256 finalEpoch = _mFinalEpochAt(block.timestamp);
        assertEq(pool.finalEpochAt(block.timestamp), finalEpoch, "finalEpochAt");
        assertEq(pool.latestEpoch(), _mLatest(), "latestEpoch");
        uint256 n = _mAccountCount();
        uint256[] memory scores = new uint256[](n);
        uint256 souls = 0;
        for (uint256 i = 0; i < n; ++i) {
            address account = mAccounts[i];
            scores[i] = pool.getVotes(account);
            assertEq(scores[i], _mScoreAt(account, block.timestamp), "getVotes == model");
            assertEq(pool.reputationOf(account), scores[i], "reputationOf == getVotes");
            assertEq(pool.hasSoul(account), _mHasSoul(account), "hasSoul");
            assertEq(pool.lastSyncedEpoch(account), mRecoveredAway[account] ? 0 : mLastClaimed[account], "synced");
            if (_mHasSoul(account)) ++souls;
            if (!arbitrary && !_mInRecovery(account)) {
                uint256 pipeline = mPipe[finalEpoch][account];
                assertLe(scores[i], pipeline, "no claim sequence gives more than the pipeline figure");
                uint256 newest = _mNewestLeaf(account, finalEpoch);
                if (newest != 0 && claimedLeaf[newest][account]) {
                    assertEq(scores[i], pipeline, "newest leaf claimed: the score is the pipeline figure");
                }
            }
        }
        assertEq(pool.soulCount(), souls, "soulCount");
        assertEq(pool.totalReputation(), mRepTotal[finalEpoch], "totalReputation == committed total");
        _checkGap(finalEpoch, scores, pool.totalReputation());
        if (recovered) {
            assertGe(
                scores[mIndex[to] - 1],
                _mDecay(recoveredScore, finalEpoch - recoveredFinalEpoch),
                "a recovered score never falls below the lost soul's, decayed"
            );
            assertEq(scores[mIndex[from] - 1], 0, "a recovered-away soul has no votes");
        }
    }

    /// @dev At every recorded timepoint (and the second before) and at random past ones.
    function _checkHistory(uint256 seed) internal {
        vm.warp(block.timestamp + 1);
        _checkNow();
        for (uint256 i = 0; i < timepoints.length; ++i) {
            _checkPast(timepoints[i] - 1);
            _checkPast(timepoints[i]);
        }
        for (uint256 i = 0; i < 8; ++i) _checkPast(bound(_rand(seed, "past", i), START - 10, block.timestamp - 1));
    }

    function _checkPast(uint256 t) internal view {
        uint256 finalEpoch = _mFinalEpochAt(t);
        assertEq(pool.finalEpochAt(t), finalEpoch, "past finalEpochAt");
        uint256 n = _mAccountCount();
        uint256[] memory scores = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            scores[i] = pool.getPastVotes(mAccounts[i], t);
            assertEq(scores[i], _mScoreAt(mAccounts[i], t), "getPastVotes == model");
        }
        uint256 supply = pool.getPastTotalSupply(t);
        assertEq(supply, mRepTotal[finalEpoch], "getPastTotalSupply == committed total of the final epoch");
        _checkGap(finalEpoch, scores, supply);
    }

    /// @dev Σ votes <= supply, and supply - Σ votes is exactly the reputation the chain does not reflect yet:
    /// Σ over accounts (pipeline figure - model score), never negative for an account (or a recovery's pair).
    function _checkGap(uint256 finalEpoch, uint256[] memory scores, uint256 supply) internal view {
        if (arbitrary) return;
        uint256 n = scores.length;
        uint256 votes = 0;
        uint256 unclaimed = 0;
        uint256[] memory familyPipeline = new uint256[](n);
        uint256[] memory familyScore = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            address account = mAccounts[i];
            votes += scores[i];
            familyPipeline[mFamily[account] - 1] += mPipe[finalEpoch][account];
            familyScore[mFamily[account] - 1] += scores[i];
        }
        for (uint256 f = 0; f < n; ++f) {
            assertLe(familyScore[f], familyPipeline[f], "no soul holds more than the pipeline figure");
            unclaimed += familyPipeline[f] - familyScore[f];
        }
        assertLe(votes, supply, "sum of votes <= total supply");
        assertEq(supply - votes, unclaimed, "supply - votes == the model's unclaimed reputation");
    }
}

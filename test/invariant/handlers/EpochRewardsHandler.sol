// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../../utils/FuzzMerkle.sol";
import {TreeStore} from "../../utils/TreeStore.sol";
import {ReputationModel} from "../../fuzz/ReputationModel.sol";

interface IMintableToken is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @notice Drives an `EpochRewards` pool through random funding, donations, withdrawals, proposals of pipeline
/// epochs (some with trees that sum past their total), vetoes, claims, batch claims, sweeps, soul recoveries, soul
/// transfer attempts, pauses, unpauses, duration changes and warps, and keeps ghost variables and a model (the
/// pipeline's reputation, the souls' anchors, each epoch's claim window in unpaused seconds) for the invariants.
/// @dev The handler holds every role. It never reverts on purpose: each call is made with try/catch and its outcome
/// compared with what the model predicts; a mismatch is counted in `ghostUnexpected` (checked by an invariant),
/// because an assertion inside a handler would only revert the call, which the fuzzer ignores.
/// Pipeline rule (docs/rules.md): `rep_N = decay(rep_{N-1}, 1) + gain`, a leaf only for an account paid or gaining
/// this epoch, `reputationTotal = Σ rep_N` over every account the model knows; a recovery merges the lost account's
/// figure into the new one from the next epoch computed.
contract EpochRewardsHandler is Test, ReputationModel, TreeStore {
    uint256 public constant DECAY_BPS = 1000;
    uint32 public constant CHALLENGE = 1 hours;
    uint32 public constant WINDOW = 1 days;
    uint256 internal constant ACTORS = 6;
    uint256 internal constant MAX_RECOVERED = 6;

    EpochRewards public immutable pool;
    IMintableToken public immutable token;
    uint256 public immutable feeBps;
    address public immutable sink = address(0x5111c);

    /*//////////////////////////////////////////////////////////////
                                TREES
    //////////////////////////////////////////////////////////////*/

    struct TreeRecord {
        uint256 epoch;
        bytes32 root;
        uint256 total;
        bool malicious;
        bool vetoed;
    }

    /// @notice Every tree ever proposed, vetoed ones included.
    TreeRecord[] public trees;
    /// @dev The leaves and levels of every tree, by its index in `trees` (TreeStore).
    /// @notice The tree currently proposed for an epoch, plus one (0: none).
    mapping(uint256 epoch => uint256 treeIdPlusOne) public liveTree;
    /// @notice The highest epoch number ever proposed.
    uint256 public maxEpoch;

    /*//////////////////////////////////////////////////////////////
                            TIME AND PAUSE MODEL
    //////////////////////////////////////////////////////////////*/

    struct Window {
        uint256 length; // the claim window the epoch was proposed with
        uint256 ran; // unpaused seconds after claimableAt, up to `lastSeen`
        uint256 endedAt; // when the window ended (0: not yet)
        bool swept;
    }

    mapping(uint256 epoch => Window) internal _window;
    bool public modelPaused;
    uint256 public modelPausedTotal;
    uint256 public lastSeen;
    uint32 public challengePeriod = CHALLENGE;
    uint32 public claimWindow = WINDOW;

    /*//////////////////////////////////////////////////////////////
                                GHOSTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Tokens that reached the pool by plain transfers (never credited).
    uint256 public ghostDonated;
    /// @notice Sum of every payment made by claims, and per epoch.
    uint256 public ghostPaid;
    mapping(uint256 epoch => uint256) public ghostPaidPerEpoch;
    /// @notice Times each leaf was paid.
    mapping(uint256 treeId => mapping(uint256 position => uint256)) public ghostPaidCount;
    /// @notice Leaves paid more than once, payments that differ from the leaf, payments from vetoed trees.
    uint256 public ghostPaidTwice;
    uint256 public ghostWrongPayment;
    uint256 public ghostVetoedPaid;
    /// @notice Root of each epoch as first seen final, and how often a later root differed.
    mapping(uint256 epoch => bytes32) public ghostLockedRoot;
    uint256 public ghostRootChanged;
    /// @notice A soul transfer or approval that did not revert.
    uint256 public ghostSoulMoved;
    /// @notice A score changed other than by decay, a claim of a newer epoch of that account, or a recovery.
    uint256 public ghostIllegalReputationChange;
    /// @notice A leaf within its window (unpaused) that could not be claimed, or a sweep before the window ran.
    uint256 public ghostWindowCut;
    /// @notice Calls whose outcome (success or revert) the model did not predict, and the last one's name.
    uint256 public ghostUnexpected;
    string public lastUnexpected;

    /// @notice Every account whose soul was ever minted (by a claim or a recovery).
    address[] public minted;
    /// @notice Timestamps at which something happened, for the history invariants.
    uint256[] public timepoints;

    /// @notice Calls per action, and successful ones (`ok`), to see what a campaign exercised.
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public ok;

    /// @dev Votes of every account before the current action, and the accounts the action may change.
    uint256[] internal _votesBefore;
    uint256 internal _finalBefore;
    mapping(address account => uint256 action) internal _touchedIn;
    uint256 internal _action;

    constructor(IMintableToken token_, uint256 feeBps_) {
        token = token_;
        feeBps = feeBps_;
        mDecayBps = DECAY_BPS;
        pool = new EpochRewards(token_, address(this), 0, CHALLENGE, WINDOW, DECAY_BPS, "Reputation", "REP");
        pool.grantRole(pool.PROPOSER_ROLE(), address(this));
        pool.grantRole(pool.GUARDIAN_ROLE(), address(this));
        pool.grantRole(pool.RECOVERY_ROLE(), address(this));
        for (uint256 i = 0; i < ACTORS; ++i) _mAddAccount(address(uint160(0xA11CE0 + i)));
        lastSeen = block.timestamp;
    }

    /// @dev Brings the window model up to now, snapshots the votes, runs the action, then checks that no score
    /// moved except by decay or for an account the action touched, and records the roots of final epochs.
    modifier observed(bytes32 action) {
        _syncTime();
        _observeRoots();
        _snapshotVotes();
        ++calls[action];
        _;
        _syncTime();
        _checkVotesMoved();
        _observeRoots();
    }

    /*//////////////////////////////////////////////////////////////
                                FUNDING
    //////////////////////////////////////////////////////////////*/

    function fund(uint256 amount) external observed("fund") {
        _fund(bound(amount, 1, 1e30));
    }

    /// @notice A plain transfer to the pool: never credited to `available()`.
    function donate(uint256 amount) external observed("donate") {
        amount = bound(amount, 1, 1e27);
        token.mint(address(this), amount);
        uint256 before = token.balanceOf(address(pool));
        token.transfer(address(pool), amount);
        ghostDonated += token.balanceOf(address(pool)) - before;
    }

    function withdraw(uint256 amount) external observed("withdraw") {
        uint256 free = pool.available();
        if (free == 0) return;
        amount = bound(amount, 1, free);
        uint256 before = token.balanceOf(address(pool));
        try pool.withdraw(sink, amount) {
            if (before - token.balanceOf(address(pool)) != amount) ++ghostWrongPayment;
            if (pool.available() != free - amount) _unexpected("withdraw: available");
        } catch {
            _unexpected("withdraw reverted");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @notice Proposes the next epoch (a vetoed number again, if the latest were vetoed) as the pipeline would
    /// compute it; sometimes a malicious tree whose leaves sum past its total.
    function propose(uint256 seed, bool malicious) external observed("propose") {
        Proposal memory p;
        p.epoch = _mLatest() + 1;
        (p.leaves, p.reps, p.hasLeaf, p.repTotal) = _pipeline(seed);
        uint256 sum = 0;
        for (uint256 i = 0; i < p.leaves.length; ++i) sum += p.leaves[i].amount;
        p.malicious = malicious && seed % 3 == 0 && sum > 1;
        p.total = p.malicious ? sum - bound(seed >> 128, 1, sum - 1) : sum;
        if (p.total > pool.available()) _fund(2 * (p.total - pool.available()) + 1);
        p.levels = FuzzMerkle.levels(p.leaves);
        p.root = FuzzMerkle.root(p.levels);
        p.claimableAt = _mNextClaimableAt(challengePeriod);

        bool expected = !modelPaused && (p.epoch <= 64 || _expired(p.epoch - 64));
        try pool.proposeEpoch(p.epoch, p.root, p.total, p.repTotal, keccak256(abi.encode(p.epoch)), "ipfs://epoch") {
            if (!expected) _unexpected("propose succeeded");
            _recordProposal(p);
        } catch {
            if (expected) _unexpected("propose reverted");
        }
    }

    /// @notice Tries to propose any epoch number but the next one (a live one, final or not, or one too far):
    /// it must revert, so that no root is ever replaced but by a veto.
    function proposeWrongEpoch(uint256 seed) external observed("proposeWrongEpoch") {
        uint256 latest = _mLatest();
        uint256 epoch = seed % (latest + 3);
        if (epoch == latest + 1) epoch = latest + 2;
        bytes32 root = keccak256(abi.encode("wrong", seed));
        try pool.proposeEpoch(epoch, root, 0, 0, bytes32(0), "") {
            _unexpected("proposeWrongEpoch succeeded");
            ++ghostRootChanged;
        } catch {}
    }

    struct Proposal {
        uint256 epoch;
        FuzzMerkle.Leaf[] leaves;
        uint256[] reps;
        bool[] hasLeaf;
        uint256 repTotal;
        uint256 total;
        bool malicious;
        bytes32[][] levels;
        bytes32 root;
        uint256 claimableAt;
    }

    function _recordProposal(Proposal memory p) internal {
        ++ok[p.malicious ? bytes32("proposeMalicious") : bytes32("propose")];
        uint256 treeId = trees.length;
        trees.push(TreeRecord(p.epoch, p.root, p.total, p.malicious, false));
        _storeTree(treeId, p.leaves, p.levels);
        liveTree[p.epoch] = treeId + 1;
        if (p.epoch > maxEpoch) maxEpoch = p.epoch;
        ghostLockedRoot[p.epoch] = bytes32(0);
        _mRecordEpoch(p.claimableAt, p.reps, p.hasLeaf, p.repTotal);
        _window[p.epoch] = Window(claimWindow, 0, 0, false);
        IEpochRewards.EpochView memory v = pool.getEpoch(p.epoch);
        if (v.claimableAt != p.claimableAt) _unexpected("propose: claimableAt");
        if (v.expiresAt != p.claimableAt + claimWindow) _unexpected("propose: expiresAt");
        if (v.reputationTotal != p.repTotal) _unexpected("propose: reputationTotal");
    }

    /// @notice Vetoes the latest epoch (half of the time) or a random one (with every later epoch).
    function veto(uint256 seed) external observed("veto") {
        uint256 latest = _mLatest();
        if (latest == 0) return;
        uint256 epoch = seed % 2 == 0 ? latest : 1 + ((seed >> 8) % latest);
        bool expected = block.timestamp < mClaimableAt[epoch - 1];
        try pool.vetoEpoch(epoch, "fuzz") {
            if (!expected) _unexpected("veto succeeded");
            ++ok["veto"];
            for (uint256 e = latest; e >= epoch; --e) {
                trees[liveTree[e] - 1].vetoed = true;
                liveTree[e] = 0;
            }
            _mVeto(epoch);
            if (pool.latestEpoch() != epoch - 1) _unexpected("veto: latestEpoch");
        } catch {
            if (expected) _unexpected("veto reverted");
        }
    }

    /// @notice Sweeps an epoch: succeeds exactly once its window has run in full (paused or not).
    function sweep(uint256 seed) external observed("sweep") {
        uint256 latest = _mLatest();
        if (latest == 0) return;
        _trySweep(1 + (seed % latest));
    }

    function _trySweep(uint256 epoch) internal {
        Window storage w = _window[epoch];
        bool over = w.ran >= w.length;
        bool expected = over && !w.swept;
        IEpochRewards.EpochView memory e = pool.getEpoch(epoch);
        uint256 availableBefore = pool.available();
        try pool.sweep(epoch) {
            if (!over) ++ghostWindowCut;
            if (!expected) _unexpected("sweep succeeded");
            ++ok["sweep"];
            w.swept = true;
            if (pool.available() != availableBefore + e.total - e.claimed) _unexpected("sweep: released");
        } catch {
            if (expected) _unexpected("sweep reverted");
        }
    }

    function setDurations(uint256 seed) external observed("setDurations") {
        uint32 challenge = uint32(seed % (2 * uint256(CHALLENGE)));
        uint32 window = uint32(WINDOW + ((seed >> 32) % WINDOW));
        try pool.setDurations(challenge, window) {
            (challengePeriod, claimWindow) = (challenge, window);
        } catch {
            _unexpected("setDurations reverted");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIMS
    //////////////////////////////////////////////////////////////*/

    function claim(uint256 seed, address caller) external observed("claim") {
        if (trees.length == 0) return;
        (uint256 treeId, uint256 position) = _pickLeaf(seed);
        (FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) = _storedLeaf(treeId, position);
        uint256 epoch = trees[treeId].epoch;
        (bool expected, bool inWindow) = _claimable(treeId, position, 0);
        if (caller == address(pool)) caller = address(0xCA11);
        _touch(leaf.account);

        uint256 poolBefore = token.balanceOf(address(pool));
        uint256 accountBefore = token.balanceOf(leaf.account);
        vm.prank(caller);
        try pool.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof) {
            if (!expected) _unexpected("claim succeeded");
            if (poolBefore - token.balanceOf(address(pool)) != leaf.amount) ++ghostWrongPayment;
            if (token.balanceOf(leaf.account) - accountBefore != _net(leaf.amount)) ++ghostWrongPayment;
            ++ok["claim"];
            _recordPayment(treeId, position);
            _mClaim(leaf.account, epoch, leaf.reputation);
            if (_mHasSoul(leaf.account)) _noteMinted(leaf.account);
            timepoints.push(block.timestamp);
        } catch (bytes memory reason) {
            if (expected) _unexpected("claim reverted");
            if (inWindow && _isWindowError(reason)) ++ghostWindowCut;
            if (bytes4(reason) == IEpochRewards.EpochTotalExceeded.selector) ++ok["totalExceeded"];
            ++ok[bytes32(bytes4(reason))];
        }
    }

    /// @notice claimMany over random leaves across epochs and accounts, sometimes grouped by account.
    function claimMany(uint256 seed, uint256 count, bool grouped) external observed("claimMany") {
        if (trees.length == 0) return;
        count = bound(count, 1, 6);
        uint256[] memory treeIds = new uint256[](count);
        uint256[] memory positions = new uint256[](count);
        // Grouped: first one account's leaves across epochs (one run, in random epoch order), then random leaves
        // sorted by account so that each account forms one run.
        uint256 first = grouped ? _pickAccountLeaves(seed, treeIds, positions) : 0;
        if (seed % 3 == 0) {
            // Random leaves: some invalid, some twice.
            for (uint256 j = first; j < count; ++j) (treeIds[j], positions[j]) = _pickLeaf(_rand(seed, j));
        } else {
            // Distinct open leaves in random order (a valid batch unless a tree sums past its total).
            uint256[] memory open = _openLeaves();
            uint256 offset = (seed >> 64) % (open.length + 1);
            for (uint256 j = first; j < count; ++j) {
                if (j - first < open.length) {
                    uint256 pick = open[(offset + (j - first) * 7919) % open.length];
                    (treeIds[j], positions[j]) = (pick >> 128, uint128(pick));
                } else {
                    (treeIds[j], positions[j]) = _pickLeaf(_rand(seed, j));
                }
            }
        }
        if (grouped) _groupByAccount(treeIds, positions, first);

        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](count);
        bool expected = true;
        bool inWindow = true;
        for (uint256 j = 0; j < count; ++j) {
            FuzzMerkle.Leaf memory leaf = _storedLeaves[treeIds[j]][positions[j]];
            uint256 epoch = trees[treeIds[j]].epoch;
            batch[j] = IEpochRewards.Claim(
                epoch,
                leaf.index,
                leaf.account,
                leaf.amount,
                leaf.reputation,
                FuzzMerkle.proof(_storedLevels[treeIds[j]], positions[j])
            );
            _touch(leaf.account);
            // Each claim sees the leaves and amounts recorded by the claims before it in the batch.
            uint256 pending = 0;
            for (uint256 i = 0; i < j; ++i) {
                if (batch[i].epoch != epoch) continue;
                if (batch[i].account == leaf.account) expected = false;
                pending += batch[i].amount;
            }
            (bool claimable, bool within) = _claimable(treeIds[j], positions[j], pending);
            if (!claimable) expected = false;
            if (!within) inWindow = false;
        }

        uint256 poolBefore = token.balanceOf(address(pool));
        uint256[] memory accountBefore = _balances(batch);
        try pool.claimMany(batch) {
            if (!expected) _unexpected("claimMany succeeded");
            ++ok["claimMany"];
            uint256 sum = 0;
            for (uint256 j = 0; j < count; ++j) {
                sum += batch[j].amount;
                _recordPayment(treeIds[j], positions[j]);
                _mClaim(batch[j].account, batch[j].epoch, batch[j].reputation);
                if (_mHasSoul(batch[j].account)) _noteMinted(batch[j].account);
            }
            if (poolBefore - token.balanceOf(address(pool)) != sum) ++ghostWrongPayment;
            _checkRunPayments(batch, accountBefore);
            timepoints.push(block.timestamp);
        } catch (bytes memory reason) {
            if (expected) _unexpected("claimMany reverted");
            if (inWindow && _isWindowError(reason)) ++ghostWindowCut;
        }
    }

    /*//////////////////////////////////////////////////////////////
                        SOULS, PAUSE AND TIME
    //////////////////////////////////////////////////////////////*/

    /// @notice Recovers a soul (mostly of an account holding one) to a fresh address or to a known account
    /// (which fails if that account ever claimed).
    function recoverSoul(uint256 seed, bool toNewAccount) external observed("recoverSoul") {
        uint256 n = _mAccountCount();
        address from = mAccounts[seed % n];
        if (seed % 8 != 0) {
            for (uint256 i = 0; i < n && !_mHasSoul(from); ++i) from = mAccounts[(seed + i) % n];
        }
        address to =
            toNewAccount && mRecoveries.length < MAX_RECOVERED
                ? address(uint160(0xB0B000 + n))
                : mAccounts[(seed >> 64) % n];
        bool expected = _mHasSoul(from) && _mMayReceive(to);
        _touch(from);
        _touch(to);
        uint256 score = pool.getVotes(from);
        try pool.recoverSoul(from, to) {
            if (!expected) _unexpected("recoverSoul succeeded");
            ++ok["recoverSoul"];
            _mRecover(from, to);
            _noteMinted(to);
            timepoints.push(block.timestamp);
            if (pool.getVotes(to) != score) _unexpected("recoverSoul: to's score");
        } catch {
            if (expected) _unexpected("recoverSoul reverted");
        }
    }

    /// @notice Tries to move or approve a soul as its holder: it must always revert.
    function transferSoul(uint256 seed, address to) external observed("transferSoul") {
        if (minted.length == 0) return;
        address holder = minted[seed % minted.length];
        uint256 id = uint256(uint160(holder));
        vm.startPrank(holder);
        try pool.transferFrom(holder, to, id) {
            ++ghostSoulMoved;
        } catch {}
        try pool.safeTransferFrom(holder, to, id) {
            ++ghostSoulMoved;
        } catch {}
        try pool.safeTransferFrom(holder, to, id, "") {
            ++ghostSoulMoved;
        } catch {}
        try pool.approve(to, id) {
            ++ghostSoulMoved;
        } catch {}
        try pool.setApprovalForAll(to, true) {
            ++ghostSoulMoved;
        } catch {}
        vm.stopPrank();
    }

    function pause() external observed("pause") {
        try pool.pause() {
            if (modelPaused) _unexpected("pause succeeded");
            ++ok["pause"];
            modelPaused = true;
            timepoints.push(block.timestamp);
        } catch {
            if (!modelPaused) _unexpected("pause reverted");
        }
    }

    function unpause() external observed("unpause") {
        try pool.unpause() {
            if (!modelPaused) _unexpected("unpause succeeded");
            ++ok["unpause"];
            modelPaused = false;
            timepoints.push(block.timestamp);
        } catch {
            if (modelPaused) _unexpected("unpause reverted");
        }
    }

    /// @notice A pause of random length: pause, warp (sometimes past whole windows), try a sweep and a claim while
    /// paused, unpause. Every window open when the pause began must move by the paused time after its claimableAt.
    function pauseFor(uint256 seed, uint256 sweepSeed, uint256 claimSeed) external observed("pauseFor") {
        if (modelPaused) return;
        try pool.pause() {
            modelPaused = true;
        } catch {
            _unexpected("pauseFor: pause reverted");
            return;
        }
        uint256 kind = seed % 3;
        uint256 length =
            kind == 0
                ? seed % 600
                : kind == 1
                    ? seed % (2 * uint256(CHALLENGE))
                    : seed % (3 * uint256(WINDOW));
        vm.warp(block.timestamp + length);
        _syncTime();
        if (_mLatest() != 0) _trySweep(1 + (sweepSeed % _mLatest()));
        if (trees.length != 0) {
            (uint256 treeId, uint256 position) = _pickLeaf(claimSeed);
            (FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) = _storedLeaf(treeId, position);
            try pool.claim(trees[treeId].epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof) {
                _unexpected("claim while paused");
            } catch {}
        }
        try pool.unpause() {
            modelPaused = false;
            ++ok["pauseFor"];
            timepoints.push(block.timestamp);
        } catch {
            _unexpected("pauseFor: unpause reverted");
        }
    }

    /// @notice Moves time: a few seconds, about a challenge period, part of a claim window, past a whole claim
    /// window, to the next finality time, or to the last second of an epoch's window (or just past it).
    function warp(uint256 seed) external observed("warp") {
        uint256 kind = seed % 6;
        uint256 r = seed >> 8;
        uint256 step;
        if (kind == 0) step = r % 600;
        else if (kind == 1) step = CHALLENGE - 300 + (r % 600);
        else if (kind == 2) step = _toNextFinality();
        else if (kind == 3) step = _toWindowEdge(r);
        else if (kind == 4 || r % 4 != 0) step = r % (WINDOW / 4);
        else step = r % (2 * uint256(WINDOW));
        vm.warp(block.timestamp + step);
        timepoints.push(block.timestamp);
    }

    /*//////////////////////////////////////////////////////////////
                            VIEWS FOR INVARIANTS
    //////////////////////////////////////////////////////////////*/

    function treeCount() external view returns (uint256) {
        return trees.length;
    }

    function leavesOf(uint256 treeId) external view returns (uint256) {
        return _storedLeaves[treeId].length;
    }

    function leafAt(uint256 treeId, uint256 position) external view returns (FuzzMerkle.Leaf memory) {
        return _storedLeaves[treeId][position];
    }

    function accountCount() external view returns (uint256) {
        return _mAccountCount();
    }

    function accounts(uint256 i) external view returns (address) {
        return mAccounts[i];
    }

    function mintedCount() external view returns (uint256) {
        return minted.length;
    }

    function timepointCount() external view returns (uint256) {
        return timepoints.length;
    }

    function latestEpoch() external view returns (uint256) {
        return _mLatest();
    }

    function claimableAt(uint256 epoch) external view returns (uint256) {
        return mClaimableAt[epoch - 1];
    }

    function finalEpochAt(uint256 timepoint) external view returns (uint256) {
        return _mFinalEpochAt(timepoint);
    }

    function recoveredAway(address account) external view returns (bool) {
        return mRecoveredAway[account];
    }

    function modelHasSoul(address account) external view returns (bool) {
        return _mHasSoul(account);
    }

    function modelLastClaimed(address account) external view returns (uint256) {
        return mLastClaimed[account];
    }

    function modelScoreAt(address account, uint256 timepoint) external view returns (uint256) {
        return _mScoreAt(account, timepoint);
    }

    function pipelineOf(uint256 epoch, address account) external view returns (uint256) {
        return mPipe[epoch][account];
    }

    function reputationTotalOf(uint256 epoch) external view returns (uint256) {
        return mRepTotal[epoch];
    }

    function familyOf(address account) external view returns (uint256) {
        return mFamily[account];
    }

    function inRecovery(address account) external view returns (bool) {
        return _mInRecovery(account);
    }

    /// @notice Whether `account`'s newest leaf up to `epoch` (in the live trees) was claimed; false without one.
    function newestLeafClaimed(address account, uint256 epoch) external view returns (bool) {
        uint256 newest = _mNewestLeaf(account, epoch);
        if (newest == 0) return false;
        uint256 treeId = liveTree[newest] - 1;
        FuzzMerkle.Leaf[] storage leaves = _storedLeaves[treeId];
        for (uint256 p = 0; p < leaves.length; ++p) {
            if (leaves[p].account == account) return ghostPaidCount[treeId][p] != 0;
        }
        return false;
    }

    /// @notice The claim window of `epoch` that has run by now (unpaused seconds after claimableAt), its length,
    /// when it ended (0: not yet), and whether the epoch was swept.
    function windowOf(uint256 epoch) external view returns (uint256 ran, uint256 length, uint256 endedAt, bool swept) {
        Window memory w = _window[epoch];
        (ran, endedAt) = _ranUntil(epoch, w, block.timestamp);
        return (ran, w.length, endedAt, w.swept);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _fund(uint256 amount) internal {
        token.mint(address(this), amount);
        token.approve(address(pool), amount);
        uint256 before = pool.available();
        uint256 balanceBefore = token.balanceOf(address(pool));
        try pool.fund(amount) {
            uint256 received = token.balanceOf(address(pool)) - balanceBefore;
            if (pool.available() != before + received) _unexpected("fund: credit");
            if (received != _net(amount)) _unexpected("fund: received");
        } catch {
            _unexpected("fund reverted");
        }
    }

    /// @dev The pipeline's next epoch: random gains (some zero) and amounts (some zero) for every account not lost
    /// to a recovery; a leaf for each account paid or gaining, carrying its figure; the total over all accounts.
    function _pipeline(
        uint256 seed
    )
        internal
        view
        returns (FuzzMerkle.Leaf[] memory leaves, uint256[] memory reps, bool[] memory hasLeaf, uint256 total)
    {
        uint256 n = _mAccountCount();
        uint256[] memory gains = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        hasLeaf = new bool[](n);
        uint256 count = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (mRecoveredAway[mAccounts[i]]) continue;
            uint256 r = _rand(seed, i + 100);
            gains[i] = r % 5 < 2 ? 0 : (r >> 8) % (1 << 40);
            amounts[i] = (r >> 64) % 3 == 0 ? 0 : (r >> 128) % 1e24;
            // About one account in three is left out of the epoch entirely (no gain, no amount): idle, it decays.
            if ((r >> 192) % 3 == 0) (gains[i], amounts[i]) = (0, 0);
            hasLeaf[i] = gains[i] != 0 || amounts[i] != 0;
            if (hasLeaf[i]) ++count;
        }
        if (count == 0) {
            uint256 i = seed % n;
            while (mRecoveredAway[mAccounts[i]]) i = (i + 1) % n;
            (amounts[i], hasLeaf[i], count) = (1, true, 1);
        }
        (reps, total) = _mPipelineNext(gains);
        leaves = new FuzzMerkle.Leaf[](count);
        // Leaves in a random order of accounts, indexed by position.
        uint256 start = seed % n;
        uint256 k = 0;
        for (uint256 j = 0; j < n; ++j) {
            uint256 i = (start + j) % n;
            if (!hasLeaf[i]) continue;
            leaves[k] = FuzzMerkle.Leaf(k, mAccounts[i], amounts[i], reps[i]);
            ++k;
        }
    }

    /// @dev Whether leaf `position` of `treeId` can be claimed now (with `pending` more claimed in its epoch by
    /// earlier claims of a batch), and whether it is within its window with the pool open (a claim the brief
    /// guarantees, cap and double claims aside).
    function _claimable(
        uint256 treeId,
        uint256 position,
        uint256 pending
    ) internal view returns (bool claimable, bool inWindow) {
        TreeRecord memory t = trees[treeId];
        if (t.vetoed || liveTree[t.epoch] != treeId + 1 || modelPaused) return (false, false);
        if (block.timestamp < mClaimableAt[t.epoch - 1]) return (false, false);
        Window memory w = _window[t.epoch];
        if (w.ran >= w.length) return (false, false);
        if (ghostPaidCount[treeId][position] != 0) return (false, false);
        inWindow = true;
        claimable = _storedLeaves[treeId][position].amount + pending + ghostPaidPerEpoch[t.epoch] <= t.total;
    }

    /// @dev A revert that says the window is closed (paused or expired), as opposed to a bad leaf or the cap.
    function _isWindowError(bytes memory reason) internal pure returns (bool) {
        bytes4 selector = bytes4(reason);
        return
            selector == IEpochRewards.EnforcedPause.selector ||
            selector == IEpochRewards.EpochExpired.selector ||
            selector == IEpochRewards.EpochInChallenge.selector;
    }

    function _expired(uint256 epoch) internal view returns (bool) {
        return _window[epoch].ran >= _window[epoch].length;
    }

    /// @dev Mostly a leaf of a claimable tree; sometimes of any tree (vetoed, in challenge, expired, paid).
    function _pickLeaf(uint256 seed) internal view returns (uint256 treeId, uint256 position) {
        if (seed % 5 != 0) {
            uint256[] memory open = _openLeaves();
            if (open.length != 0) {
                uint256 pick = open[(seed >> 8) % open.length];
                return (pick >> 128, uint128(pick));
            }
        }
        treeId = (seed >> 8) % trees.length;
        position = (seed >> 128) % _storedLeaves[treeId].length;
    }

    /// @dev Unpaid leaves of the live trees of open epochs, `treeId << 128 | position`.
    function _openLeaves() internal view returns (uint256[] memory out) {
        uint256 latest = _mLatest();
        out = new uint256[](64);
        uint256 k = 0;
        for (uint256 e = 1; e <= latest && k < out.length; ++e) {
            if (!_open(e)) continue;
            uint256 treeId = liveTree[e] - 1;
            uint256 leaves = _storedLeaves[treeId].length;
            for (uint256 p = 0; p < leaves && k < out.length; ++p) {
                if (ghostPaidCount[treeId][p] == 0) out[k++] = (treeId << 128) | p;
            }
        }
        assembly ("memory-safe") {
            mstore(out, k)
        }
    }

    function _open(uint256 epoch) internal view returns (bool) {
        return block.timestamp >= mClaimableAt[epoch - 1] && !_expired(epoch);
    }

    function _recordPayment(uint256 treeId, uint256 position) internal {
        uint256 amount = _storedLeaves[treeId][position].amount;
        if (++ghostPaidCount[treeId][position] > 1) ++ghostPaidTwice;
        if (trees[treeId].vetoed || liveTree[trees[treeId].epoch] != treeId + 1) ++ghostVetoedPaid;
        ghostPaid += amount;
        ghostPaidPerEpoch[trees[treeId].epoch] += amount;
    }

    /// @dev Each account received, per run, the run's sum less the token's fee on that one transfer.
    function _checkRunPayments(IEpochRewards.Claim[] memory batch, uint256[] memory before) internal {
        uint256[] memory expected = new uint256[](batch.length);
        uint256 i = 0;
        while (i < batch.length) {
            address account = batch[i].account;
            uint256 run = 0;
            for (; i < batch.length && batch[i].account == account; ++i) run += batch[i].amount;
            uint256 net = _net(run);
            for (uint256 j = 0; j < batch.length; ++j) if (batch[j].account == account) expected[j] += net;
        }
        for (uint256 j = 0; j < batch.length; ++j) {
            // `expected[j]` holds the account's total over the batch; compare once per account.
            bool first = true;
            for (uint256 k = 0; k < j; ++k) if (batch[k].account == batch[j].account) first = false;
            if (first && token.balanceOf(batch[j].account) - before[j] != expected[j]) ++ghostWrongPayment;
        }
    }

    function _balances(IEpochRewards.Claim[] memory batch) internal view returns (uint256[] memory out) {
        out = new uint256[](batch.length);
        for (uint256 j = 0; j < batch.length; ++j) out[j] = token.balanceOf(batch[j].account);
    }

    /// @dev Fills the start of the batch with one random account's leaves in the live trees of open epochs,
    /// starting from a random tree (so the run's newest epoch is anywhere in it); returns how many.
    function _pickAccountLeaves(
        uint256 seed,
        uint256[] memory treeIds,
        uint256[] memory positions
    ) internal view returns (uint256 count) {
        address account = mAccounts[(seed >> 16) % _mAccountCount()];
        uint256 start = (seed >> 32) % trees.length;
        for (uint256 i = 0; i < trees.length && count < treeIds.length; ++i) {
            uint256 treeId = (start + i) % trees.length;
            uint256 epoch = trees[treeId].epoch;
            if (liveTree[epoch] != treeId + 1 || !_open(epoch)) continue;
            FuzzMerkle.Leaf[] storage leaves = _storedLeaves[treeId];
            for (uint256 p = 0; p < leaves.length && count < treeIds.length; ++p) {
                if (leaves[p].account != account) continue;
                (treeIds[count], positions[count]) = (treeId, p);
                ++count;
            }
        }
    }

    /// @dev Sorts the picked leaves by account so that each account forms one run.
    function _groupByAccount(uint256[] memory treeIds, uint256[] memory positions, uint256 from) internal view {
        for (uint256 i = from + 1; i < treeIds.length; ++i) {
            for (uint256 j = i; j > from; --j) {
                address a = _storedLeaves[treeIds[j - 1]][positions[j - 1]].account;
                address b = _storedLeaves[treeIds[j]][positions[j]].account;
                if (a <= b) break;
                (treeIds[j - 1], treeIds[j]) = (treeIds[j], treeIds[j - 1]);
                (positions[j - 1], positions[j]) = (positions[j], positions[j - 1]);
            }
        }
    }

    /// @dev Records the root of every epoch the first time it is seen final, and counts changes.
    function _observeRoots() internal {
        uint256 latest = _mLatest();
        for (uint256 e = 1; e <= latest; ++e) {
            if (block.timestamp < mClaimableAt[e - 1]) break;
            bytes32 root = pool.getEpoch(e).root;
            if (ghostLockedRoot[e] == bytes32(0)) ghostLockedRoot[e] = root;
            else if (ghostLockedRoot[e] != root) ++ghostRootChanged;
        }
    }

    /// @dev Brings every live epoch's window up to now (the window runs only while the pool is not paused, after
    /// claimableAt), and the paused time.
    function _syncTime() internal {
        uint256 now_ = block.timestamp;
        if (now_ == lastSeen) return;
        if (modelPaused) {
            modelPausedTotal += now_ - lastSeen;
        } else {
            uint256 latest = _mLatest();
            for (uint256 e = 1; e <= latest; ++e) {
                Window storage w = _window[e];
                (w.ran, w.endedAt) = _ranUntil(e, w, now_);
            }
        }
        lastSeen = now_;
    }

    /// @dev The window of `epoch` that has run by `now_` (from the model's state at `lastSeen`).
    function _ranUntil(
        uint256 epoch,
        Window memory w,
        uint256 now_
    ) internal view returns (uint256 ran, uint256 endedAt) {
        (ran, endedAt) = (w.ran, w.endedAt);
        uint256 at = mClaimableAt[epoch - 1];
        if (modelPaused || now_ <= at || now_ <= lastSeen) return (ran, endedAt);
        uint256 start = lastSeen > at ? lastSeen : at;
        if (ran < w.length && ran + (now_ - start) >= w.length) endedAt = start + (w.length - ran);
        ran += now_ - start;
    }

    function _toNextFinality() internal view returns (uint256) {
        uint256 latest = _mLatest();
        for (uint256 e = 1; e <= latest; ++e) {
            if (mClaimableAt[e - 1] > block.timestamp) return mClaimableAt[e - 1] - block.timestamp;
        }
        return 1;
    }

    /// @dev Seconds to the last second of a random open epoch's window, or to just past it (when not paused).
    function _toWindowEdge(uint256 r) internal view returns (uint256) {
        uint256 latest = _mLatest();
        if (latest == 0 || modelPaused) return r % 60;
        uint256 epoch = 1 + (r % latest);
        if (block.timestamp < mClaimableAt[epoch - 1]) return mClaimableAt[epoch - 1] - block.timestamp;
        Window memory w = _window[epoch];
        uint256 target = w.length - 1 + ((r >> 8) % 2);
        return target > w.ran ? target - w.ran : 0;
    }

    /// @dev Votes of every account before the action.
    function _snapshotVotes() internal {
        ++_action;
        uint256 n = _mAccountCount();
        delete _votesBefore;
        for (uint256 i = 0; i < n; ++i) _votesBefore.push(pool.getVotes(mAccounts[i]));
        _finalBefore = _mFinalEpochAt(block.timestamp);
    }

    function _touch(address account) internal {
        _touchedIn[account] = _action;
    }

    /// @dev Invariant 4: a score the action did not touch moved only by decay over the epochs that became final.
    function _checkVotesMoved() internal {
        uint256 finalNow = _mFinalEpochAt(block.timestamp);
        if (finalNow < _finalBefore) ++ghostIllegalReputationChange;
        uint256 n = _votesBefore.length;
        for (uint256 i = 0; i < n; ++i) {
            address account = mAccounts[i];
            if (_touchedIn[account] == _action) continue;
            uint256 expected = _mDecay(_votesBefore[i], finalNow - _finalBefore);
            if (pool.getVotes(account) != expected) ++ghostIllegalReputationChange;
        }
    }

    function _noteMinted(address account) internal {
        for (uint256 i = 0; i < minted.length; ++i) if (minted[i] == account) return;
        minted.push(account);
    }

    function _net(uint256 amount) internal view returns (uint256) {
        return amount - (amount * feeBps) / 10_000;
    }

    function _unexpected(string memory what) internal {
        ++ghostUnexpected;
        lastUnexpected = what;
    }

    function _rand(uint256 seed, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }
}

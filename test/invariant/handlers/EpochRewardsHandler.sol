// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../../utils/FuzzMerkle.sol";

interface IMintableToken is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @notice Drives an `EpochRewards` pool through random funding, proposals (some with trees that sum past their
/// total), vetoes, claims, batch claims, sweeps, withdrawals, soul recoveries, pauses and time, and keeps ghost
/// variables and a reference model of the reputation for the invariant tests.
/// @dev The handler holds every role. It never reverts on purpose: each call is made with try/catch and its outcome
/// compared with what the model predicts; a mismatch is counted in `ghostUnexpected` (checked by an invariant),
/// because an assertion inside a handler would only revert the call, which the fuzzer ignores.
contract EpochRewardsHandler is Test {
    uint32 public constant CHALLENGE = 1 hours;
    uint32 public constant WINDOW = 1 days;
    uint256 internal constant RECOVERED = type(uint32).max;
    uint256 internal constant ACTORS = 6;
    uint256 internal constant MAX_LEAVES = 6;

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
    mapping(uint256 treeId => FuzzMerkle.Leaf[]) internal _leaves;
    /// @notice The tree currently proposed for an epoch, plus one (0: none).
    mapping(uint256 epoch => uint256 treeIdPlusOne) public liveTree;

    /*//////////////////////////////////////////////////////////////
                                GHOSTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Tokens that reached the pool by plain transfers (never credited).
    uint256 public ghostDonated;
    /// @notice Sum of every payment made by claims.
    uint256 public ghostPaid;
    mapping(uint256 epoch => uint256) public ghostPaidPerEpoch;
    mapping(uint256 treeId => mapping(uint256 index => uint256 count)) public ghostPaidCount;
    /// @notice Leaves paid more than once, payments that differ from the leaf, payments from vetoed trees.
    uint256 public ghostPaidTwice;
    uint256 public ghostWrongPayment;
    uint256 public ghostVetoedPaid;
    /// @notice Root of each epoch as first seen once claimable, and how often a later root differed.
    mapping(uint256 epoch => bytes32) public ghostLockedRoot;
    uint256 public ghostRootChanged;
    /// @notice A soul transfer that did not revert.
    uint256 public ghostSoulMoved;
    /// @notice Calls whose outcome (success or revert) the model did not predict, and the last one's name.
    uint256 public ghostUnexpected;
    string public lastUnexpected;

    /*//////////////////////////////////////////////////////////////
                            REPUTATION MODEL
    //////////////////////////////////////////////////////////////*/

    /// @notice Every account that appeared in a tree or received a soul (actors, then recovery targets).
    address[] public accounts;
    mapping(address account => uint256) public modelReputation;
    /// @dev Last synced epoch; RECOVERED once the soul was recovered away.
    mapping(address account => uint256) public modelTag;
    /// @notice Every account whose soul was ever minted (by a claim or a recovery).
    address[] public minted;
    /// @notice Timestamps at which reputation changed, for the history invariant.
    uint256[] public timepoints;

    /// @notice Calls per action, and successful ones (`ok`), to see what a campaign exercised.
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public ok;

    constructor(IMintableToken token_, uint256 feeBps_) {
        token = token_;
        feeBps = feeBps_;
        pool = new EpochRewards(token_, address(this), 0, CHALLENGE, WINDOW, "Reputation", "REP");
        pool.grantRole(pool.PROPOSER_ROLE(), address(this));
        pool.grantRole(pool.GUARDIAN_ROLE(), address(this));
        pool.grantRole(pool.RECOVERY_ROLE(), address(this));
        for (uint256 i = 0; i < ACTORS; ++i) accounts.push(address(uint160(0xA11CE0 + i)));
    }

    modifier observed(bytes32 action) {
        _observeRoots();
        ++calls[action];
        _;
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

    /// @notice Proposes the next epoch, or a vetoed one again, with a random tree; sometimes a malicious tree
    /// whose leaves sum past its total.
    function propose(uint256 seed, uint256 leafCount, bool malicious) external observed("propose") {
        uint256 epoch = _proposableEpoch(seed);
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, bound(leafCount, 1, MAX_LEAVES));
        uint256 sum = 0;
        for (uint256 i = 0; i < leaves.length; ++i) sum += leaves[i].amount;
        malicious = malicious && sum > 1;
        uint256 total = malicious ? sum - bound(seed >> 128, 1, sum) : sum;
        if (total > pool.available()) _fund(2 * (total - pool.available()) + 1);

        bytes32 root = FuzzMerkle.root(FuzzMerkle.levels(leaves));
        bool paused = pool.paused();
        try pool.proposeEpoch(epoch, root, total, keccak256(abi.encode(epoch, root)), "ipfs://epoch") {
            if (paused) _unexpected("propose while paused");
            ++ok[malicious ? bytes32("proposeMalicious") : bytes32("propose")];
            uint256 treeId = trees.length;
            trees.push(TreeRecord(epoch, root, total, malicious, false));
            for (uint256 i = 0; i < leaves.length; ++i) _leaves[treeId].push(leaves[i]);
            liveTree[epoch] = treeId + 1;
            ghostLockedRoot[epoch] = bytes32(0);
        } catch {
            if (!paused) _unexpected("propose reverted");
        }
    }

    function veto(uint256 seed) external observed("veto") {
        uint256 latest = pool.latestEpoch();
        if (latest == 0) return;
        uint256 epoch = 1 + (seed % latest);
        // Prefer an epoch in its challenge period.
        for (uint256 i = 0; i < latest && pool.epochState(epoch) != IEpochRewards.EpochState.Challenge; ++i) {
            epoch = (epoch % latest) + 1;
        }
        bool expected = pool.epochState(epoch) == IEpochRewards.EpochState.Challenge;
        try pool.vetoEpoch(epoch, "fuzz") {
            if (!expected) _unexpected("veto succeeded");
            ++ok["veto"];
            trees[liveTree[epoch] - 1].vetoed = true;
            liveTree[epoch] = 0;
        } catch {
            if (expected) _unexpected("veto reverted");
        }
    }

    function sweep(uint256 seed) external observed("sweep") {
        uint256 latest = pool.latestEpoch();
        if (latest == 0) return;
        uint256 epoch = 1 + (seed % latest);
        IEpochRewards.EpochView memory e = pool.getEpoch(epoch);
        bool expected = e.state == IEpochRewards.EpochState.Expired;
        uint256 availableBefore = pool.available();
        try pool.sweep(epoch) {
            if (!expected) _unexpected("sweep succeeded");
            ++ok["sweep"];
            if (pool.available() != availableBefore + e.total - e.claimed) _unexpected("sweep: released");
        } catch {
            if (expected) _unexpected("sweep reverted");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIMS
    //////////////////////////////////////////////////////////////*/

    function claim(uint256 seed, address caller) external observed("claim") {
        if (trees.length == 0) return;
        (uint256 treeId, uint256 position) = _pickLeaf(seed);
        FuzzMerkle.Leaf memory leaf = _leaves[treeId][position];
        uint256 epoch = trees[treeId].epoch;
        bool expected = _claimable(treeId, position, 0);
        bytes32[] memory proof = _proof(treeId, position);

        uint256 poolBefore = token.balanceOf(address(pool));
        uint256 accountBefore = token.balanceOf(leaf.account);
        vm.prank(caller);
        try pool.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof) {
            if (!expected) _unexpected("claim succeeded");
            if (poolBefore - token.balanceOf(address(pool)) != leaf.amount) ++ghostWrongPayment;
            if (token.balanceOf(leaf.account) - accountBefore != _net(leaf.amount)) ++ghostWrongPayment;
            ++ok["claim"];
            _recordPayment(treeId, position);
            _sync(leaf.account, epoch, leaf.reputation);
        } catch (bytes memory reason) {
            if (expected) _unexpected("claim reverted");
            if (bytes4(reason) == IEpochRewards.EpochTotalExceeded.selector) ++ok["totalExceeded"];
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
        for (uint256 j = first; j < count; ++j) (treeIds[j], positions[j]) = _pickLeaf(_rand(seed, j));
        if (grouped) _groupByAccount(treeIds, positions, first);

        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](count);
        bool expected = true;
        for (uint256 j = 0; j < count; ++j) {
            FuzzMerkle.Leaf memory leaf = _leaves[treeIds[j]][positions[j]];
            uint256 epoch = trees[treeIds[j]].epoch;
            batch[j] = IEpochRewards.Claim(
                epoch,
                leaf.index,
                leaf.account,
                leaf.amount,
                leaf.reputation,
                _proof(treeIds[j], positions[j])
            );
            // Each claim sees the leaves and amounts recorded by the claims before it in the batch.
            uint256 pending = 0;
            for (uint256 i = 0; i < j; ++i) {
                if (batch[i].epoch != epoch) continue;
                if (treeIds[i] == treeIds[j] && positions[i] == positions[j]) expected = false;
                pending += batch[i].amount;
            }
            if (!_claimable(treeIds[j], positions[j], pending)) expected = false;
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
            }
            if (poolBefore - token.balanceOf(address(pool)) != sum) ++ghostWrongPayment;
            _checkRunPayments(batch, accountBefore);
            _syncRuns(batch);
        } catch {
            if (expected) _unexpected("claimMany reverted");
        }
    }

    /*//////////////////////////////////////////////////////////////
                        SOULS, PAUSE AND TIME
    //////////////////////////////////////////////////////////////*/

    function recoverSoul(uint256 seed, bool toNewAccount) external observed("recoverSoul") {
        address from = accounts[seed % accounts.length];
        for (uint256 i = 0; i < accounts.length && !_modelHasSoul(from); ++i) {
            from = accounts[(seed + i) % accounts.length];
        }
        address to;
        if (toNewAccount || seed % 7 == 0) {
            to = address(uint160(0xB0B000 + accounts.length));
            accounts.push(to);
        } else {
            to = accounts[(seed >> 64) % accounts.length];
        }
        bool expected = _modelHasSoul(from) && modelTag[to] == 0;
        try pool.recoverSoul(from, to) {
            if (!expected) _unexpected("recoverSoul succeeded");
            ++ok["recoverSoul"];
            modelReputation[to] = modelReputation[from];
            modelTag[to] = modelTag[from];
            modelReputation[from] = 0;
            modelTag[from] = RECOVERED;
            minted.push(to);
            timepoints.push(block.timestamp);
        } catch {
            if (expected) _unexpected("recoverSoul reverted");
        }
    }

    /// @notice Tries to move a soul as its holder: it must always revert.
    function transferSoul(uint256 seed, address to) external observed("transferSoul") {
        if (minted.length == 0) return;
        address holder = minted[seed % minted.length];
        vm.prank(holder);
        try pool.transferFrom(holder, to, uint256(uint160(holder))) {
            ++ghostSoulMoved;
        } catch {}
        vm.prank(holder);
        try pool.safeTransferFrom(holder, to, uint256(uint160(holder))) {
            ++ghostSoulMoved;
        } catch {}
    }

    function pause() external observed("pause") {
        bool paused = pool.paused();
        try pool.pause() {
            if (paused) _unexpected("pause succeeded");
        } catch {
            if (!paused) _unexpected("pause reverted");
        }
    }

    function unpause() external observed("unpause") {
        bool paused = pool.paused();
        try pool.unpause() {
            if (!paused) _unexpected("unpause succeeded");
        } catch {
            if (paused) _unexpected("unpause reverted");
        }
    }

    /// @notice Moves time: a few seconds, about a challenge period, part of a claim window (so that several
    /// epochs are claimable together), or past a whole claim window (so that epochs expire).
    function warp(uint256 seed) external observed("warp") {
        uint256 kind = seed % 4;
        uint256 r = seed >> 8;
        uint256 step;
        if (kind == 0) step = r % 600;
        else if (kind == 1) step = CHALLENGE - 300 + (r % 600);
        else if (kind == 2) step = r % (WINDOW / 4);
        else step = r % (2 * WINDOW);
        vm.warp(block.timestamp + step);
    }

    /*//////////////////////////////////////////////////////////////
                            VIEWS FOR INVARIANTS
    //////////////////////////////////////////////////////////////*/

    function treeCount() external view returns (uint256) {
        return trees.length;
    }

    function leavesOf(uint256 treeId) external view returns (uint256) {
        return _leaves[treeId].length;
    }

    function leafAt(uint256 treeId, uint256 position) external view returns (FuzzMerkle.Leaf memory) {
        return _leaves[treeId][position];
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function mintedCount() external view returns (uint256) {
        return minted.length;
    }

    function timepointCount() external view returns (uint256) {
        return timepoints.length;
    }

    function isRecovered(address account) external view returns (bool) {
        return modelTag[account] == RECOVERED;
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

    /// @dev Whether leaf `position` of `treeId` can be claimed now, with `pending` more claimed in its epoch.
    function _claimable(uint256 treeId, uint256 position, uint256 pending) internal view returns (bool) {
        TreeRecord memory t = trees[treeId];
        if (t.vetoed || liveTree[t.epoch] != treeId + 1 || pool.paused()) return false;
        IEpochRewards.EpochView memory e = pool.getEpoch(t.epoch);
        if (e.state != IEpochRewards.EpochState.Claimable) return false;
        if (ghostPaidCount[treeId][position] != 0) return false;
        return _leaves[treeId][position].amount + pending + e.claimed <= e.total;
    }

    /// @dev Mostly a leaf of a claimable tree; sometimes of any tree (vetoed, expired, already paid).
    function _pickLeaf(uint256 seed) internal view returns (uint256 treeId, uint256 position) {
        treeId = (seed >> 8) % trees.length;
        if (seed % 5 != 0) {
            for (uint256 i = 0; i < trees.length; ++i) {
                uint256 candidate = (treeId + i) % trees.length;
                TreeRecord memory t = trees[candidate];
                if (
                    liveTree[t.epoch] == candidate + 1 && pool.epochState(t.epoch) == IEpochRewards.EpochState.Claimable
                ) {
                    treeId = candidate;
                    break;
                }
            }
        }
        position = (seed >> 128) % _leaves[treeId].length;
    }

    function _proposableEpoch(uint256 seed) internal view returns (uint256) {
        uint256 latest = pool.latestEpoch();
        if (seed % 2 == 0) {
            for (uint256 e = 1; e <= latest; ++e) {
                if (pool.epochState(e) == IEpochRewards.EpochState.Vetoed) return e;
            }
        }
        return latest + 1;
    }

    /// @dev Distinct accounts (one leaf each), random amounts (some zero) and reputations (some zero).
    function _randomLeaves(uint256 seed, uint256 n) internal view returns (FuzzMerkle.Leaf[] memory leaves) {
        uint256 available = accounts.length;
        if (n > available) n = available;
        leaves = new FuzzMerkle.Leaf[](n);
        uint256 start = seed % available;
        uint256 stride = _coprimeStride(seed >> 32, available);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = _rand(seed, i + 100);
            leaves[i] = FuzzMerkle.Leaf({
                index: i,
                account: accounts[(start + i * stride) % available],
                amount: r % 6 == 0 ? 0 : (r >> 8) % 1e24,
                reputation: r % 4 == 0 ? 0 : (r >> 100) % (1 << 50)
            });
        }
    }

    function _coprimeStride(uint256 r, uint256 n) internal pure returns (uint256 stride) {
        stride = 1 + (r % n);
        while (_gcd(stride, n) != 1) stride = (stride % n) + 1;
    }

    function _gcd(uint256 a, uint256 b) internal pure returns (uint256) {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    function _proof(uint256 treeId, uint256 position) internal view returns (bytes32[] memory) {
        FuzzMerkle.Leaf[] memory leaves = _leaves[treeId];
        return FuzzMerkle.proof(FuzzMerkle.levels(leaves), position);
    }

    function _recordPayment(uint256 treeId, uint256 position) internal {
        uint256 amount = _leaves[treeId][position].amount;
        if (++ghostPaidCount[treeId][position] > 1) ++ghostPaidTwice;
        if (trees[treeId].vetoed || liveTree[trees[treeId].epoch] != treeId + 1) ++ghostVetoedPaid;
        ghostPaid += amount;
        ghostPaidPerEpoch[trees[treeId].epoch] += amount;
    }

    /// @dev The model of `_syncReputation`: only a newer epoch changes the reputation; the first sync mints.
    function _sync(address account, uint256 epoch, uint256 reputation) internal {
        uint256 tag = modelTag[account];
        if (epoch <= tag) return;
        if (tag == 0) minted.push(account);
        modelTag[account] = epoch;
        if (modelReputation[account] != reputation) {
            modelReputation[account] = reputation;
            timepoints.push(block.timestamp);
        }
    }

    /// @dev Each run of consecutive claims of one account syncs once, from the run's newest epoch.
    function _syncRuns(IEpochRewards.Claim[] memory batch) internal {
        uint256 i = 0;
        while (i < batch.length) {
            address account = batch[i].account;
            uint256 epoch = 0;
            uint256 reputation = 0;
            for (; i < batch.length && batch[i].account == account; ++i) {
                if (batch[i].epoch > epoch) (epoch, reputation) = (batch[i].epoch, batch[i].reputation);
            }
            _sync(account, epoch, reputation);
        }
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

    /// @dev Fills the start of the batch with one random account's leaves in the live trees of claimable epochs,
    /// starting from a random tree (so the run's newest epoch is anywhere in it); returns how many.
    function _pickAccountLeaves(
        uint256 seed,
        uint256[] memory treeIds,
        uint256[] memory positions
    ) internal view returns (uint256 count) {
        address account = accounts[(seed >> 16) % accounts.length];
        uint256 start = (seed >> 32) % trees.length;
        for (uint256 i = 0; i < trees.length && count < treeIds.length; ++i) {
            uint256 treeId = (start + i) % trees.length;
            uint256 epoch = trees[treeId].epoch;
            if (liveTree[epoch] != treeId + 1 || pool.epochState(epoch) != IEpochRewards.EpochState.Claimable) continue;
            FuzzMerkle.Leaf[] storage leaves = _leaves[treeId];
            for (uint256 p = 0; p < leaves.length; ++p) {
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
                address a = _leaves[treeIds[j - 1]][positions[j - 1]].account;
                address b = _leaves[treeIds[j]][positions[j]].account;
                if (a <= b) break;
                (treeIds[j - 1], treeIds[j]) = (treeIds[j], treeIds[j - 1]);
                (positions[j - 1], positions[j]) = (positions[j], positions[j - 1]);
            }
        }
    }

    /// @dev Records the root of every epoch the first time it is seen claimable (or later), and counts changes.
    function _observeRoots() internal {
        uint256 latest = pool.latestEpoch();
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochState state = pool.epochState(e);
            if (
                state != IEpochRewards.EpochState.Claimable &&
                state != IEpochRewards.EpochState.Expired &&
                state != IEpochRewards.EpochState.Swept
            ) continue;
            bytes32 root = pool.getEpoch(e).root;
            if (ghostLockedRoot[e] == bytes32(0)) ghostLockedRoot[e] = root;
            else if (ghostLockedRoot[e] != root) ++ghostRootChanged;
        }
    }

    function _modelHasSoul(address account) internal view returns (bool) {
        uint256 tag = modelTag[account];
        return tag != 0 && tag != RECOVERED;
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

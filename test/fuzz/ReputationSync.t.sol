// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";

/// @notice DESIGN §5 item 4 on random claim orders: reputation follows the newest epoch claimed whatever the order,
/// and the vote history (getPastVotes, getPastTotalSupply) matches a reference model kept by the test.
contract ReputationSyncFuzzTest is PoolFuzzBase {
    uint256 internal constant MAX_EPOCHS = 12;
    uint256 internal constant MAX_ACCOUNTS = 4;

    address[] internal accounts;
    /// @dev Leaves of each epoch (one per account, at index = account number) and their trees.
    mapping(uint256 epoch => FuzzMerkle.Leaf[]) internal epochLeaves;
    mapping(uint256 epoch => bytes32[][]) internal epochTrees;

    /// @dev The specification: the newest epoch claimed by each account and its leaf's reputation.
    mapping(address account => uint256) internal newestClaimed;
    mapping(address account => uint256) internal newestReputation;

    /// @dev The reference model of the vote history: checkpoints (timestamp, value) per account and of the total.
    struct Model {
        uint256[] keys;
        uint256[] values;
    }
    mapping(address account => Model) internal votes;
    Model internal supply;
    mapping(address account => uint256) internal modelEpoch;
    uint256[] internal timepoints;

    function testFuzz_Sync_EpochsClaimedInRandomOrder_FollowsNewestEpochAndHistory(
        uint256 seed,
        uint256 epochCount,
        uint256 accountCount
    ) public {
        epochCount = bound(epochCount, 1, MAX_EPOCHS);
        accountCount = bound(accountCount, 1, MAX_ACCOUNTS);
        for (uint256 a = 0; a < accountCount; ++a) accounts.push(_account(seed, a));
        _proposeEpochs(seed, epochCount);
        vm.warp(block.timestamp + CHALLENGE);

        // Claim a random subset of the (epoch, account) leaves in random order, in steps of one to three claims
        // (several claims go through claimMany), with random time between steps (zero included).
        uint256[] memory order = _permutation(seed, epochCount * accountCount);
        uint256 k = 0;
        for (uint256 step = 0; k < order.length; ++step) {
            uint256 r = _rand(seed, "step", step);
            _warpRandomly(r);
            uint256 size = 1 + ((r >> 64) % 3);
            if (size > order.length - k) size = order.length - k;
            uint256[] memory pairs = new uint256[](size);
            uint256 kept = 0;
            for (uint256 j = 0; j < size; ++j) {
                // About one leaf in five is never claimed.
                if (_rand(seed, "skip", k + j) % 5 != 0) pairs[kept++] = order[k + j];
            }
            k += size;
            if (kept == 0) continue;
            assembly ("memory-safe") {
                mstore(pairs, kept)
            }
            _claimPairs(pairs, accountCount);
            timepoints.push(block.timestamp);
            _assertCurrentState();
        }

        vm.warp(block.timestamp + 1);
        _assertCurrentState();
        for (uint256 i = 0; i < timepoints.length; ++i) {
            _assertPastState(timepoints[i] - 1);
            _assertPastState(timepoints[i]);
        }
        // Random past timepoints, before and during the claims.
        uint256 first = timepoints.length == 0 ? block.timestamp - 1 : timepoints[0];
        for (uint256 i = 0; i < 8; ++i) {
            _assertPastState(bound(_rand(seed, "past", i), first - 10, block.timestamp - 1));
        }
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    function _proposeEpochs(uint256 seed, uint256 epochCount) internal {
        uint256 accountCount = accounts.length;
        for (uint256 e = 1; e <= epochCount; ++e) {
            FuzzMerkle.Leaf[] memory leaves = new FuzzMerkle.Leaf[](accountCount);
            for (uint256 a = 0; a < accountCount; ++a) {
                uint256 r = _rand(seed, "leaf", e * MAX_ACCOUNTS + a);
                // Repeated values (no checkpoint), zeros and arbitrary scores.
                uint256 kind = r % 4;
                uint256 reputation =
                    kind == 0
                        ? 0
                        : kind == 1
                            ? 1_000
                            : (r >> 8) % (1 << 60);
                leaves[a] = FuzzMerkle.Leaf(a, accounts[a], (r >> 128) % 1e24, reputation);
                epochLeaves[e].push(leaves[a]);
            }
            (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves));
            assertEq(epoch, e);
            for (uint256 d = 0; d < tree.length; ++d) epochTrees[e].push(tree[d]);
        }
    }

    /// @dev Claims the leaves `pairs` (pair = (epoch - 1) * accountCount + account): one claim, or one claimMany.
    function _claimPairs(uint256[] memory pairs, uint256 accountCount) internal {
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](pairs.length);
        for (uint256 j = 0; j < pairs.length; ++j) {
            uint256 epoch = pairs[j] / accountCount + 1;
            FuzzMerkle.Leaf memory leaf = epochLeaves[epoch][pairs[j] % accountCount];
            batch[j] = IEpochRewards.Claim(
                epoch,
                leaf.index,
                leaf.account,
                leaf.amount,
                leaf.reputation,
                FuzzMerkle.proof(epochTrees[epoch], leaf.index)
            );
            if (epoch > newestClaimed[leaf.account]) {
                newestClaimed[leaf.account] = epoch;
                newestReputation[leaf.account] = leaf.reputation;
            }
        }
        if (batch.length == 1) {
            IEpochRewards.Claim memory c = batch[0];
            pool.claim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
        } else {
            pool.claimMany(batch);
        }
        _modelClaims(batch);
    }

    function _warpRandomly(uint256 r) internal {
        uint256 kind = r % 4;
        if (kind == 1) vm.warp(block.timestamp + 1);
        else if (kind == 2) vm.warp(block.timestamp + 1 + ((r >> 8) % 1 days));
        else if (kind == 3) vm.warp(block.timestamp + 1 + ((r >> 8) % 30));
        // kind 0: same timestamp as the previous claims.
    }

    /*//////////////////////////////////////////////////////////////
                            REFERENCE MODEL
    //////////////////////////////////////////////////////////////*/

    /// @dev Each run of consecutive claims of one account syncs once, from its newest epoch, if that epoch is newer
    /// than the account's last synced one.
    function _modelClaims(IEpochRewards.Claim[] memory batch) internal {
        uint256 i = 0;
        while (i < batch.length) {
            address account = batch[i].account;
            uint256 epoch = 0;
            uint256 reputation = 0;
            for (; i < batch.length && batch[i].account == account; ++i) {
                if (batch[i].epoch > epoch) (epoch, reputation) = (batch[i].epoch, batch[i].reputation);
            }
            if (epoch <= modelEpoch[account]) continue;
            modelEpoch[account] = epoch;
            uint256 previous = _latest(votes[account]);
            if (previous == reputation) continue;
            _record(votes[account], reputation);
            _record(supply, _latest(supply) + reputation - previous);
        }
    }

    function _record(Model storage model, uint256 value) internal {
        uint256 n = model.keys.length;
        if (n != 0 && model.keys[n - 1] == block.timestamp) {
            model.values[n - 1] = value;
        } else {
            model.keys.push(block.timestamp);
            model.values.push(value);
        }
    }

    function _latest(Model storage model) internal view returns (uint256) {
        uint256 n = model.values.length;
        return n == 0 ? 0 : model.values[n - 1];
    }

    /// @dev Value of the latest checkpoint at or before `timepoint`, by a linear scan.
    function _lookup(Model storage model, uint256 timepoint) internal view returns (uint256 value) {
        for (uint256 i = 0; i < model.keys.length && model.keys[i] <= timepoint; ++i) value = model.values[i];
    }

    /*//////////////////////////////////////////////////////////////
                                ASSERTIONS
    //////////////////////////////////////////////////////////////*/

    function _assertCurrentState() internal view {
        uint256 sum = 0;
        uint256 souls = 0;
        for (uint256 a = 0; a < accounts.length; ++a) {
            address account = accounts[a];
            assertEq(pool.reputationOf(account), newestReputation[account], "reputation of the newest epoch claimed");
            assertEq(pool.lastSyncedEpoch(account), newestClaimed[account], "last synced epoch");
            assertEq(pool.getVotes(account), _latest(votes[account]), "votes follow the model");
            assertEq(pool.hasSoul(account), newestClaimed[account] != 0, "soul minted by the first claim");
            sum += newestReputation[account];
            if (newestClaimed[account] != 0) ++souls;
        }
        assertEq(pool.totalReputation(), sum, "total reputation");
        assertEq(pool.soulCount(), souls, "soul count");
    }

    function _assertPastState(uint256 timepoint) internal view {
        uint256 sum = 0;
        for (uint256 a = 0; a < accounts.length; ++a) {
            uint256 past = pool.getPastVotes(accounts[a], timepoint);
            assertEq(past, _lookup(votes[accounts[a]], timepoint), "getPastVotes follows the model");
            sum += past;
        }
        assertEq(pool.getPastTotalSupply(timepoint), sum, "getPastTotalSupply == sum of getPastVotes");
        assertEq(
            pool.getPastTotalSupply(timepoint),
            _lookup(supply, timepoint),
            "getPastTotalSupply follows the model"
        );
    }
}

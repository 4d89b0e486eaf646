// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../contracts/interfaces/ISoulboundReputation.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";

/// @notice Invariant 2 on random trees: every leaf is paid once and exactly to its account; a tampered leaf or
/// proof, or a leaf of another epoch, is rejected; a second claim of an (epoch, account) reverts, alone or inside a
/// batch; `claimMany` in any order and batching ends in the same state as single claims; an epoch whose tree sums
/// past its total never pays more than the total (invariant 1).
contract ClaimPathFuzzTest is PoolFuzzBase {
    /// @dev Amount paid to each account during a test.
    mapping(address account => uint256 paid) internal expectedPaid;
    address[] internal payees;

    /*//////////////////////////////////////////////////////////////
                            EVERY LEAF ONCE
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Claim_EveryLeafInRandomOrder_PaysEachLeafOnceAndExactly(
        uint256 seed,
        uint256 leafCount,
        uint256 idleReputation
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, 0);
        uint256 sum = _sum(leaves);
        // The committed total also counts accounts without a leaf this epoch.
        idleReputation = bound(idleReputation, 0, 1 << 60);
        uint256 reputationTotal = _reputationSum(leaves) + idleReputation;
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, sum, reputationTotal);
        vm.warp(block.timestamp + CHALLENGE);
        uint256 poolBefore = token.balanceOf(address(pool));
        assertEq(pool.available(), FUNDS - sum, "the epoch reserved its total");

        uint256[] memory order = _permutation(seed, leaves.length);
        for (uint256 k = 0; k < order.length; ++k) {
            // Anyone may submit a claim; the leaf's account is paid.
            _claimAndCheck(epoch, leaves[order[k]], FuzzMerkle.proof(tree, order[k]), _account(seed, 1_000 + k));
            assertEq(pool.soulCount(), k + 1, "the first claim of each account mints its soul");
        }

        assertEq(pool.getEpoch(epoch).claimed, sum, "claimed == sum of the leaves");
        assertEq(poolBefore - token.balanceOf(address(pool)), sum, "the pool paid the sum");
        assertEq(pool.available(), FUNDS - sum, "claims never touch the available funds");
        assertEq(pool.outstanding(), 0, "nothing left reserved");
        _assertPayeesPaid();
        uint256 votes = 0;
        for (uint256 i = 0; i < leaves.length; ++i) votes += pool.getVotes(leaves[i].account);
        assertEq(votes, reputationTotal - idleReputation, "every leaf claimed: votes == leaves' reputation");
        assertEq(pool.totalReputation(), reputationTotal, "total reputation is the committed total");

        for (uint256 i = 0; i < leaves.length; ++i)
            _assertSecondClaimFails(epoch, leaves[i], FuzzMerkle.proof(tree, i));
    }

    /// @dev The brief: a second claim of the same (epoch, account) reverts `AlreadyClaimed(epoch, account)`,
    /// alone or in a batch, whoever submits it and however much of the epoch is left.
    function testFuzz_Claim_SecondClaim_RevertsAlreadyClaimed(
        uint256 seed,
        uint256 leafCount,
        uint256 claimCount
    ) public {
        (FuzzMerkle.Leaf[] memory leaves, uint256 epoch, bytes32[][] memory tree) = _proposeOpenRandom(seed, leafCount);
        uint256[] memory order = _permutation(seed, leaves.length);
        claimCount = bound(claimCount, 1, leaves.length);
        for (uint256 k = 0; k < claimCount; ++k) _claim(epoch, leaves[order[k]], FuzzMerkle.proof(tree, order[k]));

        uint256 again = order[_rand(seed, "again", 0) % claimCount];
        bytes32[] memory proof = FuzzMerkle.proof(tree, again);
        bytes memory alreadyClaimed = abi.encodeWithSelector(
            ISoulboundReputation.AlreadyClaimed.selector,
            epoch,
            leaves[again].account
        );
        vm.prank(_account(seed, 9_999));
        vm.expectRevert(alreadyClaimed);
        _claim(epoch, leaves[again], proof);
        IEpochRewards.Claim[] memory replay = new IEpochRewards.Claim[](1);
        replay[0] = _claimOf(epoch, leaves[again], proof);
        vm.prank(leaves[again].account);
        vm.expectRevert(alreadyClaimed);
        pool.claimMany(replay);
    }

    /*//////////////////////////////////////////////////////////////
                    CLAIMMANY == SINGLE CLAIMS
    //////////////////////////////////////////////////////////////*/

    struct Epochs {
        uint256 count;
        FuzzMerkle.Leaf[][] leaves;
        bytes32[][][] trees;
        address[] accounts;
    }

    /// @dev Several epochs with overlapping accounts; every leaf claimed once one by one (by epoch, then index),
    /// and once with `claimMany` in a random order cut into random batches (some grouped by account, some not).
    /// Both end in the same balances, votes (now and after one more epoch of decay), synced epochs, claimed
    /// records and epoch sums.
    function testFuzz_ClaimMany_RandomOrderAndBatches_EqualsSingleClaims(
        uint256 seed,
        uint256 epochCount,
        uint256 accountCount
    ) public {
        Epochs memory ep = _proposeEpochs(seed, bound(epochCount, 1, 4), bound(accountCount, 1, 8));
        uint256[] memory pairs = _allPairs(ep);
        uint256 snapshot = vm.snapshotState();

        // One by one, in epoch order.
        for (uint256 k = 0; k < pairs.length; ++k) {
            (uint256 e, uint256 p) = (pairs[k] >> 128, uint128(pairs[k]));
            _claim(e, ep.leaves[e - 1][p], FuzzMerkle.proof(ep.trees[e - 1], p));
        }
        uint256[] memory single = _state(ep);

        vm.revertToState(snapshot);
        _claimInRandomBatches(seed, ep, pairs);
        uint256[] memory batched = _state(ep);

        assertEq(batched, single, "claimMany in any order and batching == single claims");
    }

    /// @dev A batch that holds one leaf twice (anywhere in it) reverts `AlreadyClaimed` and changes nothing.
    function testFuzz_ClaimMany_LeafTwiceInBatch_RevertsAndChangesNothing(
        uint256 seed,
        uint256 leafCount,
        uint256 batchSize
    ) public {
        (FuzzMerkle.Leaf[] memory leaves, uint256 epoch, bytes32[][] memory tree) = _proposeOpenRandom(seed, leafCount);

        (IEpochRewards.Claim[] memory batch, address twice) = _batchWithTwin(seed, epoch, leaves, tree, batchSize);
        uint256 poolBefore = token.balanceOf(address(pool));
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.AlreadyClaimed.selector, epoch, twice));
        pool.claimMany(batch);
        assertEq(token.balanceOf(address(pool)), poolBefore, "nothing paid");
        assertEq(pool.getEpoch(epoch).claimed, 0, "nothing claimed");
        assertEq(pool.soulCount(), 0, "no soul minted");
        for (uint256 j = 0; j < batch.length; ++j) assertFalse(pool.isClaimed(epoch, batch[j].account), "unclaimed");
    }

    /*//////////////////////////////////////////////////////////////
                                TAMPERING
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Claim_TamperedLeafOrProof_RevertsInvalidProof(
        uint256 seed,
        uint256 leafCount,
        uint256 field,
        uint256 tweak
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, 0);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves), _reputationSum(leaves));
        // A second epoch whose tree holds other leaves of the same accounts.
        FuzzMerkle.Leaf[] memory others = _randomLeaves(_rand(seed, "other", 0), leaves.length, 0);
        for (uint256 i = 0; i < others.length; ++i) others[i].account = leaves[i].account;
        (uint256 otherEpoch, bytes32[][] memory otherTree) = _propose(others, _sum(others), _reputationSum(others));
        vm.warp(block.timestamp + CHALLENGE);

        uint256 position = _rand(seed, "target", 0) % leaves.length;
        FuzzMerkle.Leaf memory genuine = leaves[position];
        // A copy: memory structs are references.
        FuzzMerkle.Leaf memory leaf = FuzzMerkle.Leaf(
            genuine.index,
            genuine.account,
            genuine.amount,
            genuine.reputation
        );
        bytes32[] memory proof = FuzzMerkle.proof(tree, position);
        uint256 delta = bound(tweak, 1, type(uint128).max);
        field = bound(field, 0, 6);
        if (field == 0) {
            leaf.amount ^= delta;
        } else if (field == 1) {
            leaf.account = address(uint160(leaf.account) ^ uint160(delta));
        } else if (field == 2) {
            leaf.reputation ^= delta;
        } else if (field == 3) {
            // Another index, possibly one of the tree's other leaves.
            leaf.index = (leaf.index + delta) % (leaves.length + 8);
            vm.assume(leaf.index != position);
        } else if (field == 4 && proof.length != 0) {
            uint256 element = tweak % proof.length;
            proof[element] = proof[element] ^ bytes32(delta);
        } else if (field == 5) {
            // The same account's genuine leaf and proof of the other epoch.
            leaf = others[position];
            proof = FuzzMerkle.proof(otherTree, position);
            vm.assume(FuzzMerkle.leafHash(leaf) != FuzzMerkle.leafHash(genuine));
        } else {
            // Drop the last proof element, or add one to an empty proof.
            proof = _resized(proof, proof.length == 0 ? 1 : proof.length - 1, bytes32(delta));
        }

        vm.expectRevert(
            abi.encodeWithSelector(
                IEpochRewards.InvalidProof.selector,
                epoch,
                leaf.index,
                leaf.account,
                leaf.amount,
                leaf.reputation
            )
        );
        _claim(epoch, leaf, proof);
        assertFalse(pool.isClaimed(epoch, leaf.account), "a rejected leaf is not recorded");

        // The untampered leaves still pay, each in its own epoch.
        _claim(epoch, genuine, FuzzMerkle.proof(tree, position));
        assertEq(pool.getEpoch(epoch).claimed, genuine.amount, "only the genuine leaf was paid");
        _claim(otherEpoch, others[position], FuzzMerkle.proof(otherTree, position));
        assertEq(pool.getEpoch(otherEpoch).claimed, others[position].amount, "the other epoch's leaf too");
    }

    /*//////////////////////////////////////////////////////////////
                            TREE OVER ITS TOTAL
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Claim_TreeSumsPastTotal_PaysAtMostTotal(
        uint256 seed,
        uint256 leafCount,
        uint256 shortfall
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, 0);
        // Every leaf pays something, so that the sum exceeds the total by at least one leaf's worth.
        for (uint256 i = 0; i < leaves.length; ++i) if (leaves[i].amount == 0) leaves[i].amount = 1;
        uint256 sum = _sum(leaves);
        uint256 total = sum - bound(shortfall, 1, sum);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, total, _reputationSum(leaves));
        vm.warp(block.timestamp + CHALLENGE);
        uint256 poolBefore = token.balanceOf(address(pool));

        uint256[] memory order = _permutation(seed, leaves.length);
        uint256 claimed = 0;
        uint256 rejected = 0;
        for (uint256 k = 0; k < order.length; ++k) {
            FuzzMerkle.Leaf memory leaf = leaves[order[k]];
            bytes32[] memory proof = FuzzMerkle.proof(tree, order[k]);
            if (leaf.amount > total - claimed) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IEpochRewards.EpochTotalExceeded.selector,
                        epoch,
                        claimed,
                        leaf.amount,
                        total
                    )
                );
                _claim(epoch, leaf, proof);
                assertFalse(pool.isClaimed(epoch, leaf.account), "a rejected leaf stays unclaimed");
                assertFalse(pool.hasSoul(leaf.account), "a rejected leaf mints no soul");
                ++rejected;
            } else {
                _claim(epoch, leaf, proof);
                claimed += leaf.amount;
            }
            assertLe(pool.getEpoch(epoch).claimed, total, "claimed <= total");
        }

        assertGt(rejected, 0, "some leaf could not be paid");
        assertEq(pool.getEpoch(epoch).claimed, claimed, "claimed == what was paid");
        assertEq(poolBefore - token.balanceOf(address(pool)), claimed, "the pool paid only the claimed sum");
        assertEq(pool.outstanding(), total - claimed, "the rest stays reserved");
        assertLe(pool.outstanding() + pool.available(), token.balanceOf(address(pool)), "solvent");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev 1..64 leaves of distinct accounts (one leaf per account and epoch), random amounts (some zero) and
    /// reputations (some zero) small enough for their sum to fit 64 bits. `salt` picks the accounts.
    function _randomLeaves(
        uint256 seed,
        uint256 leafCount,
        uint256 salt
    ) internal pure returns (FuzzMerkle.Leaf[] memory leaves) {
        leafCount = bound(leafCount, 1, 64);
        leaves = new FuzzMerkle.Leaf[](leafCount);
        for (uint256 i = 0; i < leafCount; ++i) {
            uint256 r = _rand(seed, "leaf", i);
            leaves[i] = FuzzMerkle.Leaf({
                index: i,
                account: _account(seed + salt, i),
                amount: r % 7 == 0 ? 0 : (r >> 8) % 1e27,
                reputation: r % 5 == 0 ? 0 : (r >> 100) % (1 << 56)
            });
        }
    }

    /// @dev `epochCount` epochs over `accountCount` accounts, each epoch a random non-empty subset of them with
    /// pipeline-like reputations; proposed at different times, then every one is final.
    /// @dev Proposes random leaves (`_randomLeaves`) for their sums as the next epoch, and moves to its claim window.
    function _proposeOpenRandom(
        uint256 seed,
        uint256 leafCount
    ) internal returns (FuzzMerkle.Leaf[] memory leaves, uint256 epoch, bytes32[][] memory tree) {
        leaves = _randomLeaves(seed, leafCount, 0);
        (epoch, tree) = _propose(leaves, _sum(leaves), _reputationSum(leaves));
        vm.warp(block.timestamp + CHALLENGE);
    }

    function _proposeEpochs(
        uint256 seed,
        uint256 epochCount,
        uint256 accountCount
    ) internal returns (Epochs memory ep) {
        ep.count = epochCount;
        ep.leaves = new FuzzMerkle.Leaf[][](epochCount);
        ep.trees = new bytes32[][][](epochCount);
        ep.accounts = new address[](accountCount);
        for (uint256 a = 0; a < accountCount; ++a) ep.accounts[a] = _account(seed, a);
        for (uint256 e = 1; e <= epochCount; ++e) {
            uint256 mask = _rand(seed, "subset", e) % (1 << accountCount);
            if (mask == 0) mask = 1 << (e % accountCount);
            uint256 n = 0;
            for (uint256 a = 0; a < accountCount; ++a) if (mask & (1 << a) != 0) ++n;
            FuzzMerkle.Leaf[] memory leaves = new FuzzMerkle.Leaf[](n);
            uint256 i = 0;
            for (uint256 a = 0; a < accountCount; ++a) {
                if (mask & (1 << a) == 0) continue;
                uint256 r = _rand(seed, "leaf", e * 64 + a);
                // Repeated reputations (a leaf that changes nothing), zeros and arbitrary scores.
                uint256 reputation = _someReputation(r % 4, r >> 8, 56);
                leaves[i] = FuzzMerkle.Leaf(i, ep.accounts[a], r % 3 == 0 ? 0 : (r >> 128) % 1e24, reputation);
                ++i;
            }
            (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves), _reputationSum(leaves));
            assertEq(epoch, e, "epochs in order");
            ep.leaves[e - 1] = leaves;
            ep.trees[e - 1] = tree;
            vm.warp(block.timestamp + (_rand(seed, "gap", e) % (2 * CHALLENGE)));
        }
        vm.warp(pool.getEpoch(epochCount).claimableAt);
    }

    /// @dev Claims every pair with `claimMany`, in a random order cut into random batches of 1..8, half of the
    /// batches sorted by account (one run per account), each submitted by a random caller.
    function _claimInRandomBatches(uint256 seed, Epochs memory ep, uint256[] memory pairs) internal {
        uint256[] memory order = _permutation(_rand(seed, "order", 0), pairs.length);
        uint256 k = 0;
        for (uint256 b = 0; k < order.length; ++b) {
            uint256 r = _rand(seed, "batch", b);
            uint256 size = 1 + (r % 8);
            if (size > order.length - k) size = order.length - k;
            IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](size);
            for (uint256 j = 0; j < size; ++j) {
                (uint256 e, uint256 p) = (pairs[order[k + j]] >> 128, uint128(pairs[order[k + j]]));
                batch[j] = _claimOf(e, ep.leaves[e - 1][p], FuzzMerkle.proof(ep.trees[e - 1], p));
            }
            if ((r >> 64) % 2 == 0) _groupByAccount(batch);
            vm.prank(_account(seed, 5_000 + b));
            pool.claimMany(batch);
            k += size;
        }
    }

    /// @dev Every (epoch, leaf position) of `ep`, encoded `epoch << 128 | position`, by epoch then position.
    function _allPairs(Epochs memory ep) internal pure returns (uint256[] memory pairs) {
        uint256 n = 0;
        for (uint256 e = 0; e < ep.count; ++e) n += ep.leaves[e].length;
        pairs = new uint256[](n);
        uint256 k = 0;
        for (uint256 e = 0; e < ep.count; ++e) {
            for (uint256 p = 0; p < ep.leaves[e].length; ++p) pairs[k++] = ((e + 1) << 128) | p;
        }
    }

    /// @dev Everything a claim may change, as a list: balances, votes, synced epochs, souls, claimed records,
    /// epoch sums; then the same votes after one more epoch became final (decay) and the past votes at the claims.
    function _state(Epochs memory ep) internal returns (uint256[] memory out) {
        uint256 n = ep.accounts.length;
        out = new uint256[](6 * n + ep.count * (n + 1) + 3);
        uint256 k = 0;
        for (uint256 a = 0; a < n; ++a) {
            address account = ep.accounts[a];
            out[k++] = token.balanceOf(account);
            out[k++] = pool.getVotes(account);
            out[k++] = pool.lastSyncedEpoch(account);
            out[k++] = pool.hasSoul(account) ? 1 : 0;
            for (uint256 e = 1; e <= ep.count; ++e) out[k++] = pool.isClaimed(e, account) ? 1 : 0;
        }
        for (uint256 e = 1; e <= ep.count; ++e) out[k++] = pool.getEpoch(e).claimed;
        out[k++] = pool.soulCount();
        out[k++] = pool.totalReputation();
        out[k++] = token.balanceOf(address(pool));

        // One more epoch (of another account) becomes final: every score decays once, the same way.
        uint256 claimedAt = block.timestamp;
        FuzzMerkle.Leaf[] memory idle = new FuzzMerkle.Leaf[](1);
        idle[0] = FuzzMerkle.Leaf(0, address(0xD0D0), 0, 0);
        _propose(idle, 0, 0);
        vm.warp(block.timestamp + CHALLENGE);
        for (uint256 a = 0; a < n; ++a) {
            out[k++] = pool.getVotes(ep.accounts[a]);
            out[k++] = pool.getPastVotes(ep.accounts[a], claimedAt);
        }
    }

    /// @dev 1..n distinct leaves in random order plus a copy of one of them at a random place (adjacent to its twin
    /// or not), the batch sorted by account half of the time; returns the batch and the duplicated leaf's account.
    function _batchWithTwin(
        uint256 seed,
        uint256 epoch,
        FuzzMerkle.Leaf[] memory leaves,
        bytes32[][] memory tree,
        uint256 batchSize
    ) internal pure returns (IEpochRewards.Claim[] memory batch, address twice) {
        batchSize = bound(batchSize, 2, leaves.length + 1);
        uint256[] memory order = _permutation(seed, leaves.length);
        batch = new IEpochRewards.Claim[](batchSize);
        for (uint256 j = 0; j + 1 < batchSize; ++j) {
            batch[j] = _claimOf(epoch, leaves[order[j]], FuzzMerkle.proof(tree, order[j]));
        }
        uint256 twin = _rand(seed, "twin", 0) % (batchSize - 1);
        uint256 at = _rand(seed, "at", 0) % batchSize;
        for (uint256 j = batchSize - 1; j > at; --j) batch[j] = batch[j - 1];
        if (at <= twin) ++twin;
        batch[at] = batch[twin];
        twice = batch[at].account;
        if ((seed >> 7) % 2 == 0) _groupByAccount(batch);
    }

    /// @dev Sorts a batch by account (insertion sort), so that each account forms one run.
    function _groupByAccount(IEpochRewards.Claim[] memory batch) internal pure {
        for (uint256 i = 1; i < batch.length; ++i) {
            for (uint256 j = i; j > 0 && batch[j - 1].account > batch[j].account; --j) {
                (batch[j - 1], batch[j]) = (batch[j], batch[j - 1]);
            }
        }
    }

    /// @dev Claims one leaf from `caller` and checks the event, the payment, the record and the soul.
    function _claimAndCheck(
        uint256 epoch,
        FuzzMerkle.Leaf memory leaf,
        bytes32[] memory proof,
        address caller
    ) internal {
        uint256 before = token.balanceOf(leaf.account);
        uint256 callerBefore = token.balanceOf(caller);
        uint256 claimedBefore = pool.getEpoch(epoch).claimed;
        assertFalse(pool.isClaimed(epoch, leaf.account), "not claimed yet");
        assertFalse(pool.hasSoul(leaf.account), "no soul yet");

        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(epoch, leaf.index, leaf.account, leaf.amount);
        vm.prank(caller);
        _claim(epoch, leaf, proof);

        expectedPaid[leaf.account] += leaf.amount;
        payees.push(leaf.account);
        assertEq(token.balanceOf(leaf.account) - before, leaf.amount, "pays the leaf's amount to its account");
        assertEq(token.balanceOf(caller), callerBefore, "the caller is not paid");
        assertTrue(pool.isClaimed(epoch, leaf.account), "leaf recorded");
        assertEq(pool.getEpoch(epoch).claimed, claimedBefore + leaf.amount, "claimed grows by the amount");
        assertTrue(pool.hasSoul(leaf.account), "the first claim mints the soul");
        assertEq(pool.getVotes(leaf.account), leaf.reputation, "the soul carries the leaf's reputation");
        assertEq(pool.lastSyncedEpoch(leaf.account), epoch, "synced to the epoch");
    }

    /// @dev Each account received the sum of its leaves.
    function _assertPayeesPaid() internal view {
        for (uint256 i = 0; i < payees.length; ++i) {
            address account = payees[i];
            assertEq(token.balanceOf(account), expectedPaid[account], "account received the sum of its leaves");
        }
    }

    function _resized(
        bytes32[] memory proof,
        uint256 length,
        bytes32 filler
    ) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](length);
        for (uint256 i = 0; i < length; ++i) out[i] = i < proof.length ? proof[i] : filler;
    }
}

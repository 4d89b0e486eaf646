// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";

/// @notice DESIGN §5 items 1–2 on random trees: every leaf is paid once and exactly, a tampered leaf or proof is
/// rejected, and an epoch whose tree sums past its total never pays more than the total.
contract ClaimPathFuzzTest is PoolFuzzBase {
    /// @dev Amount paid to each account during a test, and the reputation of its first claimed leaf.
    mapping(address account => uint256 paid) internal expectedPaid;
    mapping(address account => bool synced) internal synced;
    mapping(address account => uint256 reputation) internal expectedReputation;
    address[] internal payees;

    /*//////////////////////////////////////////////////////////////
                            EVERY LEAF ONCE
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Claim_EveryLeafInRandomOrder_PaysEachLeafOnceAndExactly(
        uint256 seed,
        uint256 leafCount,
        uint256 accountCount
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, accountCount);
        uint256 sum = _sum(leaves);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, sum);
        vm.warp(block.timestamp + CHALLENGE);
        uint256 poolBefore = token.balanceOf(address(pool));
        uint256 availableBefore = pool.available();

        uint256[] memory order = _permutation(seed, leaves.length);
        for (uint256 k = 0; k < order.length; ++k) {
            // Anyone may submit a claim; the leaf's account is paid.
            _claimAndCheck(epoch, leaves[order[k]], FuzzMerkle.proof(tree, order[k]), _account(seed, 1_000 + k));
        }

        assertEq(pool.getEpoch(epoch).claimed, sum, "claimed == sum of the leaves");
        assertEq(poolBefore - token.balanceOf(address(pool)), sum, "the pool paid the sum");
        assertEq(pool.available(), availableBefore, "claims never touch the available funds");
        assertEq(pool.outstanding(), 0, "nothing left reserved");
        _assertPayeesPaid();

        // A second claim of any leaf reverts.
        uint256 again = _rand(seed, "again", 0) % leaves.length;
        bytes32[] memory proof = FuzzMerkle.proof(tree, again);
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.AlreadyClaimed.selector, epoch, leaves[again].index));
        _claim(epoch, leaves[again], proof);
    }

    /// @dev Same property through `claimMany`, with the claims cut into random batches (consecutive claims of one
    /// account form one run, paid with one transfer).
    function testFuzz_ClaimMany_RandomBatches_PayEachLeafOnceAndExactly(
        uint256 seed,
        uint256 leafCount,
        uint256 accountCount
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, accountCount);
        uint256 sum = _sum(leaves);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, sum);
        vm.warp(block.timestamp + CHALLENGE);
        uint256 poolBefore = token.balanceOf(address(pool));

        uint256[] memory order = _permutation(seed, leaves.length);
        uint256 k = 0;
        for (uint256 b = 0; k < order.length; ++b) {
            uint256 size = 1 + (_rand(seed, "batch", b) % 8);
            if (size > order.length - k) size = order.length - k;
            IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](size);
            for (uint256 j = 0; j < size; ++j) {
                uint256 position = order[k + j];
                FuzzMerkle.Leaf memory leaf = leaves[position];
                batch[j] = IEpochRewards.Claim(
                    epoch,
                    leaf.index,
                    leaf.account,
                    leaf.amount,
                    leaf.reputation,
                    FuzzMerkle.proof(tree, position)
                );
                _expectPayment(leaf);
            }
            pool.claimMany(batch);
            k += size;
        }

        assertEq(pool.getEpoch(epoch).claimed, sum, "claimed == sum of the leaves");
        assertEq(poolBefore - token.balanceOf(address(pool)), sum, "the pool paid the sum");
        for (uint256 i = 0; i < leaves.length; ++i) assertTrue(pool.isClaimed(epoch, i), "every leaf recorded");
        _assertPayeesPaid();

        uint256 again = _rand(seed, "again", 0) % leaves.length;
        IEpochRewards.Claim[] memory replay = new IEpochRewards.Claim[](1);
        replay[0] = IEpochRewards.Claim(
            epoch,
            leaves[again].index,
            leaves[again].account,
            leaves[again].amount,
            leaves[again].reputation,
            FuzzMerkle.proof(tree, again)
        );
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.AlreadyClaimed.selector, epoch, leaves[again].index));
        pool.claimMany(replay);
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
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, 64);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves));
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
        field = bound(field, 0, 5);
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

        // The untampered leaf still pays.
        _claim(epoch, genuine, FuzzMerkle.proof(tree, position));
        assertEq(pool.getEpoch(epoch).claimed, genuine.amount, "only the genuine leaf was paid");
    }

    /*//////////////////////////////////////////////////////////////
                            TREE OVER ITS TOTAL
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Claim_TreeSumsPastTotal_PaysAtMostTotal(
        uint256 seed,
        uint256 leafCount,
        uint256 accountCount,
        uint256 shortfall
    ) public {
        FuzzMerkle.Leaf[] memory leaves = _randomLeaves(seed, leafCount, accountCount);
        // Every leaf pays something, so that the sum exceeds the total by at least one leaf's worth.
        for (uint256 i = 0; i < leaves.length; ++i) if (leaves[i].amount == 0) leaves[i].amount = 1;
        uint256 sum = _sum(leaves);
        uint256 total = sum - bound(shortfall, 1, sum);
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, total);
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
                assertFalse(pool.isClaimed(epoch, leaf.index), "a rejected leaf stays unclaimed");
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
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev 1..64 leaves over 1..accountCount accounts (an account may own several leaves), random amounts
    /// (some zero) and reputations (some zero) small enough for the total reputation to fit 64 bits.
    function _randomLeaves(
        uint256 seed,
        uint256 leafCount,
        uint256 accountCount
    ) internal pure returns (FuzzMerkle.Leaf[] memory leaves) {
        leafCount = bound(leafCount, 1, 64);
        accountCount = bound(accountCount, 1, leafCount);
        leaves = new FuzzMerkle.Leaf[](leafCount);
        for (uint256 i = 0; i < leafCount; ++i) {
            uint256 r = _rand(seed, "leaf", i);
            leaves[i] = FuzzMerkle.Leaf({
                index: i,
                account: _account(seed, (r >> 200) % accountCount),
                amount: r % 7 == 0 ? 0 : (r >> 8) % 1e27,
                reputation: r % 5 == 0 ? 0 : (r >> 100) % (1 << 56)
            });
        }
    }

    /// @dev Claims one leaf from `caller` and checks the event, the payment and the epoch's claimed sum.
    function _claimAndCheck(
        uint256 epoch,
        FuzzMerkle.Leaf memory leaf,
        bytes32[] memory proof,
        address caller
    ) internal {
        uint256 before = token.balanceOf(leaf.account);
        uint256 claimedBefore = pool.getEpoch(epoch).claimed;
        assertFalse(pool.isClaimed(epoch, leaf.index), "not claimed yet");

        vm.expectEmit(address(pool));
        emit IEpochRewards.Claimed(epoch, leaf.index, leaf.account, leaf.amount);
        vm.prank(caller);
        _claim(epoch, leaf, proof);

        _expectPayment(leaf);
        assertEq(token.balanceOf(leaf.account) - before, leaf.amount, "pays the leaf's amount to its account");
        assertTrue(pool.isClaimed(epoch, leaf.index), "leaf recorded");
        assertEq(pool.getEpoch(epoch).claimed, claimedBefore + leaf.amount, "claimed grows by the amount");
    }

    /// @dev Records a payment the test expects; the first claimed leaf of an account sets its reputation.
    function _expectPayment(FuzzMerkle.Leaf memory leaf) internal {
        if (!synced[leaf.account]) {
            synced[leaf.account] = true;
            expectedReputation[leaf.account] = leaf.reputation;
            payees.push(leaf.account);
        }
        expectedPaid[leaf.account] += leaf.amount;
    }

    /// @dev Each account received the sum of its leaves and holds the reputation of its first claimed leaf.
    function _assertPayeesPaid() internal view {
        uint256 reputationSum = 0;
        for (uint256 i = 0; i < payees.length; ++i) {
            address account = payees[i];
            assertEq(token.balanceOf(account), expectedPaid[account], "account received the sum of its leaves");
            assertEq(pool.reputationOf(account), expectedReputation[account], "reputation of the first leaf");
            assertTrue(pool.hasSoul(account), "the first claim mints the soul");
            reputationSum += expectedReputation[account];
        }
        assertEq(pool.totalReputation(), reputationSum, "total reputation");
        assertEq(pool.soulCount(), payees.length, "one soul per account");
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

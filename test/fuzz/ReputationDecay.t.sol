// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {ISoulboundReputation} from "../../contracts/interfaces/ISoulboundReputation.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {DecayReference, ReputationDecayHarness} from "./DecayReference.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";

/// @notice The decay function (invariant 6's building block) against the naive loop of docs/rules.md, for random
/// scores up to 2^64 - 1, up to 1000 epochs and any decayBps: in the library, in the pool's `decayed`, and in the
/// votes of a soul whose epochs become final one after another.
contract ReputationDecayFuzzTest is PoolFuzzBase {
    uint256 internal constant MAX_REPUTATION = type(uint64).max;
    uint256 internal constant MAX_EPOCHS = 1000;

    ReputationDecayHarness internal harness;

    function setUp() public override {
        super.setUp();
        harness = new ReputationDecayHarness();
    }

    /// @dev Values are biased towards the edges the unrolled loop cares about: 0, 1, tiny, near 2^64, and
    /// epoch counts around the unrolling by 8 and around the point where the score reaches 0.
    function _inputs(
        uint256 value,
        uint256 epochs,
        uint256 decayBps
    ) internal pure returns (uint256, uint256, uint256) {
        uint256 kind = value % 5;
        if (kind == 0) value = bound(value >> 8, 0, 20);
        else if (kind == 1) value = MAX_REPUTATION - bound(value >> 8, 0, 1000);
        else value = bound(value >> 8, 0, MAX_REPUTATION);
        epochs = epochs % 3 == 0 ? bound(epochs >> 8, 0, 17) : bound(epochs >> 8, 0, MAX_EPOCHS);
        uint256 bpsKind = decayBps % 4;
        if (bpsKind == 0) decayBps = bound(decayBps >> 8, 0, 2);
        else if (bpsKind == 1) decayBps = 10_000 - bound(decayBps >> 8, 0, 2);
        else decayBps = bound(decayBps >> 8, 0, 10_000);
        return (value, epochs, decayBps);
    }

    function testFuzz_Decay_Library_EqualsNaiveLoop(uint256 value, uint256 epochs, uint256 decayBps) public view {
        (value, epochs, decayBps) = _inputs(value, epochs, decayBps);
        assertEq(
            harness.decay(value, epochs, 10_000 - decayBps),
            DecayReference.decay(value, epochs, decayBps),
            "ReputationDecay.decay == naive loop"
        );
    }

    /// @dev Iterated one-epoch decay: decay(decay(r, a), b) == decay(r, a + b), and it never grows.
    function testFuzz_Decay_Library_ComposesAndNeverGrows(
        uint256 value,
        uint256 a,
        uint256 b,
        uint256 decayBps
    ) public view {
        (value, a, decayBps) = _inputs(value, a, decayBps);
        b = bound(b, 0, MAX_EPOCHS - a);
        uint256 keep = 10_000 - decayBps;
        uint256 once = harness.decay(value, a, keep);
        assertEq(harness.decay(once, b, keep), harness.decay(value, a + b, keep), "decay composes");
        assertLe(once, value, "decay never grows a score");
        assertLe(harness.decay(value, a + b, keep), once, "decay is non-increasing in epochs");
    }

    /// @dev The pool's `decayed` view, on pools deployed with random decayBps.
    function testFuzz_Decay_PoolDecayed_EqualsNaiveLoop(uint256 value, uint256 epochs, uint256 decayBps) public {
        (value, epochs, decayBps) = _inputs(value, epochs, decayBps);
        EpochRewards p = _deployPool(decayBps);
        assertEq(p.decayBps(), decayBps, "decayBps");
        assertEq(p.decayed(value, epochs), DecayReference.decay(value, epochs, decayBps), "decayed == naive loop");
    }

    function testFuzz_Decay_PoolDecayed_AboveMaxReputation_Reverts(uint256 value, uint256 epochs) public {
        value = bound(value, MAX_REPUTATION + 1, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(ISoulboundReputation.ReputationTooLarge.selector, value, MAX_REPUTATION)
        );
        pool.decayed(value, epochs);
    }

    function testFuzz_Constructor_DecayBpsAbove10000_Reverts(uint256 decayBps) public {
        decayBps = bound(decayBps, 10_001, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.InvalidDecayBps.selector, decayBps));
        new EpochRewards(IERC20(address(token)), address(this), 0, CHALLENGE, WINDOW, decayBps, "Rep", "REP");
    }

    /// @dev End to end on a pool with random decayBps: a soul anchored in epoch 1 decays once per epoch that
    /// becomes final, with no transaction, and its past votes and the past total supply follow the same function.
    function testFuzz_Decay_Votes_OneEpochFinalAfterAnother_EqualNaiveLoop(
        uint256 value,
        uint256 decayBps,
        uint256 epochCount,
        address account
    ) public {
        (value, , decayBps) = _inputs(value, 0, decayBps);
        epochCount = bound(epochCount, 1, 24);
        vm.assume(account != address(0));
        pool = _deployPool(decayBps);

        FuzzMerkle.Leaf[] memory leaves = new FuzzMerkle.Leaf[](1);
        leaves[0] = FuzzMerkle.Leaf(0, account, 0, value);
        (uint256 first, bytes32[][] memory tree) = _propose(leaves, 0, value);
        vm.warp(block.timestamp + CHALLENGE);
        _claim(first, leaves[0], FuzzMerkle.proof(tree, 0));
        assertEq(pool.getVotes(account), value, "anchored at the leaf's reputation");

        uint256[] memory finalAt = new uint256[](epochCount + 1);
        finalAt[0] = block.timestamp;
        for (uint256 k = 1; k <= epochCount; ++k) {
            // Another account's leaf: `account` stays idle; the committed total is the pipeline's.
            leaves[0] = FuzzMerkle.Leaf(0, address(0xBEEF), 0, 0);
            _propose(leaves, 0, DecayReference.decay(value, k, decayBps));
            vm.warp(block.timestamp + CHALLENGE - 1);
            assertEq(pool.getVotes(account), DecayReference.decay(value, k - 1, decayBps), "not final yet");
            vm.warp(block.timestamp + 1);
            finalAt[k] = block.timestamp;
            assertEq(pool.getVotes(account), DecayReference.decay(value, k, decayBps), "decays when final");
        }
        vm.warp(block.timestamp + 1);
        for (uint256 k = 0; k <= epochCount; ++k) {
            uint256 expected = DecayReference.decay(value, k, decayBps);
            assertEq(pool.getPastVotes(account, finalAt[k]), expected, "past votes");
            assertEq(pool.getPastTotalSupply(finalAt[k]), expected, "past total supply");
            if (k != 0) {
                assertEq(
                    pool.getPastVotes(account, finalAt[k] - 1),
                    DecayReference.decay(value, k - 1, decayBps),
                    "past votes just before"
                );
            }
        }
    }
}

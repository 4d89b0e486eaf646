// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../contracts/interfaces/ISoulboundReputation.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";

/// @notice A funded pool whose admin, proposer, guardian and recovery role is the test, and helpers to propose
/// random trees.
abstract contract PoolFuzzBase is Test {
    uint256 internal constant START = 1_700_000_000;
    uint32 internal constant CHALLENGE = 1 hours;
    uint32 internal constant WINDOW = 365 days;
    /// @dev The pipeline's default decay (10% an epoch).
    uint256 internal constant DECAY_BPS = 1000;
    /// @dev Below the pool's uint120 `available`, far above any test's totals.
    uint256 internal constant FUNDS = 1e33;

    MockERC20 internal token;
    EpochRewards internal pool;

    function setUp() public virtual {
        vm.warp(START);
        token = new MockERC20("Reward", "RWD", 18);
        pool = _deployPool(DECAY_BPS);
    }

    /// @dev A pool with `decayBps`, every role held by the test, funded with `FUNDS`.
    function _deployPool(uint256 decayBps) internal returns (EpochRewards p) {
        p = new EpochRewards(IERC20(address(token)), address(this), 0, CHALLENGE, WINDOW, decayBps, "Rep", "REP");
        p.grantRole(p.PROPOSER_ROLE(), address(this));
        p.grantRole(p.GUARDIAN_ROLE(), address(this));
        p.grantRole(p.RECOVERY_ROLE(), address(this));
        token.mint(address(this), FUNDS);
        token.approve(address(p), FUNDS);
        p.fund(FUNDS);
    }

    /// @dev Proposes the next epoch with the tree over `leaves`; returns the epoch and the tree's levels.
    function _propose(
        FuzzMerkle.Leaf[] memory leaves,
        uint256 total,
        uint256 reputationTotal
    ) internal returns (uint256 epoch, bytes32[][] memory tree) {
        tree = FuzzMerkle.levels(leaves);
        epoch = pool.latestEpoch() + 1;
        pool.proposeEpoch(
            epoch,
            FuzzMerkle.root(tree),
            total,
            reputationTotal,
            keccak256(abi.encode(epoch)),
            "ipfs://e"
        );
    }

    function _claim(uint256 epoch, FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) internal {
        pool.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof);
    }

    function _claimOf(
        uint256 epoch,
        FuzzMerkle.Leaf memory leaf,
        bytes32[] memory proof
    ) internal pure returns (IEpochRewards.Claim memory) {
        return IEpochRewards.Claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof);
    }

    /// @dev A second claim of a paid leaf reverts `AlreadyClaimed(epoch, account)`, alone and in a batch, however
    /// much of the epoch is left, and pays nothing.
    function _assertSecondClaimFails(uint256 epoch, FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) internal {
        uint256 balance = token.balanceOf(address(pool));
        bytes memory alreadyClaimed = abi.encodeWithSelector(
            ISoulboundReputation.AlreadyClaimed.selector,
            epoch,
            leaf.account
        );
        vm.expectRevert(alreadyClaimed);
        pool.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof);
        IEpochRewards.Claim[] memory replay = new IEpochRewards.Claim[](1);
        replay[0] = _claimOf(epoch, leaf, proof);
        vm.expectRevert(alreadyClaimed);
        pool.claimMany(replay);
        assertEq(token.balanceOf(address(pool)), balance, "a second claim pays nothing");
    }

    /// @dev A leaf's reputation of one of three kinds: 0 (kind 0), a repeated 1,000 (kind 1), or `random` below
    /// 2^bits (any other kind).
    function _someReputation(uint256 kind, uint256 random, uint256 bits) internal pure returns (uint256) {
        if (kind == 0) return 0;
        if (kind == 1) return 1_000;
        return random % (1 << bits);
    }

    function _sum(FuzzMerkle.Leaf[] memory leaves) internal pure returns (uint256 sum) {
        for (uint256 i = 0; i < leaves.length; ++i) sum += leaves[i].amount;
    }

    function _reputationSum(FuzzMerkle.Leaf[] memory leaves) internal pure returns (uint256 sum) {
        for (uint256 i = 0; i < leaves.length; ++i) sum += leaves[i].reputation;
    }

    /// @dev A random permutation of 0..n-1 (Fisher-Yates).
    function _permutation(uint256 seed, uint256 n) internal pure returns (uint256[] memory order) {
        order = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) order[i] = i;
        for (uint256 i = n; i > 1; --i) {
            uint256 j = _rand(seed, i) % i;
            (order[i - 1], order[j]) = (order[j], order[i - 1]);
        }
    }

    function _rand(uint256 seed, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }

    function _rand(uint256 seed, string memory salt, uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt, i)));
    }

    /// @dev Random, non-zero addresses (distinct for distinct `i`) that are neither the pool nor the test.
    function _account(uint256 seed, uint256 i) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(seed, "account", i))) | (1 << 150)));
    }
}

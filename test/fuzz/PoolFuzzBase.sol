// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";

/// @notice A funded pool whose admin, proposer and guardian is the test, and helpers to propose random trees.
abstract contract PoolFuzzBase is Test {
    uint32 internal constant CHALLENGE = 1 hours;
    uint32 internal constant WINDOW = 365 days;
    uint256 internal constant FUNDS = 1e40;

    MockERC20 internal token;
    EpochRewards internal pool;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        token = new MockERC20("Reward", "RWD", 18);
        pool = new EpochRewards(token, address(this), 0, CHALLENGE, WINDOW, "Reputation", "REP");
        pool.grantRole(pool.PROPOSER_ROLE(), address(this));
        pool.grantRole(pool.GUARDIAN_ROLE(), address(this));
        token.mint(address(this), FUNDS);
        token.approve(address(pool), FUNDS);
        pool.fund(FUNDS);
    }

    /// @dev Proposes the next epoch with the tree over `leaves` and the given total; returns the epoch and levels.
    function _propose(
        FuzzMerkle.Leaf[] memory leaves,
        uint256 total
    ) internal returns (uint256 epoch, bytes32[][] memory tree) {
        tree = FuzzMerkle.levels(leaves);
        epoch = pool.latestEpoch() + 1;
        pool.proposeEpoch(epoch, FuzzMerkle.root(tree), total, keccak256(abi.encode(epoch)), "ipfs://epoch");
    }

    function _claim(uint256 epoch, FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) internal {
        pool.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proof);
    }

    function _sum(FuzzMerkle.Leaf[] memory leaves) internal pure returns (uint256 sum) {
        for (uint256 i = 0; i < leaves.length; ++i) sum += leaves[i].amount;
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

    /// @dev One of `accountCount` random, non-zero addresses that are neither the pool nor the test.
    function _account(uint256 seed, uint256 i) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(seed, "account", i))) | (1 << 150)));
    }
}

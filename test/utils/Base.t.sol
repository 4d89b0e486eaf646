// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

/// @notice Shared setup of the concrete tests: a funded pool with every role held by a named user.
abstract contract Base is Test {
    /// @notice One leaf of an epoch tree.
    struct Leaf {
        uint256 index;
        address account;
        uint256 amount;
        uint256 reputation;
    }

    uint48 internal constant ADMIN_DELAY = 1 days;
    uint32 internal constant CHALLENGE = 2 days;
    uint32 internal constant WINDOW = 30 days;
    uint256 internal constant FUNDING = 1_000_000e18;
    uint256 internal constant START = 1_700_000_000;
    string internal constant NAME = "Social Mining Reputation";
    string internal constant SYMBOL = "SMR";

    bytes32 internal constant INPUTS_HASH = keccak256("inputs");
    string internal constant URI = "ipfs://epoch";

    address internal admin;
    address internal proposer;
    address internal guardian;
    address internal recovery;
    address internal alice;
    address internal bob;
    address internal eve;

    MockERC20 internal token;
    EpochRewards internal pool;

    function setUp() public virtual {
        vm.warp(START);
        admin = makeAddr("admin");
        proposer = makeAddr("proposer");
        guardian = makeAddr("guardian");
        recovery = makeAddr("recovery");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        eve = makeAddr("eve");

        token = new MockERC20("Reward", "RWD", 18);
        pool = new EpochRewards(IERC20(address(token)), admin, ADMIN_DELAY, CHALLENGE, WINDOW, NAME, SYMBOL);
        vm.label(address(token), "token");
        vm.label(address(pool), "pool");

        vm.startPrank(admin);
        pool.grantRole(pool.PROPOSER_ROLE(), proposer);
        pool.grantRole(pool.GUARDIAN_ROLE(), guardian);
        pool.grantRole(pool.RECOVERY_ROLE(), recovery);
        vm.stopPrank();

        _fund(admin, FUNDING);
    }

    /*//////////////////////////////////////////////////////////////
                                FUNDING
    //////////////////////////////////////////////////////////////*/

    function _fund(address from, uint256 amount) internal {
        token.mint(from, amount);
        vm.startPrank(from);
        token.approve(address(pool), amount);
        pool.fund(amount);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                TREES
    //////////////////////////////////////////////////////////////*/

    function _leaf(
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation
    ) internal pure returns (Leaf memory) {
        return Leaf(index, account, amount, reputation);
    }

    function _one(Leaf memory a) internal pure returns (Leaf[] memory leaves) {
        leaves = new Leaf[](1);
        leaves[0] = a;
    }

    function _two(Leaf memory a, Leaf memory b) internal pure returns (Leaf[] memory leaves) {
        leaves = new Leaf[](2);
        leaves[0] = a;
        leaves[1] = b;
    }

    function _three(Leaf memory a, Leaf memory b, Leaf memory c) internal pure returns (Leaf[] memory leaves) {
        leaves = new Leaf[](3);
        leaves[0] = a;
        leaves[1] = b;
        leaves[2] = c;
    }

    /// @dev The default tree: alice and bob are paid, eve only has reputation to sync.
    function _defaultLeaves() internal view returns (Leaf[] memory) {
        return _three(_leaf(0, alice, 100e18, 10), _leaf(1, bob, 50e18, 20), _leaf(2, eve, 0, 5));
    }

    function _hashes(Leaf[] memory leaves) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            Leaf memory l = leaves[i];
            hashes[i] = MerkleHelper.leafHash(l.index, l.account, l.amount, l.reputation);
        }
    }

    function _root(Leaf[] memory leaves) internal pure returns (bytes32) {
        return MerkleHelper.root(_hashes(leaves));
    }

    function _proof(Leaf[] memory leaves, uint256 position) internal pure returns (bytes32[] memory) {
        return MerkleHelper.proof(_hashes(leaves), position);
    }

    function _sum(Leaf[] memory leaves) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < leaves.length; ++i) {
            total += leaves[i].amount;
        }
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @dev Proposes `leaves` as `epoch` with their sum as the total.
    function _propose(uint256 epoch, Leaf[] memory leaves) internal returns (bytes32 root) {
        return _propose(epoch, leaves, _sum(leaves));
    }

    function _propose(uint256 epoch, Leaf[] memory leaves, uint256 total) internal returns (bytes32 root) {
        root = _root(leaves);
        vm.prank(proposer);
        pool.proposeEpoch(epoch, root, total, INPUTS_HASH, URI);
    }

    /// @dev Proposes `leaves` as `epoch` and moves to the start of its claim window.
    function _proposeOpen(uint256 epoch, Leaf[] memory leaves) internal returns (bytes32 root) {
        root = _propose(epoch, leaves);
        _open(epoch);
    }

    function _open(uint256 epoch) internal {
        vm.warp(pool.getEpoch(epoch).claimableAt);
    }

    function _expire(uint256 epoch) internal {
        vm.warp(pool.getEpoch(epoch).expiresAt);
    }

    function _veto(uint256 epoch) internal {
        vm.prank(guardian);
        pool.vetoEpoch(epoch, "wrong");
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @dev Claims leaf `position` of `leaves` in `epoch` as `caller`.
    function _claim(address caller, uint256 epoch, Leaf[] memory leaves, uint256 position) internal {
        Leaf memory l = leaves[position];
        bytes32[] memory proof = _proof(leaves, position);
        vm.prank(caller);
        pool.claim(epoch, l.index, l.account, l.amount, l.reputation, proof);
    }

    function _claimOf(
        uint256 epoch,
        Leaf[] memory leaves,
        uint256 position
    ) internal pure returns (IEpochRewards.Claim memory) {
        Leaf memory l = leaves[position];
        return IEpochRewards.Claim(epoch, l.index, l.account, l.amount, l.reputation, _proof(leaves, position));
    }

    /// @dev Number of ERC-20 Transfer events the reward token emitted among `logs`.
    function _tokenTransfers(Vm.Log[] memory logs) internal view returns (uint256 count) {
        bytes32 topic = keccak256("Transfer(address,address,uint256)");
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(token) && logs[i].topics[0] == topic) ++count;
        }
    }

    function _tokenId(address account) internal pure returns (uint256) {
        return uint256(uint160(account));
    }
}

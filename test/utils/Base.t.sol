// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../contracts/interfaces/ISoulboundReputation.sol";
import {IERC5192} from "../../contracts/interfaces/IERC5192.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";
import {MerkleHelper} from "./MerkleHelper.sol";

/// @notice Shared setup of the concrete tests: a funded pool (10% decay an epoch) with every role held by a named
/// user, and helpers to build trees, propose, claim and move through an epoch's life.
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
    uint256 internal constant DECAY_BPS = 1000;
    uint256 internal constant FUNDING = 1_000_000e18;
    uint256 internal constant START = 1_700_000_000;
    uint256 internal constant MAX_REPUTATION = type(uint64).max;
    string internal constant NAME = "Social Mining Reputation";
    string internal constant SYMBOL = "SMR";

    bytes32 internal constant INPUTS_HASH = keccak256("inputs");
    string internal constant URI = "ipfs://epoch";

    /// @dev Topics of the pool's events that tests count.
    bytes32 internal constant VOTES_CHANGED = keccak256("DelegateVotesChanged(address,uint256,uint256)");
    bytes32 internal constant METADATA_UPDATE = keccak256("MetadataUpdate(uint256)");
    bytes32 internal constant LOCKED = keccak256("Locked(uint256)");
    bytes32 internal constant TRANSFER = keccak256("Transfer(address,address,uint256)");
    bytes32 internal constant CLAIMED = keccak256("Claimed(uint256,uint256,address,uint256)");
    bytes32 internal constant EPOCH_VETOED = keccak256("EpochVetoed(uint256,bytes32,address,string)");

    address internal admin;
    address internal proposer;
    address internal guardian;
    address internal recovery;
    address internal alice;
    address internal bob;
    address internal eve;
    /// @dev Holds the only leaf of the "idle" epochs, in which none of the other users has a leaf.
    address internal nobody;

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
        nobody = makeAddr("nobody");

        token = new MockERC20("Reward", "RWD", 18);
        vm.label(address(token), "token");
        _usePool(DECAY_BPS);
    }

    /*//////////////////////////////////////////////////////////////
                                DEPLOYMENT
    //////////////////////////////////////////////////////////////*/

    /// @dev A new pool of `token` decaying `decayBps` an epoch, with the roles granted (not funded).
    function _deployPool(uint256 decayBps) internal returns (EpochRewards) {
        return _deployPool(IERC20(address(token)), decayBps);
    }

    /// @dev A new pool of `rewardToken` decaying `decayBps` an epoch, with the roles granted (not funded).
    function _deployPool(IERC20 rewardToken, uint256 decayBps) internal returns (EpochRewards deployed) {
        deployed = new EpochRewards(rewardToken, admin, ADMIN_DELAY, CHALLENGE, WINDOW, decayBps, NAME, SYMBOL);
        vm.startPrank(admin);
        deployed.grantRole(deployed.PROPOSER_ROLE(), proposer);
        deployed.grantRole(deployed.GUARDIAN_ROLE(), guardian);
        deployed.grantRole(deployed.RECOVERY_ROLE(), recovery);
        vm.stopPrank();
    }

    /// @dev Makes a new pool decaying `decayBps` an epoch, funded with `FUNDING`, the `pool` every helper uses.
    function _usePool(uint256 decayBps) internal {
        pool = _deployPool(decayBps);
        vm.label(address(pool), "pool");
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

    /// @dev The default tree: alice and bob are paid, eve only gains reputation.
    function _defaultLeaves() internal view returns (Leaf[] memory) {
        return _three(_leaf(0, alice, 100e18, 10), _leaf(1, bob, 50e18, 20), _leaf(2, eve, 0, 5));
    }

    /// @dev A wrong tree holding two leaves of alice (1e18 rep 100 and 3e18 rep 300) and one of bob (2e18 rep 200).
    function _twinLeaves() internal view returns (Leaf[] memory) {
        return _three(_leaf(0, alice, 1e18, 100), _leaf(1, alice, 3e18, 300), _leaf(2, bob, 2e18, 200));
    }

    /// @dev The tree of an epoch in which none of alice, bob and eve has a leaf.
    function _idleLeaves() internal view returns (Leaf[] memory) {
        return _one(_leaf(0, nobody, 0, 0));
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

    /// @dev Sum of the leaves' amounts: the epoch's total.
    function _sum(Leaf[] memory leaves) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < leaves.length; ++i) {
            total += leaves[i].amount;
        }
    }

    /// @dev Sum of the leaves' reputations: the default reputation total of an epoch in the tests.
    function _reputationSum(Leaf[] memory leaves) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < leaves.length; ++i) {
            total += leaves[i].reputation;
        }
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @dev Proposes `leaves` as `epoch` with their amounts' sum as the total and their reputations' sum as the
    /// reputation total.
    function _propose(uint256 epoch, Leaf[] memory leaves) internal returns (bytes32 root) {
        return _propose(epoch, leaves, _sum(leaves), _reputationSum(leaves));
    }

    function _propose(uint256 epoch, Leaf[] memory leaves, uint256 total) internal returns (bytes32 root) {
        return _propose(epoch, leaves, total, _reputationSum(leaves));
    }

    function _propose(
        uint256 epoch,
        Leaf[] memory leaves,
        uint256 total,
        uint256 reputationTotal
    ) internal returns (bytes32 root) {
        root = _root(leaves);
        vm.prank(proposer);
        pool.proposeEpoch(epoch, root, total, reputationTotal, INPUTS_HASH, URI);
    }

    /// @dev Proposes an epoch in which none of alice, bob and eve has a leaf, with `reputationTotal`.
    function _proposeIdle(uint256 epoch, uint256 reputationTotal) internal returns (bytes32 root) {
        return _propose(epoch, _idleLeaves(), 0, reputationTotal);
    }

    /// @dev Proposes `leaves` as `epoch` and moves to the start of its claim window.
    function _proposeOpen(uint256 epoch, Leaf[] memory leaves) internal returns (bytes32 root) {
        root = _propose(epoch, leaves);
        _open(epoch);
    }

    /// @dev Proposes `leaves` as `epoch`, moves to the start of its claim window and claims its first `count` leaves
    /// (submitted by eve: anyone may submit).
    function _proposeOpenAndClaim(uint256 epoch, Leaf[] memory leaves, uint256 count) internal {
        _proposeOpen(epoch, leaves);
        for (uint256 i = 0; i < count; ++i) _claim(epoch, leaves, i);
    }

    /// @dev Moves to the end of the challenge period of `epoch`: it is final (and claimable) from then on.
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

    function _pause() internal {
        vm.prank(guardian);
        pool.pause();
    }

    function _unpause() internal {
        vm.prank(guardian);
        pool.unpause();
    }

    function _recover(address from, address to) internal {
        vm.prank(recovery);
        pool.recoverSoul(from, to);
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

    /// @dev Claims leaf `position` of `leaves` in `epoch`, submitted by eve (anyone may submit).
    function _claim(uint256 epoch, Leaf[] memory leaves, uint256 position) internal {
        _claim(eve, epoch, leaves, position);
    }

    function _claimOf(
        uint256 epoch,
        Leaf[] memory leaves,
        uint256 position
    ) internal pure returns (IEpochRewards.Claim memory) {
        Leaf memory l = leaves[position];
        return IEpochRewards.Claim(epoch, l.index, l.account, l.amount, l.reputation, _proof(leaves, position));
    }

    /*//////////////////////////////////////////////////////////////
                            EXPECTATIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Expects the next call, made as `caller`, to revert for lack of `role`.
    function _expectUnauthorized(address caller, bytes32 role) internal {
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
    }

    /// @dev Expects the next call to revert with AlreadyClaimed(epoch, account).
    function _expectAlreadyClaimed(uint256 epoch, address account) internal {
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.AlreadyClaimed.selector, epoch, account));
    }

    /// @dev Expects the events of minting the soul of `account` with `score` (no DelegateVotesChanged for 0), in order.
    function _expectMint(address account, uint256 score) internal {
        uint256 id = _tokenId(account);
        vm.expectEmit(address(pool));
        emit IERC721.Transfer(address(0), account, id);
        vm.expectEmit(address(pool));
        emit IERC5192.Locked(id);
        vm.expectEmit(address(pool));
        emit IVotes.DelegateChanged(account, address(0), account);
        if (score != 0) {
            vm.expectEmit(address(pool));
            emit IVotes.DelegateVotesChanged(account, 0, score);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                LOGS
    //////////////////////////////////////////////////////////////*/

    /// @dev Number of ERC-20 Transfer events the reward token emitted among `logs`.
    function _tokenTransfers(Vm.Log[] memory logs) internal view returns (uint256) {
        return _count(logs, address(token), TRANSFER);
    }

    /// @dev Number of events with `topic` that `emitter` emitted among `logs`.
    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == topic) ++n;
        }
    }

    /// @dev Number of events with `topic` that the pool emitted among `logs`.
    function _count(Vm.Log[] memory logs, bytes32 topic) internal view returns (uint256) {
        return _count(logs, address(pool), topic);
    }

    /// @dev Asserts that no score and no token metadata changed in `logs`: no DelegateVotesChanged, no MetadataUpdate.
    function _assertNoScoreChange(Vm.Log[] memory logs) internal view {
        assertEq(_count(logs, VOTES_CHANGED), 0, "no DelegateVotesChanged");
        assertEq(_count(logs, METADATA_UPDATE), 0, "no MetadataUpdate");
    }

    /*//////////////////////////////////////////////////////////////
                                SOULS
    //////////////////////////////////////////////////////////////*/

    /// @dev Asserts the anchor of `account`: the reputation it carries, its epoch, and since when it applies.
    function _assertAnchor(address account, uint256 value, uint256 anchorEpoch, uint256 since) internal view {
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(account);
        assertEq(r.value, value, "anchor value");
        assertEq(r.anchorEpoch, anchorEpoch, "anchor epoch");
        assertEq(r.since, since, "anchor since");
    }

    /// @dev Asserts the claim record of the soul of `account`: its newest claimed epoch, the bitmap of its claimed
    /// epochs, and how many replaced anchors it keeps for the past.
    function _assertClaims(
        address account,
        uint256 lastClaimedEpoch,
        uint256 claimedEpochs,
        uint256 historyLength
    ) internal view {
        ISoulboundReputation.SoulRecord memory r = pool.soulRecord(account);
        assertEq(r.lastClaimedEpoch, lastClaimedEpoch, "last claimed epoch");
        assertEq(r.claimedEpochs, claimedEpochs, "claimed epochs");
        assertEq(r.historyLength, historyLength, "history length");
    }

    function _tokenId(address account) internal pure returns (uint256) {
        return uint256(uint160(account));
    }

    function _state(uint256 epoch) internal view returns (uint8) {
        return uint8(pool.epochState(epoch));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IEpochRewards} from "./interfaces/IEpochRewards.sol";
import {SoulboundReputation} from "./SoulboundReputation.sol";

/// @title Social Mining reward pool: one Merkle root per epoch, and the soulbound reputation its claims sync
/// @notice See `IEpochRewards` and `ISoulboundReputation`. One deployment holds one reward token.
/// @dev The reputation token lives in this contract (inherited) so that a claim syncs it without an external
/// call, and so that "only the pool writes reputation" holds by construction.
/// Accounting: `_available` is what no live epoch reserves. Claims never touch it: they only move the
/// epoch's own `claimed` towards its `total`, and tokens leave the pool. Hence at all times
/// `balance >= _available + Σ over live epochs (total - claimed)`.
contract EpochRewards is
    IEpochRewards,
    SoulboundReputation,
    AccessControlDefaultAdminRules,
    Pausable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @inheritdoc IEpochRewards
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc IEpochRewards
    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");

    uint256 private constant MIN_CLAIM_WINDOW = 1 days;
    uint256 private constant MAX_DURATION = 5 * 365 days;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Two slots read by every claim; a third only by views.
    struct Epoch {
        bytes32 root; // zero: never proposed, or vetoed
        uint32 claimableAt;
        uint32 expiresAt;
        uint96 total;
        uint96 claimed;
        bytes32 inputsHash;
    }

    IERC20 private immutable _token;

    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(uint256 epoch => BitMaps.BitMap) private _claimedLeaves;
    BitMaps.BitMap private _swept;

    uint256 private _available;
    uint32 private _latestEpoch;
    uint32 private _challengePeriod;
    uint32 private _claimWindow;

    /*//////////////////////////////////////////////////////////////
                                CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param token_ The reward token.
    /// @param admin The default admin (the DAO's timelock or multisig); transfers of this role take two steps.
    /// @param adminTransferDelay Delay of the two-step admin transfer, in seconds.
    /// @param challengePeriod Seconds during which the guardian may veto a proposed root.
    /// @param claimWindow Seconds during which a root can be claimed after its challenge period.
    /// @param name_ Name of the reputation token.
    /// @param symbol_ Symbol of the reputation token.
    constructor(
        IERC20 token_,
        address admin,
        uint48 adminTransferDelay,
        uint32 challengePeriod,
        uint32 claimWindow,
        string memory name_,
        string memory symbol_
    ) SoulboundReputation(name_, symbol_) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (address(token_) == address(0)) revert ZeroAddress();
        _token = token_;
        _setDurations(challengePeriod, claimWindow);
    }

    /*//////////////////////////////////////////////////////////////
                                FUNDING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc IEpochRewards
    function fund(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        _available += received;
        emit Funded(msg.sender, amount, received);
    }

    /// @inheritdoc IEpochRewards
    function available() external view returns (uint256) {
        return _available;
    }

    /// @inheritdoc IEpochRewards
    function outstanding() external view returns (uint256 sum) {
        uint256 latest = _latestEpoch;
        for (uint256 epoch = 1; epoch <= latest; ++epoch) {
            EpochState state = epochState(epoch);
            if (state == EpochState.Challenge || state == EpochState.Claimable || state == EpochState.Expired) {
                sum += _epochs[epoch].total - _epochs[epoch].claimed;
            }
        }
    }

    /// @inheritdoc IEpochRewards
    function withdraw(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 free = _available;
        if (amount > free) revert WithdrawExceedsAvailable(amount, free);
        _available = free - amount;
        emit Withdrawn(to, amount);
        _token.safeTransfer(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    function proposeEpoch(
        uint256 epoch,
        bytes32 root,
        uint256 total,
        bytes32 inputsHash,
        string calldata uri
    ) external onlyRole(PROPOSER_ROLE) whenNotPaused {
        uint256 latest = _latestEpoch;
        EpochState state = epochState(epoch);
        if (epoch != latest + 1 && state != EpochState.Vetoed) {
            revert EpochNotProposable(epoch, latest + 1, state);
        }
        if (root == bytes32(0)) revert ZeroRoot(epoch);
        if (total > type(uint96).max) revert TotalTooLarge(total, type(uint96).max);
        uint256 free = _available;
        if (total > free) revert InsufficientAvailable(total, free);

        _available = free - total;
        // Timestamps fit 32 bits until 2106; durations are at most 5 years each.
        uint32 claimableAt = uint32(block.timestamp) + _challengePeriod;
        uint32 expiresAt = claimableAt + _claimWindow;
        _epochs[epoch] = Epoch({
            root: root,
            claimableAt: claimableAt,
            expiresAt: expiresAt,
            total: uint96(total),
            claimed: 0,
            inputsHash: inputsHash
        });
        // epoch <= latest + 1 < 2^32: epochs are proposed one at a time from 1.
        if (epoch > latest) _latestEpoch = uint32(epoch);
        emit EpochProposed(epoch, root, total, inputsHash, uri, claimableAt, expiresAt);
    }

    /// @inheritdoc IEpochRewards
    function vetoEpoch(uint256 epoch, string calldata reason) external onlyRole(GUARDIAN_ROLE) {
        Epoch storage e = _epochs[epoch];
        bytes32 root = e.root;
        if (root == bytes32(0)) _revertNotLive(epoch);
        if (block.timestamp >= e.claimableAt) revert ChallengeClosed(epoch, e.claimableAt);

        _available += e.total;
        delete _epochs[epoch];
        emit EpochVetoed(epoch, root, msg.sender, reason);
    }

    /// @inheritdoc IEpochRewards
    function sweep(uint256 epoch) external nonReentrant {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) _revertNotLive(epoch);
        if (block.timestamp < e.expiresAt) revert EpochNotExpired(epoch, e.expiresAt);
        if (_swept.get(epoch)) revert EpochAlreadySwept(epoch);

        uint256 released = e.total - e.claimed;
        _swept.set(epoch);
        _available += released;
        emit EpochSwept(epoch, released);
    }

    /// @inheritdoc IEpochRewards
    function setDurations(uint32 challengePeriod, uint32 claimWindow) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDurations(challengePeriod, claimWindow);
    }

    /// @inheritdoc IEpochRewards
    function durations() external view returns (uint32 challengePeriod, uint32 claimWindow) {
        return (_challengePeriod, _claimWindow);
    }

    /// @inheritdoc IEpochRewards
    function latestEpoch() external view returns (uint256) {
        return _latestEpoch;
    }

    /// @inheritdoc IEpochRewards
    function epochState(uint256 epoch) public view returns (EpochState) {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) {
            return (epoch == 0 || epoch > _latestEpoch) ? EpochState.None : EpochState.Vetoed;
        }
        if (block.timestamp < e.claimableAt) return EpochState.Challenge;
        if (block.timestamp < e.expiresAt) return EpochState.Claimable;
        return _swept.get(epoch) ? EpochState.Swept : EpochState.Expired;
    }

    /// @inheritdoc IEpochRewards
    function getEpoch(uint256 epoch) external view returns (EpochView memory) {
        Epoch storage e = _epochs[epoch];
        return
            EpochView({
                state: epochState(epoch),
                root: e.root,
                inputsHash: e.inputsHash,
                total: e.total,
                claimed: e.claimed,
                claimableAt: e.claimableAt,
                expiresAt: e.expiresAt
            });
    }

    /// @inheritdoc IEpochRewards
    function isClaimed(uint256 epoch, uint256 index) external view returns (bool) {
        return _claimedLeaves[epoch].get(index);
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    function claim(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) external whenNotPaused nonReentrant {
        _recordClaim(epoch, index, account, amount, reputation, proof);
        _syncReputation(account, epoch, reputation);
        if (amount != 0) _token.safeTransfer(account, amount);
    }

    /// @inheritdoc IEpochRewards
    function claimMany(Claim[] calldata claims) external whenNotPaused nonReentrant {
        uint256 count = claims.length;
        if (count == 0) revert EmptyBatch();

        // Effects first: record every leaf and sync each account once; then pay each run of claims once.
        address[] memory payees = new address[](count);
        uint256[] memory owed = new uint256[](count);
        uint256 runs = 0;
        address account = address(0);
        uint256 newestEpoch = 0;
        uint256 newestReputation = 0;
        for (uint256 i = 0; i < count; ++i) {
            Claim calldata c = claims[i];
            _recordClaim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
            if (i == 0 || c.account != account) {
                if (i != 0) _syncReputation(account, newestEpoch, newestReputation);
                account = c.account;
                payees[runs] = account;
                newestEpoch = 0;
                // Cannot overflow: runs <= i < count.
                unchecked {
                    ++runs;
                }
            }
            // Cannot overflow: amounts of one run are bounded by the epochs' uint96 totals, checked above.
            unchecked {
                owed[runs - 1] += c.amount;
            }
            if (c.epoch > newestEpoch) {
                newestEpoch = c.epoch;
                newestReputation = c.reputation;
            }
        }
        _syncReputation(account, newestEpoch, newestReputation);

        for (uint256 i = 0; i < runs; ++i) {
            if (owed[i] != 0) _token.safeTransfer(payees[i], owed[i]);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                RECOVERY & PAUSE
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves a lost soul to a new address. Only the recovery role. See `ISoulboundReputation`.
    function recoverSoul(address from, address to) external onlyRole(RECOVERY_ROLE) {
        _recoverSoul(from, to);
    }

    /// @notice Stops claims and proposals (never vetoes or sweeps). Only the guardian.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @notice Resumes claims and proposals. Only the guardian.
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    /// @notice ERC-165: ERC-721, ERC-721 metadata, ERC-5192, access control.
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(SoulboundReputation, AccessControlDefaultAdminRules) returns (bool) {
        return
            SoulboundReputation.supportsInterface(interfaceId) ||
            AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks the window, the bitmap, the proof and the epoch's cap; records the leaf as claimed.
    function _recordClaim(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) private {
        Epoch storage e = _epochs[epoch];
        bytes32 root = _requireClaimable(epoch, e);
        BitMaps.BitMap storage leaves = _claimedLeaves[epoch];
        if (leaves.get(index)) revert AlreadyClaimed(epoch, index);
        if (!MerkleProof.verifyCalldata(proof, root, _leafHash(index, account, amount, reputation))) {
            revert InvalidProof(epoch, index, account, amount, reputation);
        }
        uint256 claimed = e.claimed;
        uint256 total = e.total;
        if (amount > total - claimed) revert EpochTotalExceeded(epoch, claimed, amount, total);

        // Fits 96 bits: claimed + amount <= total < 2^96.
        e.claimed = uint96(claimed + amount);
        leaves.set(index);
        emit Claimed(epoch, index, account, amount);
    }

    /// @dev The epoch's root, if the epoch is claimable now.
    function _requireClaimable(uint256 epoch, Epoch storage e) private view returns (bytes32 root) {
        root = e.root;
        if (root == bytes32(0)) _revertNotLive(epoch);
        uint256 claimableAt = e.claimableAt;
        if (block.timestamp < claimableAt) revert EpochInChallenge(epoch, claimableAt);
        uint256 expiresAt = e.expiresAt;
        if (block.timestamp >= expiresAt) revert EpochExpired(epoch, expiresAt);
    }

    /// @dev The standard double-hashed leaf of OpenZeppelin's `StandardMerkleTree` (DESIGN §3.2).
    function _leafHash(
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation
    ) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation))));
    }

    function _setDurations(uint32 challengePeriod, uint32 claimWindow) private {
        if (claimWindow < MIN_CLAIM_WINDOW || claimWindow > MAX_DURATION || challengePeriod > MAX_DURATION) {
            revert InvalidDurations(challengePeriod, claimWindow);
        }
        _challengePeriod = challengePeriod;
        _claimWindow = claimWindow;
        emit DurationsSet(challengePeriod, claimWindow);
    }

    /// @dev Reverts for an epoch whose root is zero: never proposed, or vetoed.
    function _revertNotLive(uint256 epoch) private view {
        if (epoch == 0 || epoch > _latestEpoch) revert EpochNotProposed(epoch);
        revert EpochIsVetoed(epoch);
    }
}

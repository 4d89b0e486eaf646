// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEpochRewards} from "../interfaces/IEpochRewards.sol";

/// @title Gas floor probe of the raised-reputation claim and of `claimMany` (bench/gas.ts)
/// @notice A measuring instrument, not a product contract: never deployed to a public network. It does only what any
/// pool meeting the project's guarantees must do in those two claims, with the same calldata as `EpochRewards`, and
/// nothing else: no access control, no pause, no claim window, no decay, no bitmap, no mint events.
/// @dev Per epoch: the root in its own slot (read cold) and the unclaimed amount in another (read and written: an
/// epoch never pays more than its total). Per account: one soul slot holding the anchor (value 64 bits | epoch 32 |
/// since 32) and the claimed epochs (bit 128 + epoch % 128). A raise keeps the old 128-bit anchor for past vote
/// lookups in a history slot that is always fresh (keyed by the new anchor's epoch): the worst case of a raise.
/// Pays with one SafeERC20 transfer per call and emits the events a claim must emit: `Claimed` per leaf (or one
/// `ClaimedBatch` per batch when constructed `aggregated`), ERC-4906 `MetadataUpdate`, IVotes `DelegateVotesChanged`.
contract GasFloorProbe {
    using SafeERC20 for IERC20;

    /// @notice One event for a whole `claimMany` batch, in place of one `Claimed` per leaf.
    event ClaimedBatch(address indexed account, uint256[] epochs, uint256[] indexes, uint256[] amounts);

    /// @notice ERC-4906: the metadata of `_tokenId` changed.
    event MetadataUpdate(uint256 _tokenId);

    /// @notice IVotes: the votes of `delegate` changed.
    event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes);

    error InvalidProof();
    error EpochTotalExceeded();
    error AlreadyClaimed();
    error MixedAccounts();

    IERC20 private immutable _token;
    bool private immutable _aggregated;

    mapping(uint256 epoch => bytes32) private _roots;
    mapping(uint256 epoch => uint256) private _unclaimed;
    mapping(address account => uint256) private _souls;
    mapping(address account => mapping(uint256 epoch => uint256)) private _history;

    /// @param token The reward token; the probe must hold what it pays.
    /// @param aggregated `claimMany` emits one `ClaimedBatch` instead of one `Claimed` per leaf.
    constructor(IERC20 token, bool aggregated) {
        _token = token;
        _aggregated = aggregated;
    }

    /// @notice Sets an epoch's root and its unclaimed amount (set-up of the measurement, not measured).
    function setEpoch(uint256 epoch, bytes32 root, uint256 total) external {
        _roots[epoch] = root;
        _unclaimed[epoch] = total;
    }

    /// @notice The raised-reputation claim: root, cap, proof, soul, fresh history slot, one transfer, three events.
    function claim(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) external {
        _spend(epoch, index, account, amount, reputation, proof);
        emit IEpochRewards.Claimed(epoch, index, account, amount);
        uint256 soul = _markClaimed(_souls[account], epoch);
        _commit(account, soul, epoch, reputation);
        _token.safeTransfer(account, amount);
    }

    /// @notice The leaves of one account: per leaf root, cap and proof; one soul write, one fresh history slot, one
    /// transfer; `Claimed` per leaf, or one `ClaimedBatch`.
    function claimMany(IEpochRewards.Claim[] calldata claims) external {
        uint256 count = claims.length;
        address account = claims[0].account;
        uint256 soul = _souls[account];
        uint256 owed = 0;
        uint256[] memory epochs;
        uint256[] memory indexes;
        uint256[] memory amounts;
        if (_aggregated) {
            epochs = new uint256[](count);
            indexes = new uint256[](count);
            amounts = new uint256[](count);
        }
        for (uint256 i = 0; i < count; ++i) {
            IEpochRewards.Claim calldata c = claims[i];
            if (c.account != account) revert MixedAccounts();
            _spend(c.epoch, c.index, account, c.amount, c.reputation, c.proof);
            if (_aggregated) {
                epochs[i] = c.epoch;
                indexes[i] = c.index;
                amounts[i] = c.amount;
            } else {
                emit IEpochRewards.Claimed(c.epoch, c.index, account, c.amount);
            }
            soul = _markClaimed(soul, c.epoch);
            owed += c.amount;
        }
        if (_aggregated) emit ClaimedBatch(account, epochs, indexes, amounts);
        IEpochRewards.Claim calldata last = claims[count - 1];
        _commit(account, soul, last.epoch, last.reputation);
        _token.safeTransfer(account, owed);
    }

    /// @dev Root (cold read), proof, cap (read and write of the epoch's unclaimed amount).
    function _spend(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) private {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation))));
        if (!MerkleProof.verifyCalldata(proof, _roots[epoch], leaf)) revert InvalidProof();
        uint256 unclaimed = _unclaimed[epoch];
        if (amount > unclaimed) revert EpochTotalExceeded();
        _unclaimed[epoch] = unclaimed - amount;
    }

    /// @dev Sets the claimed bit of `epoch` in a soul.
    function _markClaimed(uint256 soul, uint256 epoch) private pure returns (uint256) {
        uint256 bit = 1 << (128 + (epoch % 128));
        if (soul & bit != 0) revert AlreadyClaimed();
        return soul | bit;
    }

    /// @dev Keeps the old anchor in a fresh history slot, writes the soul with its new anchor, emits the soul's events.
    function _commit(address account, uint256 soul, uint256 epoch, uint256 reputation) private {
        uint256 old = uint128(soul);
        if (old != 0) _history[account][epoch] = old;
        uint256 anchor =
            uint256(uint64(reputation)) | (uint256(uint32(epoch)) << 64) | (uint256(uint32(block.timestamp)) << 96);
        _souls[account] = ((soul >> 128) << 128) | uint128(anchor);
        emit MetadataUpdate(uint256(uint160(account)));
        emit DelegateVotesChanged(account, uint64(old), uint64(reputation));
    }
}

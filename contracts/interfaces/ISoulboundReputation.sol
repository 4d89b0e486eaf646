// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC5192} from "./IERC5192.sol";

/// @title Soulbound reputation that decays by itself, with voting power
/// @notice One soul per account: an ERC-721 token that can never move (ERC-5192, always locked) whose score is
/// the account's reputation. The score is the account's voting power (ERC-5805 with an ERC-6372 timestamp clock),
/// so an OpenZeppelin `Governor` can count it.
///
/// How a score is computed: a claim of the reward pool records the reputation of the claimed leaf together with
/// the leaf's epoch (the soul's *anchor*). At any time `t`, the score is the anchor decayed over the epochs that
/// became final since the anchor's epoch: `decay(value, finalEpochAt(t) - anchorEpoch)` (see `ReputationDecay`).
/// An epoch is final once its challenge period is over (it can no longer be vetoed). Nobody has to act for a
/// score to decay, and a claim that carries exactly the decayed score changes nothing but the claimed record.
///
/// Total supply: `getPastTotalSupply(t)` is the pipeline's total reputation of the epoch final at `t`, committed
/// with the epoch's root. It counts every account's reputation, claimed or not, so it is never below the sum of
/// `getPastVotes` and exceeds it by exactly the (decayed) reputation not yet claimed: a quorum errs on the safe side.
/// @dev The token id of a soul is the holder's address as an integer: `tokenId = uint256(uint160(holder))`.
/// A soul is always its own delegate: `delegates(holder) == holder` without any delegation being written, and
/// `delegate`/`delegateBySig` revert. Scores are stored as uint64. Decay changes every score when an epoch becomes
/// final without a transaction: the pool announces it with `BatchMetadataUpdate` when the epoch is proposed.
interface ISoulboundReputation is IERC721Metadata, IERC4906, IERC5192, IERC5805 {
    /*//////////////////////////////////////////////////////////////
                                TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Everything stored about an account's soul.
    struct SoulRecord {
        uint64 value; // reputation carried by the anchor, as of `anchorEpoch`
        uint32 anchorEpoch; // epoch of the anchor; the score decays from it
        uint32 since; // timestamp from which the anchor applies (0: never held a soul)
        uint32 lastClaimedEpoch; // newest epoch the account has claimed (for a recovered soul: the recovery's barrier)
        uint64 claimedEpochs; // bit i set: epoch `lastClaimedEpoch - i` was claimed by this account
        uint32 historyLength; // anchors older than the current one, kept for past lookups
        bool recoveredAway; // the soul was moved to another address by a recovery
    }

    /*//////////////////////////////////////////////////////////////
                                EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The recovery role moved a lost soul `from` to `to`, with its score (as of now) and its anchor.
    /// Leaves of `to` in epochs up to `barrierEpoch` (proposed before the recovery) no longer change its score.
    event SoulRecovered(address indexed from, address indexed to, uint256 reputation, uint256 barrierEpoch);

    /*//////////////////////////////////////////////////////////////
                                ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Souls never move: every transfer reverts.
    error SoulboundTransfer(uint256 tokenId, address from, address to);

    /// @notice Souls never move: approvals are meaningless and revert.
    error SoulboundApproval(address operator);

    /// @notice Voting power is the reputation of the soul itself and cannot be delegated.
    error ReputationNotDelegable(address account, address delegatee);

    /// @notice `account` holds no soul.
    error SoulNotFound(address account);

    /// @notice `account` has claimed before, holds a soul or once held one: it cannot receive a recovered soul.
    error SoulAlreadyExists(address account);

    /// @notice A past lookup asked for `timepoint`, which is not before the current `clock`.
    error ERC5805FutureLookup(uint256 timepoint, uint48 clock);

    /// @notice A reputation value does not fit the 64 bits a soul stores.
    error ReputationTooLarge(uint256 reputation, uint256 max);

    /// @notice The leaf of `account` in `epoch` was already claimed.
    error AlreadyClaimed(uint256 epoch, address account);

    /// @notice A decay above 10000 basis points (100%) an epoch.
    error InvalidDecayBps(uint256 decayBps);

    /*//////////////////////////////////////////////////////////////
                                VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The largest score a leaf may carry, and the largest total reputation of an epoch: 2^64 - 1.
    function MAX_REPUTATION() external view returns (uint256);

    /// @notice Decay of an idle score each epoch, in basis points (immutable).
    function decayBps() external view returns (uint256);

    /// @notice `reputation` after `epochs` idle epochs: the decay function both the pool and the pipeline apply.
    function decayed(uint256 reputation, uint256 epochs) external view returns (uint256);

    /// @notice The current reputation of `account` (0 without a soul). Equal to `getVotes(account)`.
    function reputationOf(address account) external view returns (uint256);

    /// @notice The newest epoch `account` has claimed; 0 if it never claimed or its soul was recovered away.
    function lastSyncedEpoch(address account) external view returns (uint256);

    /// @notice Everything stored about the soul of `account` (all zero if it never claimed).
    function soulRecord(address account) external view returns (SoulRecord memory);

    /// @notice Whether `account` holds a soul.
    function hasSoul(address account) external view returns (bool);

    /// @notice The token id of the soul held by `account`; reverts with `SoulNotFound` without one.
    function soulOf(address account) external view returns (uint256 tokenId);

    /// @notice The total reputation now: `getPastTotalSupply` at the current time (see the contract notice).
    function totalReputation() external view returns (uint256);

    /// @notice Number of souls that exist now.
    function soulCount() external view returns (uint256);

    /// @notice ERC-5805: the nonce of `owner` for `delegateBySig`. Always 0: reputation is not delegable.
    function nonces(address owner) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                                RECOVERY
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves the soul of a lost wallet `from` to `to`, with its score. Only the recovery role.
    /// @dev `to` must never have claimed. `from` keeps its voting history up to now, has no votes afterwards and
    /// can never hold a soul again; its unclaimed leaves still pay tokens to `from` but no longer change any score.
    /// Leaves of `to` in epochs proposed before the recovery (up to the latest epoch now, the barrier) pay tokens
    /// but do not change the recovered score: they were computed without the lost account's reputation. The next
    /// epoch computed with the recovery (docs/runbook.md: recovery) carries the merged reputation.
    /// Emits `Transfer` (burn and mint), `Locked`, `DelegateChanged`, `DelegateVotesChanged` and `SoulRecovered`.
    function recoverSoul(address from, address to) external;
}

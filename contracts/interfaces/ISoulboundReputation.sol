// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC5192} from "./IERC5192.sol";

/// @title Soulbound, decaying reputation with voting power
/// @notice One soul per account: an ERC-721 token that can never move (ERC-5192, always locked) whose score is
/// the account's reputation, set by claims of the reward pool. The score is the account's voting power
/// (ERC-5805 with an ERC-6372 timestamp clock), so an OpenZeppelin `Governor` can count it.
/// @dev The token id of a soul is the holder's address as an integer: `tokenId = uint256(uint160(holder))`.
/// A soul is always its own delegate: `delegates(holder) == holder` without any delegation being written,
/// and `delegate`/`delegateBySig` revert. Reputation values are stored as uint64.
interface ISoulboundReputation is IERC721Metadata, IERC5192, IERC5805 {
    /*//////////////////////////////////////////////////////////////
                                EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A lost soul was moved by the recovery role to a new address, with its score and last epoch.
    event SoulRecovered(address indexed from, address indexed to, uint256 reputation, uint256 lastEpoch);

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

    /// @notice `account` already holds a soul (or once held one that was recovered away) and cannot receive one.
    error SoulAlreadyExists(address account);

    /// @notice A past lookup asked for `timepoint`, which is not before the current `clock`.
    error ERC5805FutureLookup(uint256 timepoint, uint48 clock);

    /// @notice A reputation value does not fit the 64 bits a soul stores.
    error ReputationTooLarge(uint256 reputation, uint256 max);

    /*//////////////////////////////////////////////////////////////
                                VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The current reputation of `account` (0 without a soul). Equal to `getVotes(account)`.
    function reputationOf(address account) external view returns (uint256);

    /// @notice The last epoch whose claim synced the reputation of `account`; 0 without a soul.
    function lastSyncedEpoch(address account) external view returns (uint256);

    /// @notice Whether `account` holds a soul.
    function hasSoul(address account) external view returns (bool);

    /// @notice The token id of the soul held by `account`; reverts with `SoulNotFound` without one.
    function soulOf(address account) external view returns (uint256 tokenId);

    /// @notice Sum of the reputation of every soul (the total voting supply now).
    function totalReputation() external view returns (uint256);

    /// @notice Number of souls that exist now.
    function soulCount() external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                                RECOVERY
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves the soul of a lost wallet `from` to `to`, with its score and last synced epoch.
    /// @dev Only the recovery role. `from` keeps its voting history up to now and can never hold a soul again;
    /// `to` must never have held one. Emits `Transfer` (burn and mint), `Locked`, `DelegateChanged`,
    /// `DelegateVotesChanged` and `SoulRecovered`.
    /// @dev Warning: reward leaves of `from` in epochs not yet claimed still pay `from`, and pipeline runs after
    /// the recovery must credit prior reputation to `to` (see docs/runbook.md).
    function recoverSoul(address from, address to) external;
}

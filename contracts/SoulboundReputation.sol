// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {ISoulboundReputation} from "./interfaces/ISoulboundReputation.sol";
import {CompactCheckpoints} from "./libraries/CompactCheckpoints.sol";

/// @title Soulbound reputation: ERC-721 + ERC-5192 + ERC-5805, written only by the reward pool that inherits it
/// @notice See `ISoulboundReputation`. The reward pool (`EpochRewards`) is the only writer: it calls
/// `_syncReputation` from its claims and exposes `recoverSoul` to its recovery role.
/// @dev Storage of a soul is a single slot (a `CompactCheckpoints.Trace` head): current and previous score with
/// their timestamps, the history length, and the last synced epoch in the tag. Owner and balance follow from it
/// (`tokenId` is the holder's address), and the holder is its own delegate without any write.
abstract contract SoulboundReputation is ISoulboundReputation, IERC721Errors {
    using CompactCheckpoints for CompactCheckpoints.Trace;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Tag of an account whose soul was recovered away: it can never hold a soul again, and as the highest
    /// epoch number it makes every later sync a no-op.
    uint32 private constant RECOVERED = type(uint32).max;

    string private _name;
    string private _symbol;

    mapping(address account => CompactCheckpoints.Trace) private _souls;

    /// @dev Total reputation over time; the tag counts the souls.
    CompactCheckpoints.Trace private _supply;

    constructor(string memory name_, string memory symbol_) {
        _name = name_;
        _symbol = symbol_;
    }

    /*//////////////////////////////////////////////////////////////
                            REPUTATION VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISoulboundReputation
    function reputationOf(address account) public view returns (uint256) {
        return _souls[account].load().value;
    }

    /// @inheritdoc ISoulboundReputation
    function lastSyncedEpoch(address account) external view returns (uint256) {
        uint32 tag = _souls[account].load().tag;
        return tag == RECOVERED ? 0 : tag;
    }

    /// @inheritdoc ISoulboundReputation
    function hasSoul(address account) public view returns (bool) {
        uint32 tag = _souls[account].load().tag;
        return tag != 0 && tag != RECOVERED;
    }

    /// @inheritdoc ISoulboundReputation
    function soulOf(address account) external view returns (uint256) {
        if (!hasSoul(account)) revert SoulNotFound(account);
        return uint256(uint160(account));
    }

    /// @inheritdoc ISoulboundReputation
    function totalReputation() external view returns (uint256) {
        return _supply.load().value;
    }

    /// @inheritdoc ISoulboundReputation
    function soulCount() external view returns (uint256) {
        return _supply.load().tag;
    }

    /*//////////////////////////////////////////////////////////////
                          ERC-5805 / ERC-6372 VOTES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC6372
    function clock() public view returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @inheritdoc IERC6372
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice The voting power of `account` now: its reputation.
    function getVotes(address account) external view returns (uint256) {
        return reputationOf(account);
    }

    /// @notice The voting power of `account` at a past `timepoint` (a timestamp).
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _souls[account].upperLookup(_pastKey(timepoint));
    }

    /// @notice The sum of all reputation at a past `timepoint` (a timestamp).
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _supply.upperLookup(_pastKey(timepoint));
    }

    /// @notice A soul is its own delegate; an account without a soul has none.
    function delegates(address account) external view returns (address) {
        return hasSoul(account) ? account : address(0);
    }

    /// @notice Always reverts: reputation is not delegable.
    function delegate(address delegatee) external view {
        revert ReputationNotDelegable(msg.sender, delegatee);
    }

    /// @notice Always reverts: reputation is not delegable.
    function delegateBySig(address delegatee, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert ReputationNotDelegable(address(0), delegatee);
    }

    /*//////////////////////////////////////////////////////////////
                          ERC-721 / ERC-5192
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice On-chain JSON metadata of a soul: holder, reputation and last synced epoch.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        address holder = _requireSoul(tokenId);
        CompactCheckpoints.Head memory h = _souls[holder].load();
        string memory json = string.concat(
            '{"name":"',
            _name,
            " #",
            Strings.toString(tokenId),
            '","description":"Soulbound reputation of ',
            Strings.toChecksumHexString(holder),
            '. It cannot be transferred; it decays every epoch and grows with rewarded work.","attributes":[',
            '{"trait_type":"Reputation","value":',
            Strings.toString(h.value),
            '},{"trait_type":"Last epoch","value":',
            Strings.toString(h.tag),
            "}]}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return hasSoul(owner) ? 1 : 0;
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address) {
        return _requireSoul(tokenId);
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireSoul(tokenId);
        return true;
    }

    /// @notice Always reverts: souls never move.
    function transferFrom(address from, address to, uint256 tokenId) external pure {
        revert SoulboundTransfer(tokenId, from, to);
    }

    /// @notice Always reverts: souls never move.
    function safeTransferFrom(address from, address to, uint256 tokenId) external pure {
        revert SoulboundTransfer(tokenId, from, to);
    }

    /// @notice Always reverts: souls never move.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata) external pure {
        revert SoulboundTransfer(tokenId, from, to);
    }

    /// @notice Always reverts: souls never move, so nothing can be approved.
    function approve(address to, uint256) external pure {
        revert SoulboundApproval(to);
    }

    /// @notice Always reverts: souls never move, so nothing can be approved.
    function setApprovalForAll(address operator, bool) external pure {
        revert SoulboundApproval(operator);
    }

    /// @notice No soul has an approved operator. Reverts for a token that does not exist.
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireSoul(tokenId);
        return address(0);
    }

    /// @notice No soul has an approved operator.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view virtual returns (bool) {
        return
            interfaceId == type(IERC721).interfaceId ||
            interfaceId == type(IERC721Metadata).interfaceId ||
            interfaceId == type(IERC5192).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Sets the reputation of `account` to `reputation` if `epoch` is newer than its last synced epoch;
    /// the first sync mints the soul.
    function _syncReputation(address account, uint256 epoch, uint256 reputation) internal {
        CompactCheckpoints.Trace storage soul = _souls[account];
        CompactCheckpoints.Head memory h = soul.load();
        // Also skips accounts recovered away: their tag is the highest epoch number.
        if (epoch <= h.tag) return;
        if (reputation > type(uint64).max) revert ReputationTooLarge(reputation, type(uint64).max);

        bool minted = h.tag == 0;
        // A wrong tree could hold a zero-amount leaf for the zero address: never mint a soul there.
        if (minted && account == address(0)) revert ERC721InvalidReceiver(address(0));
        uint64 previous = h.value;
        // Epoch numbers are checked by the pool to fit 32 bits.
        h.tag = uint32(epoch);
        if (previous == reputation) {
            soul.store(h);
            if (minted) {
                _addToSupply(0, 0, true);
                _emitMint(account);
            }
            return;
        }
        uint32 key = _nowKey();
        soul.push(h, key, uint64(reputation));
        soul.store(h);
        _addToSupply(previous, uint64(reputation), minted);
        if (minted) _emitMint(account);
        emit DelegateVotesChanged(account, previous, reputation);
    }

    /// @dev Moves the soul of `from` to `to`. The caller checks the recovery role.
    function _recoverSoul(address from, address to) internal {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        CompactCheckpoints.Trace storage source = _souls[from];
        CompactCheckpoints.Trace storage target = _souls[to];
        CompactCheckpoints.Head memory s = source.load();
        CompactCheckpoints.Head memory t = target.load();
        if (s.tag == 0 || s.tag == RECOVERED) revert SoulNotFound(from);
        if (t.tag != 0) revert SoulAlreadyExists(to);

        uint64 score = s.value;
        uint32 lastEpoch = s.tag;
        uint32 key = _nowKey();
        source.push(s, key, 0);
        s.tag = RECOVERED;
        source.store(s);
        target.push(t, key, score);
        t.tag = lastEpoch;
        target.store(t);

        uint256 fromId = uint256(uint160(from));
        emit Transfer(from, address(0), fromId);
        emit DelegateChanged(from, from, address(0));
        emit DelegateVotesChanged(from, score, 0);
        _emitMint(to);
        emit DelegateVotesChanged(to, 0, score);
        emit SoulRecovered(from, to, score, lastEpoch);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    function _addToSupply(uint64 previous, uint64 next, bool minted) private {
        CompactCheckpoints.Head memory s = _supply.load();
        if (minted) {
            // Cannot overflow: one soul per address minted by a claim, far below 2^32 in practice; checked anyway.
            s.tag = SafeCast.toUint32(uint256(s.tag) + 1);
        }
        if (previous != next) {
            // The total is the sum of uint64 scores; it is bounded to uint64 as well.
            uint256 total = uint256(s.value) + next - previous;
            if (total > type(uint64).max) revert ReputationTooLarge(total, type(uint64).max);
            _supply.push(s, _nowKey(), uint64(total));
        }
        _supply.store(s);
    }

    function _emitMint(address account) private {
        uint256 tokenId = uint256(uint160(account));
        emit Transfer(address(0), account, tokenId);
        emit Locked(tokenId);
        emit DelegateChanged(account, address(0), account);
    }

    function _requireSoul(uint256 tokenId) private view returns (address holder) {
        if (tokenId > type(uint160).max) revert ERC721NonexistentToken(tokenId);
        holder = address(uint160(tokenId));
        if (!hasSoul(holder)) revert ERC721NonexistentToken(tokenId);
    }

    function _nowKey() private view returns (uint32) {
        return SafeCast.toUint32(block.timestamp);
    }

    function _pastKey(uint256 timepoint) private view returns (uint32) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert ERC5805FutureLookup(timepoint, now_);
        // timepoint < now_ < 2^32 while block timestamps fit 32 bits (until 2106).
        return uint32(timepoint);
    }
}

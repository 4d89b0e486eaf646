// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {ISoulboundReputation} from "./interfaces/ISoulboundReputation.sol";
import {ReputationDecay} from "./libraries/ReputationDecay.sol";
import {SoulLedger} from "./libraries/SoulLedger.sol";
import {SoulMetadata} from "./SoulMetadata.sol";

/// @title Soulbound reputation that decays by itself: ERC-721 + ERC-5192 + ERC-5805 + ERC-4906
/// @notice See `ISoulboundReputation`. The reward pool (`EpochRewards`) inherits this contract and is its only
/// writer: its claims apply leaves to souls and its recovery role moves souls.
/// @dev A soul is one storage slot (`SoulLedger.Soul`): the anchor (score, its epoch, since when), the account's
/// claimed epochs and the length of its anchor history. The score at time `t` is the anchor in force at `t` decayed
/// over `finalEpochAt(t) - anchorEpoch` epochs, so decay needs no write. The epochs' finality times and their
/// total reputation live in the pool, which provides them through the three hooks below.
abstract contract SoulboundReputation is ISoulboundReputation, IERC721Errors {
    using SoulLedger for SoulLedger.Ledger;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISoulboundReputation
    uint256 public constant MAX_REPUTATION = type(uint64).max;

    /// @dev ERC-4906 interface id.
    bytes4 private constant ERC4906_INTERFACE_ID = 0x49064906;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    string private _name;
    string private _symbol;
    /// @dev `10000 - decayBps`: the share of a score that an epoch keeps.
    uint256 private immutable _keepBps;
    /// @dev `ReputationDecay.factorOf(_keepBps)`, so that decay loops multiply by a constant.
    uint256 private immutable _decayFactor;
    /// @dev Renders `tokenURI`, deployed with this contract.
    SoulMetadata private immutable _metadata;

    SoulLedger.Ledger private _ledger;
    uint256 private _soulCount;

    /// @param name_ Name of the reputation token.
    /// @param symbol_ Symbol of the reputation token.
    /// @param decayBps_ Decay of an idle score each epoch, in basis points (at most 10000).
    constructor(string memory name_, string memory symbol_, uint256 decayBps_) {
        if (decayBps_ > ReputationDecay.BPS) revert InvalidDecayBps(decayBps_);
        _name = name_;
        _symbol = symbol_;
        _keepBps = ReputationDecay.BPS - decayBps_;
        _decayFactor = ReputationDecay.factorOf(ReputationDecay.BPS - decayBps_);
        _metadata = new SoulMetadata();
    }

    /*//////////////////////////////////////////////////////////////
                        HOOKS (IMPLEMENTED BY THE POOL)
    //////////////////////////////////////////////////////////////*/

    /// @dev The newest epoch whose challenge period ended by `timepoint`, knowing that epoch `lowerBound` had.
    function _finalEpochAt(uint256 timepoint, uint256 lowerBound) internal view virtual returns (uint256);

    /// @dev The total reputation committed with `epoch`.
    function _reputationTotalOf(uint256 epoch) internal view virtual returns (uint256);

    /// @dev The newest live epoch.
    function _latestLiveEpoch() internal view virtual returns (uint256);

    /*//////////////////////////////////////////////////////////////
                            REPUTATION VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISoulboundReputation
    function decayBps() external view returns (uint256) {
        return ReputationDecay.BPS - _keepBps;
    }

    /// @inheritdoc ISoulboundReputation
    function decayed(uint256 reputation, uint256 epochs) external view returns (uint256) {
        if (reputation > MAX_REPUTATION) revert ReputationTooLarge(reputation, MAX_REPUTATION);
        return ReputationDecay.decayBy(reputation, epochs, _decayFactor);
    }

    /// @inheritdoc ISoulboundReputation
    function reputationOf(address account) public view returns (uint256) {
        SoulLedger.Soul memory s = _ledger.load(account);
        if (s.since == 0) return 0;
        return _scoreAt(s.value, s.anchorEpoch, block.timestamp);
    }

    /// @inheritdoc ISoulboundReputation
    function lastSyncedEpoch(address account) external view returns (uint256) {
        SoulLedger.Soul memory s = _ledger.load(account);
        return s.recoveredAway ? 0 : s.lastClaimedEpoch;
    }

    /// @inheritdoc ISoulboundReputation
    function soulRecord(address account) external view returns (SoulRecord memory) {
        SoulLedger.Soul memory s = _ledger.load(account);
        return
            SoulRecord({
                value: s.value,
                anchorEpoch: s.anchorEpoch,
                since: s.since,
                lastClaimedEpoch: s.lastClaimedEpoch,
                claimedEpochs: s.claimedEpochs,
                historyLength: s.historyLength,
                recoveredAway: s.recoveredAway
            });
    }

    /// @inheritdoc ISoulboundReputation
    function hasSoul(address account) public view returns (bool) {
        SoulLedger.Soul memory s = _ledger.load(account);
        return s.lastClaimedEpoch != 0 && !s.recoveredAway;
    }

    /// @inheritdoc ISoulboundReputation
    function soulOf(address account) external view returns (uint256) {
        if (!hasSoul(account)) revert SoulNotFound(account);
        return uint256(uint160(account));
    }

    /// @inheritdoc ISoulboundReputation
    function totalReputation() external view returns (uint256) {
        return _totalAt(block.timestamp);
    }

    /// @inheritdoc ISoulboundReputation
    function soulCount() external view returns (uint256) {
        return _soulCount;
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

    /// @notice The voting power of `account` now: its reputation, decayed to the newest final epoch.
    function getVotes(address account) external view returns (uint256) {
        return reputationOf(account);
    }

    /// @notice The voting power of `account` at a past `timepoint` (a timestamp).
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        _requirePast(timepoint);
        (bool found, uint256 value, uint256 anchorEpoch) = _ledger.anchorAt(account, timepoint);
        if (!found) return 0;
        return _scoreAt(value, anchorEpoch, timepoint);
    }

    /// @notice The total voting supply at a past `timepoint`: the total reputation committed with the epoch final
    /// then. It is at least the sum of every soul's `getPastVotes` (see `ISoulboundReputation`).
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        _requirePast(timepoint);
        return _totalAt(timepoint);
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

    /// @inheritdoc ISoulboundReputation
    function nonces(address) external pure returns (uint256) {
        return 0;
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

    /// @notice On-chain JSON metadata of a soul: holder, reputation as of now, and its epochs.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        address holder = _requireSoul(tokenId);
        SoulLedger.Soul memory s = _ledger.load(holder);
        return _metadata.render(_name, holder, reputationOf(holder), s.lastClaimedEpoch, s.anchorEpoch);
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
            interfaceId == ERC4906_INTERFACE_ID ||
            interfaceId == type(IERC165).interfaceId;
    }

    /*//////////////////////////////////////////////////////////////
                        INTERNAL: CLAIMS AND RECOVERY
    //////////////////////////////////////////////////////////////*/

    /// @dev Loads the soul of `account` for `_applyClaim` and `_commitSoul`.
    function _loadSoul(address account) internal view returns (SoulLedger.Soul memory) {
        return _ledger.load(account);
    }

    /// @dev Records the claim of `account`'s leaf in `epoch` on the loaded soul `s` (not yet saved). If `epoch` is
    /// newer than every claimed epoch, the leaf's `reputation` becomes the anchor unless it equals the anchor decayed
    /// to `epoch` (then nothing about the score changes). An older epoch only marks the leaf as claimed.
    /// @return anchored Whether the leaf became the anchor.
    function _applyClaim(
        SoulLedger.Soul memory s,
        address account,
        uint256 epoch,
        uint256 reputation
    ) internal view returns (bool anchored) {
        // Refused in any claim order: a leaf that could never be the anchor is a wrong tree.
        if (reputation > MAX_REPUTATION) revert ReputationTooLarge(reputation, MAX_REPUTATION);
        bool newest = epoch > s.lastClaimedEpoch;
        if (!SoulLedger.markClaimed(s, epoch)) revert AlreadyClaimed(epoch, account);
        if (!newest || s.recoveredAway) return false;
        if (s.since != 0 && reputation == ReputationDecay.decayBy(s.value, epoch - s.anchorEpoch, _decayFactor))
            return false;
        SoulLedger.setAnchor(s, uint64(reputation), uint32(epoch));
        return true;
    }

    /// @dev Saves the soul of `account`, changed into `s` from the anchor `before` (`SoulLedger.anchorOf`), with the
    /// events of what changed when a leaf became its anchor (`anchored`).
    function _commitSoul(address account, SoulLedger.Soul memory s, uint256 before, bool anchored) internal {
        _ledger.save(account, s);
        if (!anchored) return;
        uint256 tokenId = uint256(uint160(account));
        bool minted = before >> 96 == 0;
        if (minted) {
            // A wrong tree could hold a zero-amount leaf for the zero address: never mint a soul there.
            if (account == address(0)) revert ERC721InvalidReceiver(address(0));
            // Cannot overflow: one soul per address.
            unchecked {
                ++_soulCount;
            }
            emit Transfer(address(0), account, tokenId);
            emit Locked(tokenId);
            emit DelegateChanged(account, address(0), account);
        } else {
            emit MetadataUpdate(tokenId);
        }
        // Both anchors were final now; the older one bounds the search for the epoch final now.
        uint256 anchorBefore = uint32(before >> 64);
        uint256 epoch = _finalEpochAt(
            block.timestamp,
            minted || s.anchorEpoch < anchorBefore ? s.anchorEpoch : anchorBefore
        );
        uint256 previous = minted ? 0 : ReputationDecay.decayBy(uint64(before), epoch - anchorBefore, _decayFactor);
        uint256 current = ReputationDecay.decayBy(s.value, epoch - s.anchorEpoch, _decayFactor);
        if (current != previous) emit DelegateVotesChanged(account, previous, current);
    }

    /// @dev Moves the soul of `from` to `to`. The caller checks the recovery role.
    function _recoverSoul(address from, address to) internal {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        SoulLedger.Soul memory lost = _ledger.load(from);
        if (lost.lastClaimedEpoch == 0 || lost.recoveredAway) revert SoulNotFound(from);
        if (_ledger.load(to).lastClaimedEpoch != 0) revert SoulAlreadyExists(to);

        uint256 score = _scoreAt(lost.value, lost.anchorEpoch, block.timestamp);
        uint256 barrier = _latestLiveEpoch();
        // `to` takes the anchor as it is, from now on; leaves of `to` up to `barrier` no longer set its score.
        SoulLedger.Soul memory found = SoulLedger.Soul({
            value: lost.value,
            anchorEpoch: lost.anchorEpoch,
            since: uint32(block.timestamp),
            lastClaimedEpoch: uint32(barrier),
            claimedEpochs: 0,
            historyLength: 0,
            recoveredAway: false,
            pendingEntry: 0
        });
        _ledger.save(to, found);
        // `from` keeps its claimed epochs (its leaves still pay once) and its history; its score is 0 from now on.
        SoulLedger.setAnchor(lost, 0, lost.anchorEpoch);
        lost.recoveredAway = true;
        _ledger.save(from, lost);

        uint256 fromId = uint256(uint160(from));
        uint256 toId = uint256(uint160(to));
        emit Transfer(from, address(0), fromId);
        emit DelegateChanged(from, from, address(0));
        if (score != 0) emit DelegateVotesChanged(from, score, 0);
        emit Transfer(address(0), to, toId);
        emit Locked(toId);
        emit DelegateChanged(to, address(0), to);
        if (score != 0) emit DelegateVotesChanged(to, 0, score);
        emit SoulRecovered(from, to, score, barrier);
    }

    /// @dev Whether `account` claimed its leaf in `epoch` (within the 64 epochs up to its newest claim).
    function _isClaimedBy(uint256 epoch, address account) internal view returns (bool) {
        return SoulLedger.isClaimed(_ledger.load(account), epoch);
    }

    /*//////////////////////////////////////////////////////////////
                                PRIVATE
    //////////////////////////////////////////////////////////////*/

    /// @dev The score of an anchor `(value, anchorEpoch)` at `timepoint` (at or after the anchor took effect).
    function _scoreAt(uint256 value, uint256 anchorEpoch, uint256 timepoint) private view returns (uint256) {
        if (value == 0) return 0;
        uint256 epoch = _finalEpochAt(timepoint, anchorEpoch);
        return ReputationDecay.decayBy(value, epoch - anchorEpoch, _decayFactor);
    }

    function _totalAt(uint256 timepoint) private view returns (uint256) {
        uint256 epoch = _finalEpochAt(timepoint, 0);
        return epoch == 0 ? 0 : _reputationTotalOf(epoch);
    }

    function _requireSoul(uint256 tokenId) private view returns (address holder) {
        if (tokenId > type(uint160).max) revert ERC721NonexistentToken(tokenId);
        holder = address(uint160(tokenId));
        if (!hasSoul(holder)) revert ERC721NonexistentToken(tokenId);
    }

    function _requirePast(uint256 timepoint) private view {
        uint48 now_ = clock();
        if (timepoint >= now_) revert ERC5805FutureLookup(timepoint, now_);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEpochRewards} from "./interfaces/IEpochRewards.sol";
import {SoulboundReputation} from "./SoulboundReputation.sol";
import {SoulLedger} from "./libraries/SoulLedger.sol";

/// @title Social Mining reward pool: one Merkle root per epoch, and the soulbound reputation its claims anchor
/// @notice See `IEpochRewards` and `ISoulboundReputation`. One deployment holds one reward token.
/// @dev The reputation token lives in this contract (inherited) so that a claim writes the soul without an external
/// call, and so that "only the pool writes reputation" holds by construction.
/// Accounting: `available` is what no live epoch reserves. Claims never touch it: they only move the epoch's own
/// `claimed` towards its `total`, and tokens leave the pool. Hence at all times
/// `balance >= available + Σ over live epochs (total - claimed)`.
/// Pause: a claim reads only its epoch's two slots, so the pause flag is copied into the second slot of every epoch
/// still open when the pause begins (at most `MAX_OPEN_EPOCHS`), and unpausing adds to each of them the time it
/// spent paused while claimable. This saves a global read in every claim; a pause or unpause costs up to 64 slot
/// writes. Pausing is therefore the pool's own rather than OpenZeppelin's `Pausable`.
contract EpochRewards is IEpochRewards, SoulboundReputation, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    bytes32 public constant PROPOSER_ROLE = keccak256("PROPOSER_ROLE");
    /// @inheritdoc IEpochRewards
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc IEpochRewards
    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");
    /// @inheritdoc IEpochRewards
    uint256 public constant MAX_EPOCH_TOTAL = type(uint96).max;
    /// @inheritdoc IEpochRewards
    uint256 public constant MAX_OPEN_EPOCHS = SoulLedger.CLAIM_WINDOW;

    uint256 private constant MIN_CLAIM_WINDOW = 1 days;
    uint256 private constant MAX_DURATION = 5 * 365 days;

    uint8 private constant VETOED = 1;
    uint8 private constant SWEPT = 2;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Three slots: the root; what every claim reads and writes, and the search for the final epoch reads; what
    /// views and sweeps read.
    struct Epoch {
        bytes32 root; // zero: never proposed, or vetoed
        uint32 claimableAt; // non-decreasing with the epoch number
        uint32 expiresAt; // end of the claim window, moved by pauses
        uint96 unclaimed; // total - claimed
        bool paused; // the pool is paused and this epoch was open when the pause began
        // The `claimableAt` of the epochs before this one in its node of the 4-ary search tree (`_finalEpochAt`):
        // epoch n = (4k + d) * 4^v holds those of (4k + 1) * 4^v (if d >= 2) and (4k + 2) * 4^v (if d == 3).
        uint32 firstKey;
        uint32 secondKey;
        uint96 total;
        uint64 reputationTotal;
        uint8 flags; // VETOED, SWEPT
    }

    /// @dev What a proposal reads and writes, in one slot.
    struct PoolState {
        uint120 available;
        uint32 latestEpoch; // newest live epoch
        uint32 latestClaimableAt; // its claimableAt
        uint32 challengePeriod; // applied to epochs proposed from now on
        uint32 claimWindow; // idem
        bool paused;
    }

    /// @dev When the current pause began, and how long earlier pauses lasted.
    struct PauseClock {
        uint32 pausedAt;
        uint32 pausedTotal;
    }

    IERC20 private immutable _token;

    mapping(uint256 epoch => Epoch) private _epochs;
    PoolState private _state;
    PauseClock private _pauseClock;

    /*//////////////////////////////////////////////////////////////
                                CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param token_ The reward token.
    /// @param admin The default admin (the DAO's timelock or multisig); transfers of this role take two steps.
    /// @param adminTransferDelay Delay of the two-step admin transfer, in seconds.
    /// @param challengePeriod Seconds during which the guardian may veto a proposed root.
    /// @param claimWindow Seconds during which a root can be claimed after its challenge period (pauses excluded).
    /// @param decayBps_ Decay of an idle reputation each epoch, in basis points; the pipeline's `rules.decayBps`.
    /// @param name_ Name of the reputation token.
    /// @param symbol_ Symbol of the reputation token.
    constructor(
        IERC20 token_,
        address admin,
        uint48 adminTransferDelay,
        uint32 challengePeriod,
        uint32 claimWindow,
        uint256 decayBps_,
        string memory name_,
        string memory symbol_
    ) SoulboundReputation(name_, symbol_, decayBps_) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
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
        _state.available = SafeCast.toUint120(_state.available + received);
        emit Funded(msg.sender, amount, received);
    }

    /// @inheritdoc IEpochRewards
    function available() external view returns (uint256) {
        return _state.available;
    }

    /// @inheritdoc IEpochRewards
    function outstanding() external view returns (uint256 sum) {
        uint256 latest = _state.latestEpoch;
        for (uint256 epoch = 1; epoch <= latest; ++epoch) {
            Epoch storage e = _epochs[epoch];
            if (e.flags & SWEPT == 0) sum += e.unclaimed;
        }
    }

    /// @inheritdoc IEpochRewards
    function withdraw(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 free = _state.available;
        if (amount > free) revert WithdrawExceedsAvailable(amount, free);
        // Fits 120 bits: below `free`.
        _state.available = uint120(free - amount);
        emit Withdrawn(to, amount);
        _token.safeTransfer(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IEpochRewards
    // `uri` in memory: six calldata arguments with a string overflow the stack of the tests' non-IR build.
    // solhint-disable-next-line gas-calldata-parameters
    function proposeEpoch(
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 reputationTotal,
        bytes32 inputsHash,
        string memory uri
    ) external onlyRole(PROPOSER_ROLE) {
        PoolState memory st = _state;
        if (st.paused) revert EnforcedPause();
        uint256 next = uint256(st.latestEpoch) + 1;
        if (epoch != next) revert EpochNotProposable(epoch, next, epochState(epoch));
        if (root == bytes32(0)) revert ZeroRoot(epoch);
        if (total > MAX_EPOCH_TOTAL) revert TotalTooLarge(total, MAX_EPOCH_TOTAL);
        if (reputationTotal > MAX_REPUTATION) revert ReputationTooLarge(reputationTotal, MAX_REPUTATION);
        if (total > st.available) revert InsufficientAvailable(total, st.available);
        _requireRoomFor(epoch);
        (uint256 claimableAt, uint256 expiresAt) = _storeEpoch(epoch, root, total, reputationTotal, st);
        emit EpochProposed(
            epoch,
            root,
            total,
            reputationTotal,
            inputsHash,
            uri,
            uint64(claimableAt),
            uint64(expiresAt)
        );
        // Every score decays once more when this epoch becomes final.
        emit BatchMetadataUpdate(0, type(uint160).max);
    }

    /// @inheritdoc IEpochRewards
    function vetoEpoch(uint256 epoch, string calldata reason) external onlyRole(GUARDIAN_ROLE) {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) _revertNotLive(epoch);
        if (block.timestamp >= e.claimableAt) revert ChallengeClosed(epoch, e.claimableAt);

        PoolState memory st = _state;
        // Later epochs become final no earlier than this one, so they are all in their challenge period too, with
        // nothing claimed.
        for (uint256 n = st.latestEpoch; n >= epoch; --n) {
            Epoch storage vetoed = _epochs[n];
            bytes32 root = vetoed.root;
            st.available += vetoed.unclaimed;
            delete _epochs[n];
            vetoed.flags = VETOED;
            emit EpochVetoed(n, root, msg.sender, reason);
        }
        st.latestEpoch = uint32(epoch - 1);
        st.latestClaimableAt = _epochs[epoch - 1].claimableAt;
        _saveState(st);
    }

    /// @inheritdoc IEpochRewards
    function sweep(uint256 epoch) external nonReentrant {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) _revertNotLive(epoch);
        if (e.paused || block.timestamp < e.expiresAt) revert EpochNotExpired(epoch, _expiryOf(e));
        if (e.flags & SWEPT != 0) revert EpochAlreadySwept(epoch);

        uint256 released = e.unclaimed;
        e.flags |= SWEPT;
        // Fits: released tokens were reserved out of `available`.
        _state.available = uint120(_state.available + released);
        emit EpochSwept(epoch, released);
    }

    /// @inheritdoc IEpochRewards
    function setDurations(uint32 challengePeriod, uint32 claimWindow) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDurations(challengePeriod, claimWindow);
    }

    /// @inheritdoc IEpochRewards
    function durations() external view returns (uint32 challengePeriod, uint32 claimWindow) {
        PoolState memory st = _state;
        return (st.challengePeriod, st.claimWindow);
    }

    /// @inheritdoc IEpochRewards
    function latestEpoch() external view returns (uint256) {
        return _state.latestEpoch;
    }

    /// @inheritdoc IEpochRewards
    function finalEpochAt(uint256 timepoint) external view returns (uint256) {
        return _finalEpochAt(timepoint, 0);
    }

    /// @inheritdoc IEpochRewards
    function epochState(uint256 epoch) public view returns (EpochState) {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) return e.flags & VETOED != 0 ? EpochState.Vetoed : EpochState.None;
        if (block.timestamp < e.claimableAt) return EpochState.Challenge;
        if (e.paused || block.timestamp < e.expiresAt) return EpochState.Claimable;
        return e.flags & SWEPT != 0 ? EpochState.Swept : EpochState.Expired;
    }

    /// @inheritdoc IEpochRewards
    function getEpoch(uint256 epoch) external view returns (EpochView memory) {
        Epoch storage e = _epochs[epoch];
        bool live = e.root != bytes32(0);
        return
            EpochView({
                state: epochState(epoch),
                root: e.root,
                total: e.total,
                claimed: e.total - e.unclaimed,
                reputationTotal: e.reputationTotal,
                claimableAt: e.claimableAt,
                expiresAt: live ? uint64(_expiryOf(e)) : 0
            });
    }

    /// @inheritdoc IEpochRewards
    function isClaimed(uint256 epoch, address account) external view returns (bool) {
        return _isClaimedBy(epoch, account);
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
    ) external {
        // No reentrancy guard: every effect precedes the one external call (the transfer), so a token hook that
        // calls back finds this leaf claimed and the soul saved (docs/threat-model.md).
        (Epoch storage e, uint256 times) = _verifyLeaf(epoch, index, account, amount, reputation, proof);
        SoulLedger.Soul memory soul = _loadSoul(account);
        uint256 before = SoulLedger.anchorOf(soul);
        bool anchored = _applyClaim(soul, account, epoch, reputation);
        _spendLeaf(e, times, epoch, index, account, amount);
        _commitSoul(account, soul, before, anchored);
        _pay(account, amount);
    }

    /// @inheritdoc IEpochRewards
    function claimMany(Claim[] calldata claims) external nonReentrant {
        uint256 count = claims.length;
        if (count == 0) revert EmptyBatch();

        // One run per account: its soul is loaded once, changed by each of its claims, saved, and then paid once.
        address account = claims[0].account;
        SoulLedger.Soul memory soul = _loadSoul(account);
        uint256 before = SoulLedger.anchorOf(soul);
        bool anchored = false;
        uint256 owed = 0;
        for (uint256 i = 0; i < count; ++i) {
            Claim calldata c = claims[i];
            if (c.account != account) {
                _commitSoul(account, soul, before, anchored);
                _pay(account, owed);
                account = c.account;
                soul = _loadSoul(account);
                before = SoulLedger.anchorOf(soul);
                anchored = false;
                owed = 0;
            }
            (Epoch storage e, uint256 times) = _verifyLeaf(
                c.epoch,
                c.index,
                c.account,
                c.amount,
                c.reputation,
                c.proof
            );
            if (_applyClaim(soul, account, c.epoch, c.reputation)) anchored = true;
            _spendLeaf(e, times, c.epoch, c.index, c.account, c.amount);
            // Cannot overflow: each amount was checked against its epoch's uint96 total.
            unchecked {
                owed += c.amount;
            }
        }
        _commitSoul(account, soul, before, anchored);
        _pay(account, owed);
    }

    /*//////////////////////////////////////////////////////////////
                                RECOVERY & PAUSE
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves a lost soul to a new address. Only the recovery role. See `ISoulboundReputation`.
    function recoverSoul(address from, address to) external onlyRole(RECOVERY_ROLE) {
        _recoverSoul(from, to);
    }

    /// @inheritdoc IEpochRewards
    function pause() external onlyRole(GUARDIAN_ROLE) {
        PoolState memory st = _state;
        if (st.paused) revert EnforcedPause();
        st.paused = true;
        _saveState(st);
        _pauseClock.pausedAt = uint32(block.timestamp);
        // Epochs older than the open ones have expired (see `_requireRoomFor`).
        uint256 latest = st.latestEpoch;
        for (uint256 n = _oldestOpen(latest); n <= latest; ++n) {
            Epoch storage e = _epochs[n];
            if (block.timestamp < e.expiresAt) e.paused = true;
        }
        emit Paused(msg.sender);
    }

    /// @inheritdoc IEpochRewards
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        PoolState memory st = _state;
        if (!st.paused) revert ExpectedPause();
        PauseClock memory clock_ = _pauseClock;
        uint256 latest = st.latestEpoch;
        for (uint256 n = _oldestOpen(latest); n <= latest; ++n) {
            Epoch storage e = _epochs[n];
            if (!e.paused) continue;
            // Fits 32 bits before 2106: the pause's length is below the current timestamp.
            e.expiresAt = uint32(e.expiresAt + _pausedWhileClaimable(e.claimableAt, clock_.pausedAt));
            e.paused = false;
        }
        // Fits 32 bits: a duration below the current timestamp.
        _pauseClock = PauseClock(0, uint32(clock_.pausedTotal + (block.timestamp - clock_.pausedAt)));
        st.paused = false;
        _saveState(st);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IEpochRewards
    function paused() external view returns (bool) {
        return _state.paused;
    }

    /// @inheritdoc IEpochRewards
    function pausedDuration() external view returns (uint256) {
        PauseClock memory clock_ = _pauseClock;
        return _state.paused ? clock_.pausedTotal + (block.timestamp - clock_.pausedAt) : clock_.pausedTotal;
    }

    /// @notice ERC-165: ERC-721, ERC-721 metadata, ERC-4906, ERC-5192, access control.
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(SoulboundReputation, AccessControlDefaultAdminRules) returns (bool) {
        return
            SoulboundReputation.supportsInterface(interfaceId) ||
            AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }

    /*//////////////////////////////////////////////////////////////
                        HOOKS OF THE REPUTATION TOKEN
    //////////////////////////////////////////////////////////////*/

    /// @dev Epochs become final in order (`claimableAt` never decreases with the epoch number) and a final epoch is
    /// never vetoed, so the answer is a search over the live epochs' `claimableAt`, between `lowerBound` (final at
    /// `timepoint`: a soul's anchor epoch, or 0) and the latest. The latest is answered from the pool's slot, and the
    /// epoch after a soul's anchor (a soul that claims every epoch) is probed first; then a descent of the implicit
    /// 4-ary tree over the epoch numbers: the node of the block [base, base + 4p) is epoch base + 3p, whose slot holds
    /// the `claimableAt` of base + p, base + 2p and base + 3p (base + 2p holds those of base + p and base + 2p, for a
    /// block not yet complete). One slot per level: log4(latest) + 1 slots at most, where a binary search reads
    /// log2(latest).
    function _finalEpochAt(uint256 timepoint, uint256 lowerBound) internal view override returns (uint256) {
        PoolState memory st = _state;
        uint256 high = st.latestEpoch;
        if (timepoint >= st.latestClaimableAt) return high;
        // Invariant: epoch `low` is final at `timepoint` (or is 0), epoch `high` is not.
        uint256 low = lowerBound;
        if (high - low <= 1) return low;
        if (low != 0) {
            if (_epochs[low + 1].claimableAt > timepoint) return low;
            low += 1;
        }
        // The block [base, base + 4p) holds [low, high]; base <= low. Unchecked: epoch numbers are below 2^32.
        unchecked {
            uint256 p = 1;
            while (p * 4 <= high) p *= 4;
            uint256 base = 0;
            while (high - low > 1) {
                uint256 first = base + p;
                uint256 second = first + p;
                uint256 third = second + p;
                if (third < high) {
                    if (third <= low) {
                        base = third;
                    } else {
                        Epoch storage node = _epochs[third];
                        if (node.claimableAt <= timepoint) base = third;
                        else if (node.secondKey <= timepoint) (base, high) = (second, third);
                        else if (node.firstKey <= timepoint) (base, high) = (first, second);
                        else high = first;
                    }
                } else if (second < high) {
                    if (second <= low) {
                        base = second;
                    } else {
                        Epoch storage node = _epochs[second];
                        if (node.claimableAt <= timepoint) base = second;
                        else if (node.firstKey <= timepoint) (base, high) = (first, second);
                        else high = first;
                    }
                } else if (first < high) {
                    if (first <= low || _epochs[first].claimableAt <= timepoint) base = first;
                    else high = first;
                }
                if (base > low) low = base;
                p >>= 2;
            }
        }
        return low;
    }

    function _reputationTotalOf(uint256 epoch) internal view override returns (uint256) {
        return _epochs[epoch].reputationTotal;
    }

    function _latestLiveEpoch() internal view override returns (uint256) {
        return _state.latestEpoch;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks that the epoch is claimable and the leaf is in its tree. The claim then goes through the soul
    /// (`_applyClaim`: claimed before?) and the epoch's cap (`_spendLeaf`), in that order.
    function _verifyLeaf(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) private view returns (Epoch storage e, uint256 times) {
        e = _epochs[epoch];
        bytes32 root = e.root;
        if (root == bytes32(0)) _revertNotLive(epoch);
        // The second slot whole, read once (its fields one by one would read it again after the proof): claimableAt |
        // expiresAt << 32 | unclaimed << 64 | paused << 160 | the search keys above.
        assembly ("memory-safe") {
            times := sload(add(e.slot, 1))
        }
        // The pool's pause is copied into every open epoch: a claim reads no global state.
        if ((times >> 160) & 0xff != 0) revert EnforcedPause();
        uint256 claimableAt = uint32(times);
        if (block.timestamp < claimableAt) revert EpochInChallenge(epoch, claimableAt);
        uint256 expiresAt = uint32(times >> 32);
        if (block.timestamp >= expiresAt) revert EpochExpired(epoch, expiresAt);
        if (!MerkleProof.verifyCalldata(proof, root, _leafHash(index, account, amount, reputation))) {
            revert InvalidProof(epoch, index, account, amount, reputation);
        }
    }

    /// @dev Counts a verified leaf's amount against its epoch's total: `times` is the epoch's second slot as
    /// `_verifyLeaf` read it (nothing writes it in between), written back with the new `unclaimed`.
    function _spendLeaf(
        Epoch storage e,
        uint256 times,
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount
    ) private {
        uint256 unclaimed = uint96(times >> 64);
        if (amount > unclaimed) revert EpochTotalExceeded(epoch, e.total - unclaimed, amount, e.total);
        // Cannot underflow: checked above; the result fits the 96 bits of `unclaimed`.
        unchecked {
            times = (times & ~(uint256(type(uint96).max) << 64)) | ((unclaimed - amount) << 64);
        }
        assembly ("memory-safe") {
            sstore(add(e.slot, 1), times)
        }
        emit Claimed(epoch, index, account, amount);
    }

    /// @dev Writes a proposed epoch and the pool's state after it; returns its (wall-clock) times.
    function _storeEpoch(
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 reputationTotal,
        PoolState memory st
    ) private returns (uint256 claimableAt, uint256 expiresAt) {
        (claimableAt, expiresAt) = _schedule(st);
        (uint256 firstKey, uint256 secondKey) = _searchKeysOf(epoch, st.latestClaimableAt);
        // One write per slot, in the layout of `Epoch` (a struct assignment writes each field by itself, reading the
        // slot back each time): root; claimableAt | expiresAt | unclaimed = total | paused = false | firstKey |
        // secondKey; total | reputationTotal | flags = 0. Each value fits its field (checked by the caller or below
        // 2^32 until 2106); a vetoed epoch's flags are cleared as the struct assignment did.
        uint256 times =
            uint256(uint32(claimableAt)) |
                (uint256(uint32(expiresAt)) << 32) |
                (total << 64) |
                (firstKey << 168) |
                (secondKey << 200);
        uint256 amounts = total | (reputationTotal << 96);
        Epoch storage e = _epochs[epoch];
        assembly ("memory-safe") {
            let slot := e.slot
            sstore(slot, root)
            sstore(add(slot, 1), times)
            sstore(add(slot, 2), amounts)
        }
        // Fits: total <= available.
        st.available = uint120(st.available - total);
        st.latestEpoch = uint32(epoch);
        st.latestClaimableAt = uint32(claimableAt);
        _saveState(st);
    }

    /// @dev Writes the pool's state in one write (a struct assignment writes each field by itself), in the layout of
    /// `PoolState`: available | latestEpoch << 120 | latestClaimableAt << 152 | challengePeriod << 184 |
    /// claimWindow << 216 | paused << 248.
    function _saveState(PoolState memory st) private {
        uint256 word =
            uint256(st.available) |
                (uint256(st.latestEpoch) << 120) |
                (uint256(st.latestClaimableAt) << 152) |
                (uint256(st.challengePeriod) << 184) |
                (uint256(st.claimWindow) << 216) |
                (st.paused ? uint256(1) << 248 : 0);
        assembly ("memory-safe") {
            sstore(_state.slot, word)
        }
    }

    /// @dev The search keys epoch `epoch` holds (`Epoch.firstKey`, `secondKey`; `_finalEpochAt`), given the previous
    /// epoch's `claimableAt`: epoch (4k + d) * 4^v holds the `claimableAt` of (4k + 1) * 4^v if d >= 2, and of
    /// (4k + 2) * 4^v if d == 3, which that epoch holds with its own first key. At most one slot read.
    function _searchKeysOf(
        uint256 epoch,
        uint256 previousClaimableAt
    ) private view returns (uint256 firstKey, uint256 secondKey) {
        uint256 p = 1;
        uint256 m = epoch;
        while (m & 3 == 0) {
            m >>= 2;
            p <<= 2;
        }
        m &= 3;
        if (m == 1) return (0, 0);
        if (m == 2) return (p == 1 ? previousClaimableAt : _epochs[epoch - p].claimableAt, 0);
        Epoch storage sibling = _epochs[epoch - p];
        return (sibling.firstKey, p == 1 ? previousClaimableAt : sibling.claimableAt);
    }

    /// @dev Reverts unless epoch `epoch - MAX_OPEN_EPOCHS` has expired (proposals wait while paused, so it is not).
    /// Hence every epoch older than the 64 newest has expired, and an expired epoch stays expired: pauses move only
    /// the expiry of epochs open when they begin.
    function _requireRoomFor(uint256 epoch) private view {
        if (epoch <= MAX_OPEN_EPOCHS) return;
        uint256 open = epoch - MAX_OPEN_EPOCHS;
        uint256 openExpiry = _epochs[open].expiresAt;
        if (block.timestamp < openExpiry) revert TooManyOpenEpochs(epoch, open, openExpiry);
    }

    /// @dev The oldest epoch that may still be open: `MAX_OPEN_EPOCHS` back from the latest.
    function _oldestOpen(uint256 latest) private pure returns (uint256) {
        return latest > MAX_OPEN_EPOCHS ? latest - MAX_OPEN_EPOCHS + 1 : 1;
    }

    /// @dev Seconds of the current pause (begun at `pausedAt`) during which an epoch becoming claimable at
    /// `claimableAt` was claimable: what its expiry moves by.
    function _pausedWhileClaimable(uint256 claimableAt, uint256 pausedAt) private view returns (uint256) {
        if (block.timestamp <= claimableAt) return 0;
        return block.timestamp - (claimableAt > pausedAt ? claimableAt : pausedAt);
    }

    /// @dev An epoch's expiry if the pool is not paused from now on.
    function _expiryOf(Epoch storage e) private view returns (uint256) {
        if (!e.paused) return e.expiresAt;
        return e.expiresAt + _pausedWhileClaimable(e.claimableAt, _pauseClock.pausedAt);
    }

    /// @dev When an epoch proposed now becomes final and expires (wall clock, if no pause follows). Epochs become
    /// final in order: never before the previous one. Timestamps fit 32 bits until 2106 and durations are at most
    /// 5 years each, so these sums fit 32 bits before then.
    function _schedule(PoolState memory st) private view returns (uint256 claimableAt, uint256 expiresAt) {
        claimableAt = block.timestamp + st.challengePeriod;
        if (claimableAt < st.latestClaimableAt) claimableAt = st.latestClaimableAt;
        expiresAt = claimableAt + st.claimWindow;
    }

    /// @dev The one place a claim pays: a vested payout would replace this transfer.
    function _pay(address account, uint256 amount) private {
        if (amount != 0) _token.safeTransfer(account, amount);
    }

    /// @dev The standard double-hashed leaf of OpenZeppelin's `StandardMerkleTree` (docs/formats.md).
    function _leafHash(
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation
    ) private pure returns (bytes32 leaf) {
        // keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation)))), in scratch memory:
        // the four words go at the free memory pointer (not advanced: nothing else is allocated meanwhile).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, index)
            mstore(add(ptr, 0x20), account)
            mstore(add(ptr, 0x40), amount)
            mstore(add(ptr, 0x60), reputation)
            mstore(0x00, keccak256(ptr, 0x80))
            leaf := keccak256(0x00, 0x20)
        }
    }

    function _setDurations(uint32 challengePeriod, uint32 claimWindow) private {
        if (claimWindow < MIN_CLAIM_WINDOW || claimWindow > MAX_DURATION || challengePeriod > MAX_DURATION) {
            revert InvalidDurations(challengePeriod, claimWindow);
        }
        _state.challengePeriod = challengePeriod;
        _state.claimWindow = claimWindow;
        emit DurationsSet(challengePeriod, claimWindow);
    }

    /// @dev Reverts for an epoch whose root is zero: never proposed, or vetoed.
    function _revertNotLive(uint256 epoch) private view {
        if (_epochs[epoch].flags & VETOED != 0) revert EpochIsVetoed(epoch);
        revert EpochNotProposed(epoch);
    }
}

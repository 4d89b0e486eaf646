// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title A reward pool with one Merkle root per epoch
/// @notice Every epoch the proposer publishes the root of a tree of `[index, account, amount, reputation]` leaves
/// (OpenZeppelin `StandardMerkleTree`, double-hashed), the epoch's total reputation, and reserves the epoch's total
/// out of the available funds. During the challenge period the guardian may veto the root (and every later one);
/// then the epoch is final and claimable for its claim window, after which anyone may sweep what was not claimed
/// back to the available funds.
/// @dev Leaf hash: `keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation))))`.
/// Pause: a pause stops claims and proposals and never shortens a claim window: every epoch still open when a pause
/// begins is marked, cannot be swept while the pause lasts, and on unpause its `expiresAt` moves by the time the
/// pool spent paused while that epoch was claimable. While paused, a claim of a marked epoch reverts `EnforcedPause`;
/// a claim that could not succeed anyway (an epoch expired before the pause, vetoed or never proposed) reverts with
/// that reason, since the pause changes nothing for it.
/// Claims are recorded per account (one leaf per account and epoch), in the account's soul: a bitmap of the 64
/// epochs up to its newest claim. So that every claimable epoch lies in that window, at most `MAX_OPEN_EPOCHS`
/// epochs are open at once: epoch `n` can be proposed only once epoch `n - 64` has expired.
interface IEpochRewards {
    /*//////////////////////////////////////////////////////////////
                                TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Lifecycle of an epoch number.
    enum EpochState {
        None, // never proposed
        Challenge, // proposed, guardian may veto until claimableAt
        Claimable, // claimableAt <= now < expiresAt
        Expired, // now >= expiresAt, unclaimed funds still reserved until swept
        Swept, // unclaimed funds released to the available pool
        Vetoed // root rejected; the epoch number may be proposed again
    }

    /// @notice One leaf to claim, with its proof.
    struct Claim {
        uint256 epoch;
        uint256 index;
        address account;
        uint256 amount;
        uint256 reputation;
        bytes32[] proof;
    }

    /// @notice Everything stored about an epoch. `inputsHash` and `uri` are in its `EpochProposed` event.
    struct EpochView {
        EpochState state;
        bytes32 root;
        uint256 total;
        uint256 claimed;
        uint256 reputationTotal;
        uint64 claimableAt;
        // End of the claim window if the pool is not paused from now on (a pause moves it).
        uint64 expiresAt;
    }

    /*//////////////////////////////////////////////////////////////
                                EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `from` funded the pool: `requested` left its balance, `received` is what the pool's balance grew by.
    event Funded(address indexed from, uint256 requested, uint256 received);

    /// @notice An epoch root was proposed and `total` reserved for it. Every score decays once more at `claimableAt`.
    event EpochProposed(
        uint256 indexed epoch,
        bytes32 indexed root,
        uint256 total,
        uint256 reputationTotal,
        bytes32 inputsHash,
        string uri,
        uint64 claimableAt,
        uint64 expiresAt
    );

    /// @notice The guardian vetoed an epoch's root during its challenge period; its reservation was released.
    event EpochVetoed(uint256 indexed epoch, bytes32 indexed root, address indexed guardian, string reason);

    /// @notice The leaf `index` of `epoch` was claimed: `amount` is owed to `account`.
    event Claimed(uint256 indexed epoch, uint256 index, address indexed account, uint256 amount);

    /// @notice An expired epoch was swept: `released` tokens went back to the available funds.
    event EpochSwept(uint256 indexed epoch, uint256 released);

    /// @notice The admin withdrew unreserved funds.
    event Withdrawn(address indexed to, uint256 amount);

    /// @notice The durations applied to epochs proposed from now on changed.
    event DurationsSet(uint32 challengePeriod, uint32 claimWindow);

    /// @notice The guardian `account` paused claims and proposals.
    event Paused(address account);

    /// @notice The guardian `account` resumed claims and proposals.
    event Unpaused(address account);

    /*//////////////////////////////////////////////////////////////
                                ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An address argument was zero.
    error ZeroAddress();

    /// @notice An amount argument was zero.
    error ZeroAmount();

    /// @notice `root` is zero, which is never the root of a tree.
    error ZeroRoot(uint256 epoch);

    /// @notice Durations out of bounds: the claim window must be at least 1 day and both at most 5 years.
    error InvalidDurations(uint256 challengePeriod, uint256 claimWindow);

    /// @notice Only `next` (the epoch after the latest live one) may be proposed.
    error EpochNotProposable(uint256 epoch, uint256 next, EpochState state);

    /// @notice `epoch` cannot be proposed before epoch `openEpoch` expires at `expiresAt`: at most
    /// `MAX_OPEN_EPOCHS` epochs are open for claims at once.
    error TooManyOpenEpochs(uint256 epoch, uint256 openEpoch, uint256 expiresAt);

    /// @notice The pool is paused: claims and proposals wait.
    error EnforcedPause();

    /// @notice The pool is not paused.
    error ExpectedPause();

    /// @notice `required` tokens must be reserved but only `available` are unreserved.
    error InsufficientAvailable(uint256 required, uint256 available);

    /// @notice An epoch's total does not fit the 96 bits it is stored in.
    error TotalTooLarge(uint256 total, uint256 max);

    /// @notice The epoch was never proposed.
    error EpochNotProposed(uint256 epoch);

    /// @notice The epoch's root was vetoed: it pays nothing.
    error EpochIsVetoed(uint256 epoch);

    /// @notice The epoch is still in its challenge period: claims open at `claimableAt`.
    error EpochInChallenge(uint256 epoch, uint256 claimableAt);

    /// @notice The epoch's claim window closed at `expiresAt`.
    error EpochExpired(uint256 epoch, uint256 expiresAt);

    /// @notice The challenge period of `epoch` ended at `claimableAt`: its root can no longer change.
    error ChallengeClosed(uint256 epoch, uint256 claimableAt);

    /// @notice The proof does not lead from this leaf to the epoch's root.
    error InvalidProof(uint256 epoch, uint256 index, address account, uint256 amount, uint256 reputation);

    /// @notice Paying `amount` would take the epoch's claimed sum past its `total`: the tree is wrong.
    error EpochTotalExceeded(uint256 epoch, uint256 claimed, uint256 amount, uint256 total);

    /// @notice The epoch can be swept only from `expiresAt`.
    error EpochNotExpired(uint256 epoch, uint256 expiresAt);

    /// @notice The epoch was already swept.
    error EpochAlreadySwept(uint256 epoch);

    /// @notice `claimMany` was called with no claims.
    error EmptyBatch();

    /// @notice The admin asked to withdraw `amount` but only `available` is unreserved.
    error WithdrawExceedsAvailable(uint256 amount, uint256 available);

    /*//////////////////////////////////////////////////////////////
                                ROLES
    //////////////////////////////////////////////////////////////*/

    /// @notice Role allowed to propose epoch roots.
    function PROPOSER_ROLE() external view returns (bytes32);

    /// @notice Role allowed to veto roots in their challenge period and to pause.
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice Role allowed to recover a lost soul to a new address.
    function RECOVERY_ROLE() external view returns (bytes32);

    /// @notice The largest total an epoch may reserve: 2^96 - 1 token units.
    function MAX_EPOCH_TOTAL() external view returns (uint256);

    /// @notice How many epochs may be open for claims at once: 64.
    function MAX_OPEN_EPOCHS() external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                                FUNDING
    //////////////////////////////////////////////////////////////*/

    /// @notice The reward token (immutable).
    function token() external view returns (IERC20);

    /// @notice Pulls `amount` from the caller and credits the measured increase of the pool's balance.
    /// @dev A fee-on-transfer token credits less than `amount`; the pool never counts tokens it did not receive.
    /// Tokens sent with a plain transfer are not credited.
    function fund(uint256 amount) external;

    /// @notice Funds not reserved by any live epoch: what new epochs may reserve and the admin may withdraw.
    function available() external view returns (uint256);

    /// @notice Funds reserved by live epochs and not yet claimed.
    function outstanding() external view returns (uint256);

    /// @notice Sends `amount` of the available funds to `to`. Only the admin.
    function withdraw(address to, uint256 amount) external;

    /*//////////////////////////////////////////////////////////////
                                EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @notice Publishes the root of `epoch` and reserves `total` for it. Only the proposer, not while paused.
    /// @dev `claimableAt` is `now + challengePeriod`, or the previous epoch's `claimableAt` if that is later: epochs
    /// become final in order. Reverts with `TooManyOpenEpochs` while epoch `epoch - 64` is still open.
    /// @param epoch The epoch after the latest live one (a vetoed epoch number is proposed again this way).
    /// @param root The root of the epoch's tree.
    /// @param total The sum of the tree's amounts; reserved out of `available()`.
    /// @param reputationTotal The pipeline's total reputation after this epoch, over every account (with a leaf or
    /// not): the total voting supply while this epoch is the newest final one.
    /// @param inputsHash Commitment to the exported votes and rules the tree was computed from.
    /// @param uri Where the epoch's artifacts are published (for auditors and the claim page).
    function proposeEpoch(
        uint256 epoch,
        bytes32 root,
        uint256 total,
        uint256 reputationTotal,
        bytes32 inputsHash,
        string memory uri
    ) external;

    /// @notice Rejects the root of `epoch` during its challenge period, and the root of every later epoch (they were
    /// computed from it), releasing their reservations. Only the guardian, even when paused. The same epoch number
    /// may then be proposed again.
    function vetoEpoch(uint256 epoch, string calldata reason) external;

    /// @notice Releases what an expired epoch did not pay back to the available funds. Anyone, even when paused,
    /// but never before the epoch's expiry as moved by pauses.
    function sweep(uint256 epoch) external;

    /// @notice Stops claims and proposals. Only the guardian. Open epochs' windows stop running meanwhile.
    function pause() external;

    /// @notice Resumes claims and proposals. Only the guardian.
    function unpause() external;

    /// @notice Whether the pool is paused.
    function paused() external view returns (bool);

    /// @notice Seconds the pool has spent paused since its deployment, the current pause included.
    function pausedDuration() external view returns (uint256);

    /// @notice Sets the durations applied to epochs proposed from now on. Only the admin.
    function setDurations(uint32 challengePeriod, uint32 claimWindow) external;

    /// @notice Challenge period and claim window applied to the next proposals, in seconds.
    function durations() external view returns (uint32 challengePeriod, uint32 claimWindow);

    /// @notice The newest live epoch (proposed and not vetoed).
    function latestEpoch() external view returns (uint256);

    /// @notice The newest epoch whose challenge period has ended by `timepoint` (0: none). Scores decay by it.
    function finalEpochAt(uint256 timepoint) external view returns (uint256);

    /// @notice The state of an epoch.
    function epochState(uint256 epoch) external view returns (EpochState);

    /// @notice Everything stored about an epoch.
    function getEpoch(uint256 epoch) external view returns (EpochView memory);

    /// @notice Whether the leaf of `account` in `epoch` was claimed.
    /// @dev Known for the 64 epochs up to the account's newest claim, which covers every epoch still open; for
    /// older epochs (expired) this returns false: read the `Claimed` events.
    function isClaimed(uint256 epoch, address account) external view returns (bool);

    /*//////////////////////////////////////////////////////////////
                                CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @notice Claims one leaf: pays `amount` to `account` and, if `epoch` is newer than every epoch the account
    /// has claimed, makes the leaf's reputation the soul's anchor (the first claim mints the soul). A leaf whose
    /// reputation equals the anchor decayed to `epoch` changes no score. Anyone may submit; tokens always go to
    /// `account`. Not while paused.
    function claim(
        uint256 epoch,
        uint256 index,
        address account,
        uint256 amount,
        uint256 reputation,
        bytes32[] calldata proof
    ) external;

    /// @notice Claims many leaves across epochs and accounts in one transaction. Not while paused.
    /// @dev Each run of consecutive claims for the same account is paid with one transfer and writes the soul
    /// once: group an account's claims together to pay it once. The result equals claiming them one by one.
    function claimMany(Claim[] calldata claims) external;
}

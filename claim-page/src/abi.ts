/**
 * The only parts of the contracts the claim page uses, as human-readable ABI fragments.
 * Kept in sync with contracts/interfaces/IEpochRewards.sol and ISoulboundReputation.sol: the test
 * test/e2e/claim-page.test.ts checks every fragment against the compiled EpochRewards artifact.
 */

/** EpochRewards (which is also the soulbound reputation token). */
export const POOL_ABI = [
  // IEpochRewards
  "function token() view returns (address)",
  "function latestEpoch() view returns (uint256)",
  "function getEpoch(uint256 epoch) view returns ((uint8 state, bytes32 root, bytes32 inputsHash, uint256 total, uint256 claimed, uint64 claimableAt, uint64 expiresAt))",
  "function isClaimed(uint256 epoch, uint256 index) view returns (bool)",
  "function claimMany((uint256 epoch, uint256 index, address account, uint256 amount, uint256 reputation, bytes32[] proof)[] claims)",
  // ISoulboundReputation (+ ERC-721 metadata, OpenZeppelin Pausable)
  "function symbol() view returns (string)",
  "function reputationOf(address account) view returns (uint256)",
  "function paused() view returns (bool)",
  // Errors a claim can revert with: IEpochRewards, ISoulboundReputation, OpenZeppelin
  "error ZeroAddress()",
  "error ZeroAmount()",
  "error EpochNotProposed(uint256 epoch)",
  "error EpochIsVetoed(uint256 epoch)",
  "error EpochInChallenge(uint256 epoch, uint256 claimableAt)",
  "error EpochExpired(uint256 epoch, uint256 expiresAt)",
  "error AlreadyClaimed(uint256 epoch, uint256 index)",
  "error InvalidProof(uint256 epoch, uint256 index, address account, uint256 amount, uint256 reputation)",
  "error EpochTotalExceeded(uint256 epoch, uint256 claimed, uint256 amount, uint256 total)",
  "error EmptyBatch()",
  "error ReputationTooLarge(uint256 reputation, uint256 max)",
  "error SoulAlreadyExists(address account)",
  "error EnforcedPause()",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
] as const;

/** The reward token: only what the page displays. */
export const ERC20_ABI = [
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function balanceOf(address account) view returns (uint256)",
] as const;

/** `IEpochRewards.EpochState`, in declaration order. */
export const EPOCH_STATES = ["None", "Challenge", "Claimable", "Expired", "Swept", "Vetoed"] as const;
export type EpochStateName = (typeof EPOCH_STATES)[number];

/** The leaf encoding of every epoch tree (DESIGN §3.2). */
export const LEAF_ENCODING = ["uint256", "address", "uint256", "uint256"];

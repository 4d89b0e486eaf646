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
  "function finalEpochAt(uint256 timepoint) view returns (uint256)",
  "function getEpoch(uint256 epoch) view returns ((uint8 state, bytes32 root, uint256 total, uint256 claimed, uint256 reputationTotal, uint64 claimableAt, uint64 expiresAt))",
  "function isClaimed(uint256 epoch, address account) view returns (bool)",
  "function claimMany((uint256 epoch, uint256 index, address account, uint256 amount, uint256 reputation, bytes32[] proof)[] claims)",
  "function paused() view returns (bool)",
  // ISoulboundReputation (+ ERC-721 metadata, ERC-5805 votes)
  "function symbol() view returns (string)",
  "function getVotes(address account) view returns (uint256)",
  "function decayBps() view returns (uint256)",
  // Errors a claim can revert with: IEpochRewards, ISoulboundReputation, OpenZeppelin
  "error ZeroAddress()",
  "error ZeroAmount()",
  "error EpochNotProposed(uint256 epoch)",
  "error EpochIsVetoed(uint256 epoch)",
  "error EpochInChallenge(uint256 epoch, uint256 claimableAt)",
  "error EpochExpired(uint256 epoch, uint256 expiresAt)",
  "error AlreadyClaimed(uint256 epoch, address account)",
  "error InvalidProof(uint256 epoch, uint256 index, address account, uint256 amount, uint256 reputation)",
  "error EpochTotalExceeded(uint256 epoch, uint256 claimed, uint256 amount, uint256 total)",
  "error TooManyOpenEpochs(uint256 epoch, uint256 openEpoch, uint256 expiresAt)",
  "error EmptyBatch()",
  "error ReputationTooLarge(uint256 reputation, uint256 max)",
  "error EnforcedPause()",
  "error ERC721InvalidReceiver(address receiver)",
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

/** The leaf encoding of every epoch tree: [index, account, amount, reputation] (docs/formats.md). */
export const LEAF_ENCODING = ["uint256", "address", "uint256", "uint256"];

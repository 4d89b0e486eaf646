/**
 * Public API of the Social Mining epoch pipeline (docs/pipeline.md). Plain Node: never imports
 * Hardhat, so anybody can recompute an epoch.
 */
export { allocateEpoch, computeEpoch } from "./epoch.js";
export type {
  AllocateOptions,
  EpochSources,
  EpochResult,
  AccountResult,
  ReputationEntry,
  ProgressListener,
} from "./epoch.js";
export {
  writeArtifacts,
  renderArtifacts,
  buildManifest,
  readManifest,
  readClaims,
  readClaim,
  shardOf,
  SHARDS,
} from "./artifacts.js";
export type { ArtifactFile, Claim, ClaimsFile, WriteOptions } from "./artifacts.js";
export { verifyArtifacts, recomputeArtifacts, verifyResultOf } from "./verify.js";
export type { VerifyOptions, VerifyResult, Difference, Recomputed } from "./verify.js";
export { proveChain, provePreviousEpoch, verifyHistory, PreviousUnprovenError } from "./history.js";
export type { EpochCheck, Prior, HistoryResult, ProveOptions } from "./history.js";
export { checkOnChain, ChainError } from "./chain.js";
export type { ChainOptions, ChainReport } from "./chain.js";
export { readRecoveries, planRecoveries, renderRecoveries, PREVIOUS_RECOVERIES_FILE } from "./recoveries.js";
export type { Recovery, RecoveryRow, RecoveryPlan } from "./recoveries.js";
export { buildTree, hashLeaf, encodeLeaf, EpochTree, LEAF_ENCODING } from "./merkle.js";
export type { Leaf, LeafTuple, StandardTreeDump } from "./merkle.js";
export { parseEpochConfig, DEFAULT_RULES, ZERO_ADDRESS } from "./config.js";
export type { EpochConfig, Rules, VoterWeight, Aggregation, ConfigOverrides } from "./config.js";
export type { Source, Work, Vote, TeamMember, Contributor } from "./inputs.js";
export type { Rejection, RejectionCode, FileCount } from "./validate.js";
export { REJECTION_REASONS } from "./validate.js";
export type { WorkScore } from "./score.js";
export { isqrt, aggregate } from "./score.js";
export { largestRemainder, allocate } from "./allocate.js";
export { nextReputation } from "./reputation.js";
// The protocol's decay and bounds, which the pipeline applies.
export { decay } from "../../protocol/decay.js";
export { MAX_REPUTATION, MAX_REPUTATION_TOTAL, MAX_EPOCH_TOTAL } from "../../protocol/bounds.js";
export { readPreviousEpoch, REPUTATION_FILE } from "./previous.js";
export type { PreviousEpoch } from "./previous.js";
export { computeInputsHash } from "./manifest.js";
export type { Manifest, InputRecord } from "./manifest.js";
export { parseAddress, toChecksumAddress } from "./address.js";
export { keccak256, keccak256Hex } from "./keccak.js";
export { formatUnits } from "./report.js";
export { PIPELINE_VERSION, MANIFEST_FORMAT } from "./version.js";
export * from "./errors.js";

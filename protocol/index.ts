/**
 * The protocol: what the contracts, the pipeline, the tasks and the claim page must agree on, written
 * once. Pure TypeScript that runs in Node and in the browser bundle (no Node APIs).
 *
 * - {@link ./leaf.ts}: the leaf encoding, its hash and proof check;
 * - {@link ./epoch.ts}: epoch states and the claim verdict;
 * - {@link ./decay.ts} and {@link ./bounds.ts}: the reputation decay and the contract's limits;
 * - {@link ./artifacts.ts}: the schemas of manifest.json, claims.json, the shards and tree.json;
 * - {@link ./abi.ts}: the ABIs, generated from the compiled contracts;
 * - {@link ./errors.ts}: revert decoding;
 * - {@link ./typed-data.ts}: the EIP-712 reports and ballots members sign;
 * - {@link ./collector-api.ts}: the collector's routes and bodies.
 */
export * from "./abi.js";
export * from "./artifacts.js";
export * from "./bounds.js";
export * from "./decay.js";
export * from "./epoch.js";
export * from "./errors.js";
export * from "./leaf.js";
export * from "./typed-data.js";
export * from "./collector-api.js";

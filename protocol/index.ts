/**
 * The protocol: what the contracts, the pipeline, the tasks and the claim page must agree on, written
 * once. Pure TypeScript that runs in Node and in the browser bundle (no Node APIs).
 *
 * - {@link ./leaf.ts}: the leaf encoding, its hash and proof check;
 * - {@link ./epoch.ts}: epoch states and the claim verdict;
 * - {@link ./decay.ts} and {@link ./bounds.ts}: the reputation decay and the contract's limits;
 * - {@link ./artifacts.ts}: the schemas of manifest.json, claims.json, the shards and tree.json;
 * - {@link ./abi.ts}: the ABIs, generated from the compiled contracts;
 * - {@link ./errors.ts}: revert decoding.
 */
export * from "./abi.js";
export * from "./artifacts.js";
export * from "./bounds.js";
export * from "./decay.js";
export * from "./epoch.js";
export * from "./errors.js";
export * from "./leaf.js";

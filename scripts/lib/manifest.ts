/**
 * manifest.json and the inputsHash (docs/formats.md).
 *
 * inputsHash = keccak256(h(works) ‖ h(votes) ‖ h(teams) ‖ h(previous) ‖ h(epoch) ‖ h(rules)) where
 * h(x) is keccak256 of the bytes of input file x as copied into inputs/ (32 zero bytes for an
 * absent teams or previous-reputation file), `epoch` is the canonical inputs/epoch.json, and
 * `rules` is the UTF-8 JSON of the effective rules (every default applied, fixed key order).
 */
import { rulesToJson, type Rules } from "./config.js";
import { keccak256, keccak256Hex } from "./keccak.js";

/** One input file as recorded in the manifest and copied into the artifacts. */
export interface InputRecord {
  role: "works" | "votes" | "teams" | "previous" | "epoch";
  /** Path relative to the artifacts directory, e.g. "inputs/votes.csv". */
  file: string;
  bytes: Uint8Array;
}

export const INPUT_ROLES = ["works", "votes", "teams", "previous", "epoch"] as const;

export function computeInputsHash(inputs: readonly InputRecord[], rules: Rules): string {
  const parts = Buffer.alloc(32 * (INPUT_ROLES.length + 1));
  INPUT_ROLES.forEach((role, i) => {
    const input = inputs.find((x) => x.role === role);
    if (input) parts.set(keccak256(input.bytes), 32 * i);
  });
  parts.set(keccak256(Buffer.from(JSON.stringify(rulesToJson(rules)))), 32 * INPUT_ROLES.length);
  return keccak256Hex(parts);
}

/** manifest.json. */
export interface Manifest {
  format: string;
  pipelineVersion: string;
  epoch: number;
  chainId: number;
  distributor: string;
  tokenDecimals: number;
  root: string;
  total: string;
  leafCount: number;
  /** Σ reputation over reputation.csv, decimal: the total voting supply after this epoch. */
  reputationTotal: string;
  inputsHash: string;
  inputsHashAlgorithm: "keccak256";
  window: { start: string; end: string };
  rules: Record<string, string | number | null>;
  previous: { epoch: number; root: string } | null;
  inputs: { role: string; file: string; keccak256: string; bytes: number }[];
  summary: { file: string; read: number; accepted: number; excluded: number }[];
  totalUnits: string;
}

export function recordInputs(inputs: readonly InputRecord[]): Manifest["inputs"] {
  return inputs.map((x) => ({
    role: x.role,
    file: x.file,
    keccak256: keccak256Hex(x.bytes),
    bytes: x.bytes.length,
  }));
}

/**
 * manifest.json and the inputsHash (docs/formats.md).
 *
 * inputsHash = keccak256(h(works) ‖ h(votes) ‖ h(teams) ‖ h(previous) ‖ h(epoch) ‖ h(rules)) where
 * h(x) is keccak256 of the bytes of input file x as copied into inputs/ (32 zero bytes for an
 * absent teams or previous-reputation file), `epoch` is the canonical inputs/epoch.json, and
 * `rules` is the UTF-8 JSON of the effective rules (every default applied, fixed key order).
 *
 * An epoch with a soul recovery (its own recoveries file, or recoveries carried from the previous epoch) appends
 * two more words, h(recoveries) ‖ h(previous-recoveries), absent ones as 32 zero bytes; an epoch with neither keeps
 * the six words, so that its inputsHash is what it always was.
 */
import { rulesToJson, type Rules } from "./config.js";
import { keccak256Hex } from "./keccak.js";
import { inputDigest, inputSize, type InputFile } from "./input-files.js";
import type { Manifest } from "../../protocol/artifacts.js";

/** One input file as recorded in the manifest and copied into the artifacts. */
export interface InputRecord {
  role: (typeof INPUT_ROLES)[number] | (typeof RECOVERY_INPUT_ROLES)[number];
  /** Path relative to the artifacts directory, e.g. "inputs/votes.csv". */
  file: string;
  /** The bytes, or the file read in chunks (votes.csv: input-files.ts). */
  bytes: Uint8Array | InputFile;
}

export const INPUT_ROLES = ["works", "votes", "teams", "previous", "epoch"] as const;
/** Roles hashed after `rules`, and only by an epoch that has one of them. */
export const RECOVERY_INPUT_ROLES = ["recoveries", "previous-recoveries"] as const;

export function computeInputsHash(inputs: readonly InputRecord[], rules: Rules): string {
  const extra = RECOVERY_INPUT_ROLES.some((role) => inputs.some((x) => x.role === role));
  const parts = Buffer.alloc(32 * (INPUT_ROLES.length + 1 + (extra ? RECOVERY_INPUT_ROLES.length : 0)));
  INPUT_ROLES.forEach((role, i) => {
    const input = inputs.find((x) => x.role === role);
    if (input) parts.set(inputDigest(input.bytes), 32 * i);
  });
  parts.set(inputDigest(Buffer.from(JSON.stringify(rulesToJson(rules)))), 32 * INPUT_ROLES.length);
  if (extra) {
    RECOVERY_INPUT_ROLES.forEach((role, i) => {
      const input = inputs.find((x) => x.role === role);
      if (input) parts.set(inputDigest(input.bytes), 32 * (INPUT_ROLES.length + 1 + i));
    });
  }
  return keccak256Hex(parts);
}

/** manifest.json: its schema is the protocol's. */
export type { Manifest };

export function recordInputs(inputs: readonly InputRecord[]): Manifest["inputs"] {
  return inputs.map((x) => ({
    role: x.role,
    file: x.file,
    keccak256: "0x" + Buffer.from(inputDigest(x.bytes)).toString("hex"),
    bytes: inputSize(x.bytes),
  }));
}

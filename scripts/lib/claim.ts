/**
 * One account's claim, checked before anyone relies on it (`social-mining proof`, docs/cli.md): the
 * shard it comes from must belong to the directory's epoch and root, and its proof must prove the
 * leaf against the root of manifest.json, the root proposed on-chain.
 */
import { verifyLeaf } from "../../protocol/leaf.js";
import { readClaim, readManifest, shardOf } from "./artifacts.js";
import { VerificationError } from "./errors.js";
import type { Manifest } from "./manifest.js";

export type VerifiedClaim = ReturnType<typeof readClaim>;

/**
 * Reads the claim of `account` from its shard and checks it against manifest.json. Throws
 * {@link VerificationError} (naming the shard) when the shard's epoch or root is not the
 * manifest's, or when the proof does not prove the leaf against the manifest's root.
 */
export function readVerifiedClaim(dir: string, account: string): { claim: VerifiedClaim; manifest: Manifest } {
  const manifest = readManifest(dir);
  const claim = readClaim(dir, account);
  const file = `claims/${shardOf(claim.account)}.json`;
  if (claim.epoch !== manifest.epoch) {
    throw new VerificationError(file, `epoch ${claim.epoch} is not the epoch ${manifest.epoch} of manifest.json`);
  }
  if (claim.root.toLowerCase() !== manifest.root.toLowerCase()) {
    throw new VerificationError(file, `root ${claim.root} is not the root ${manifest.root} of manifest.json`);
  }
  let proves: boolean;
  try {
    proves = verifyLeaf(
      manifest.root,
      {
        index: BigInt(claim.index),
        account: claim.account,
        amount: BigInt(claim.amount),
        reputation: BigInt(claim.reputation),
      },
      claim.proof,
    );
  } catch {
    proves = false;
  }
  if (!proves) {
    throw new VerificationError(
      file,
      `the claim of ${claim.account} (index ${claim.index}, amount ${claim.amount}, reputation ${claim.reputation}) ` +
        `does not prove against the root ${manifest.root} of manifest.json: the shard was altered; run social-mining verify`,
    );
  }
  return { claim, manifest };
}

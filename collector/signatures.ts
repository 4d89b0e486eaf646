/**
 * Signature recovery for the collector, at the rate of a busy epoch: the EIP-712 digest of the protocol's
 * typed data (the pipeline's fast encoder, scripts/lib/signatures.ts), the signer from libsecp256k1 (the native `secp256k1` package). It
 * gives the same answer as protocol/typed-data.ts's `recoverWorkReportSigner` / `recoverBallotSigner`
 * (test/collector/signatures.test.ts checks it) at several times their speed.
 */
import secp256k1 from "secp256k1";
import { signatureProblem, type Ballot, type TypedDataDomain, type WorkReport } from "../protocol/typed-data.js";
import { keccak256 as keccakBytes } from "../scripts/lib/keccak.js";
import { fastBallotDigest, fastWorkReportDigest } from "../scripts/lib/signatures.js";

/** The lowercase address whose key made `signature` over `digest` (0x and 64 hex digits), or undefined. */
export function recoverDigestSigner(digest: string, signature: string): string | undefined {
  if (signatureProblem(signature)) return undefined;
  try {
    const bytes = Buffer.from(signature.slice(2), "hex");
    const recovery = bytes[64]! - 27;
    const publicKey = secp256k1.ecdsaRecover(
      bytes.subarray(0, 64),
      recovery,
      Buffer.from(digest.slice(2), "hex"),
      false,
    );
    return "0x" + Buffer.from(keccakBytes(publicKey.subarray(1)).subarray(12)).toString("hex");
  } catch {
    return undefined;
  }
}

/** The digest of a report and the address that signed it (undefined if the signature recovers nothing). */
export function reportSigner(
  domain: TypedDataDomain,
  report: WorkReport,
  signature: string,
): { digest: string; signer: string | undefined } {
  const digest = fastWorkReportDigest(domain, report);
  return { digest, signer: recoverDigestSigner(digest, signature) };
}

/** The digest of a ballot (votes in the signed order) and the address that signed it. */
export function ballotSigner(
  domain: TypedDataDomain,
  ballot: Ballot,
  signature: string,
): { digest: string; signer: string | undefined } {
  const digest = fastBallotDigest(domain, ballot);
  return { digest, signer: recoverDigestSigner(digest, signature) };
}

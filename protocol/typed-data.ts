/**
 * The typed data (EIP-712) that members sign: a `WorkReport` by the contributor (for a team, by one of its
 * members) and a `Ballot` of `Vote`s by the voter. The domain binds every signature to one chain and one pool,
 * and each message names its epoch, so no signature can be replayed in another epoch, pool or chain.
 *
 * A ballot carries all of a voter's votes of an epoch: a member scoring twenty works signs once. The votes of a
 * ballot are sorted by work id (byte order) and name each work once, so the rows of votes.csv that share a
 * signature rebuild the ballot exactly; the pipeline checks the signature once for them all and can still
 * exclude one vote (a self-vote, an unknown work) without losing the others. A newer ballot of the same voter
 * (a later `castAt`) replaces the older one whole.
 *
 * Everything here is pure and runs in Node and in the browser.
 */
import { getAddress, Signature, TypedDataEncoder, verifyTypedData, type TypedDataField } from "ethers";

/** EIP-712 domain name and version. Changing either invalidates every signature. */
export const TYPED_DATA_NAME = "Social Mining";
export const TYPED_DATA_VERSION = "1";

export interface TypedDataDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The domain of one pool on one chain. */
export function typedDataDomain(chainId: bigint | number, pool: string): TypedDataDomain {
  return {
    name: TYPED_DATA_NAME,
    version: TYPED_DATA_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(pool),
  };
}

/**
 * A work report. `contributor` is the lowercase address of the contributor, or `team:<name>` for a team's work
 * (signed by one of the team's members). `pov` holds the proof-of-value links; works.csv joins them with single
 * spaces in `pov_url`. Times are Unix seconds.
 */
export const WORK_REPORT_TYPES: Record<string, TypedDataField[]> = {
  WorkReport: [
    { name: "epoch", type: "uint64" },
    { name: "workId", type: "string" },
    { name: "contributor", type: "string" },
    { name: "category", type: "string" },
    { name: "title", type: "string" },
    { name: "pov", type: "string[]" },
    { name: "submittedAt", type: "uint64" },
  ],
};

/** A voter's ballot of one epoch: every vote it casts, sorted by work id, each work once. */
export const BALLOT_TYPES: Record<string, TypedDataField[]> = {
  Ballot: [
    { name: "voter", type: "address" },
    { name: "epoch", type: "uint64" },
    { name: "castAt", type: "uint64" },
    { name: "votes", type: "Vote[]" },
  ],
  Vote: [
    { name: "workId", type: "string" },
    { name: "points", type: "uint64" },
  ],
};

export interface WorkReport {
  epoch: number;
  workId: string;
  contributor: string;
  category: string;
  title: string;
  pov: string[];
  submittedAt: number;
}

export interface Vote {
  workId: string;
  points: bigint | number | string;
}

export interface Ballot {
  voter: string;
  epoch: number;
  castAt: number;
  votes: Vote[];
}

/** The separator of the proof-of-value links in works.csv's `pov_url`. */
export const POV_SEPARATOR = " ";

/** The links of a `pov_url` cell, as the report signed them. */
export function povLinks(povUrl: string): string[] {
  return povUrl === "" ? [] : povUrl.split(POV_SEPARATOR);
}

/** Byte order of UTF-8 work ids (the order of a ballot's votes). */
export function compareWorkIds(a: string, b: string): number {
  if (a === b) return 0;
  const ea = UTF8.encode(a);
  const eb = UTF8.encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}
const UTF8 = new TextEncoder();

/** A ballot's votes in the signed order (sorted by work id); throws on a work named twice. */
export function sortBallotVotes<V extends Vote>(votes: readonly V[]): V[] {
  const sorted = [...votes].sort((a, b) => compareWorkIds(a.workId, b.workId));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.workId === sorted[i - 1]!.workId) {
      throw new Error(`the ballot names work "${sorted[i]!.workId}" twice`);
    }
  }
  return sorted;
}

/** The EIP-712 digest a wallet signs for a report. */
export function workReportDigest(domain: TypedDataDomain, report: WorkReport): string {
  return TypedDataEncoder.hash(domain, WORK_REPORT_TYPES, report);
}

/** The EIP-712 digest a wallet signs for a ballot (its votes must already be in the signed order). */
export function ballotDigest(domain: TypedDataDomain, ballot: Ballot): string {
  return TypedDataEncoder.hash(domain, BALLOT_TYPES, ballot);
}

/** secp256k1's order halved: signatures with a higher `s` are the malleable twins, refused. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Why a signature's bytes are refused before any recovery, or undefined if they are well formed: 65 bytes as
 * 0x-prefixed hex (r, s, v), v 27 or 28, s in the lower half.
 */
export function signatureProblem(signature: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return "a signature is 65 bytes written as 0x and 130 hex digits";
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `the signature's v must be 27 or 28, got ${v}`;
  const s = BigInt("0x" + signature.slice(66, 130));
  if (s === 0n || s > HALF_N) return "the signature's s is not in the lower half of the curve order (malleable)";
  if (BigInt(signature.slice(0, 66)) === 0n) return "the signature's r is zero";
  return undefined;
}

/** The address that signed a report, or undefined if the signature is malformed or recovers nothing. */
export function recoverWorkReportSigner(
  domain: TypedDataDomain,
  report: WorkReport,
  signature: string,
): string | undefined {
  if (signatureProblem(signature)) return undefined;
  try {
    return verifyTypedData(domain, WORK_REPORT_TYPES, report, Signature.from(signature)).toLowerCase();
  } catch {
    return undefined;
  }
}

/** The address that signed a ballot, or undefined if the signature is malformed or recovers nothing. */
export function recoverBallotSigner(domain: TypedDataDomain, ballot: Ballot, signature: string): string | undefined {
  if (signatureProblem(signature)) return undefined;
  try {
    return verifyTypedData(domain, BALLOT_TYPES, ballot, Signature.from(signature)).toLowerCase();
  } catch {
    return undefined;
  }
}

/** Unix seconds as the timestamps the pipeline's CSV files carry (`2025-01-24T15:16:00Z`). */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

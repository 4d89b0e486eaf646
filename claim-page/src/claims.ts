/**
 * What the page knows about one account: every published epoch's on-chain state, the account's leaf
 * from the published artifacts, and the verdict. A leaf is only ever offered for claiming after its
 * proof was verified against the root stored ON CHAIN — artifacts are untrusted input.
 */
import { Contract, getAddress, JsonRpcProvider } from "ethers";
import {
  ArtifactSchemaError,
  claimVerdict,
  ClaimsFileSchema,
  EPOCH_REWARDS_ABI,
  epochView,
  ERC20_ABI,
  MAX_OPEN_EPOCHS,
  parseArtifact,
  shardOf,
  verifyLeaf,
  type ClaimsFile,
  type EpochView,
  type RawEpochView,
} from "../../protocol/index.js";
import { epochUrl, type PageConfig } from "./config";

/** The deployment as read once from the chain. */
export interface Deployment {
  config: PageConfig;
  provider: JsonRpcProvider;
  pool: Contract;
  token: { address: string; symbol: string; decimals: number };
  reputationSymbol: string;
  /** Decay of an idle reputation each time an epoch becomes final, in basis points (immutable). */
  decayBps: number;
}

/** An epoch as read from the chain. */
export type OnChainEpoch = EpochView;

/** One account's leaf in an epoch. */
export interface Leaf {
  index: bigint;
  account: string;
  amount: bigint;
  reputation: bigint;
  proof: string[];
}

export type Verdict =
  | "claimable" // proof verified, claim window open, not claimed
  | "claimed" // already claimed
  | "upcoming" // in its challenge period: claimable from claimableAt
  | "expired" // claim window closed, never claimed
  | "vetoed" // the guardian rejected the root: pays nothing
  | "not-eligible" // the verified artifacts hold no leaf for the account
  | "refused" // the artifacts do not match the on-chain root: never claimed from here
  | "unavailable"; // artifacts could not be loaded

export interface EpochRow {
  epoch: number;
  chain: OnChainEpoch;
  leaf?: Leaf;
  verdict: Verdict;
  /** Why the row is refused or unavailable. */
  problem?: string;
  /** Where the claims were read from. */
  source?: string;
}

/** When scores decay next: every score decays once more when the oldest epoch in its challenge period becomes final. */
export interface NextDecay {
  epoch: number;
  /** The epoch's claimableAt. */
  at: number;
}

export interface AccountView {
  account: string;
  rows: EpochRow[];
  /** Latest block's timestamp: "now" for challenge periods and expiry. */
  now: number;
  /** The account's reputation as of now: its votes (getVotes), decayed to the newest final epoch. */
  reputation: bigint;
  /** The next epoch to become final, if one is in its challenge period. */
  nextDecay?: NextDecay;
  /** Σ amounts of the claimable rows. */
  claimable: bigint;
  /** The guardian paused the pool: no claim goes through until it is unpaused. */
  paused: boolean;
}

/** Reads the pool's token and symbols once. */
export async function connectDeployment(config: PageConfig): Promise<Deployment> {
  const provider = new JsonRpcProvider(config.rpcUrl, config.chainId, { staticNetwork: true });
  const rpcChain = Number(await provider.send("eth_chainId", []));
  if (rpcChain !== config.chainId) {
    throw new Error(`the RPC ${config.rpcUrl} serves chain ${rpcChain}, config.json says ${config.chainId}`);
  }
  if ((await provider.getCode(config.pool)) === "0x") {
    throw new Error(`no contract at the pool address ${config.pool} on chain ${config.chainId}`);
  }
  const pool = new Contract(config.pool, EPOCH_REWARDS_ABI, provider);
  const tokenAddress = getAddress(await pool.getFunction("token")());
  const token = new Contract(tokenAddress, ERC20_ABI, provider);
  const [symbol, decimals, reputationSymbol, decayBps] = await Promise.all([
    token.getFunction("symbol")() as Promise<string>,
    token.getFunction("decimals")() as Promise<bigint>,
    pool.getFunction("symbol")() as Promise<string>,
    pool.getFunction("decayBps")() as Promise<bigint>,
  ]);
  return {
    config,
    provider,
    pool,
    token: { address: tokenAddress, symbol, decimals: Number(decimals) },
    reputationSymbol,
    decayBps: Number(decayBps),
  };
}

/**
 * The epochs the page shows: config.epochs, or 1..latestEpoch() followed by the vetoed epochs after it. A veto
 * rejects an epoch and every later one, and latestEpoch() goes back to the epoch before them until they are
 * proposed again: they are shown as vetoed meanwhile.
 */
export async function publishedEpochs(d: Deployment): Promise<number[]> {
  if (d.config.epochs) return d.config.epochs;
  const latest = Number(await d.pool.getFunction("latestEpoch")());
  const epochs = Array.from({ length: latest }, (_, i) => i + 1);
  for (let epoch = latest + 1; epoch <= latest + MAX_OPEN_EPOCHS; epoch++) {
    if ((await readEpoch(d, epoch)).state !== "Vetoed") break;
    epochs.push(epoch);
  }
  return epochs;
}

async function readEpoch(d: Deployment, epoch: number): Promise<OnChainEpoch> {
  return epochView((await d.pool.getFunction("getEpoch")(epoch)) as RawEpochView);
}

class ArtifactsUnavailable extends Error {}

async function fetchJson(url: string): Promise<{ status: number; body?: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-cache" });
  } catch (error) {
    throw new ArtifactsUnavailable(`cannot load ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) return { status: response.status };
  try {
    return { status: response.status, body: await response.json() };
  } catch {
    throw new ArtifactsUnavailable(`${url} is not valid JSON`);
  }
}

/** The claims file holding `account` in `epoch`: its shard, or claims.json when there are no shards. */
async function fetchClaims(d: Deployment, epoch: number, account: string): Promise<{ url: string; file: ClaimsFile }> {
  const base = epochUrl(d.config, epoch);
  const urls = [`${base}claims.json`];
  if (d.config.useShards) urls.unshift(`${base}claims/${shardOf(account)}.json`);
  for (const url of urls) {
    const { status, body } = await fetchJson(url);
    if (status === 404 && url !== urls[urls.length - 1]) continue;
    if (body === undefined) throw new ArtifactsUnavailable(`cannot load ${url}: HTTP ${status}`);
    try {
      return { url, file: parseArtifact(ClaimsFileSchema, body, url) };
    } catch (error) {
      if (error instanceof ArtifactSchemaError)
        throw new ArtifactsUnavailable(`${url} is not a claims file: ${error.problems.join("; ")}`);
      throw error;
    }
  }
  throw new ArtifactsUnavailable(`no claims published for epoch ${epoch}`);
}

const short = (hash: string) => `${hash.slice(0, 10)}…${hash.slice(-6)}`;

async function loadRow(d: Deployment, epoch: number, account: string, now: number): Promise<EpochRow> {
  const chain = await readEpoch(d, epoch);
  const row: EpochRow = { epoch, chain, verdict: "unavailable" };
  // Without a root on chain there is nothing to check the artifacts against: the verdict needs no leaf.
  const early = claimVerdict({ chain, claimed: false, now });
  if (early === "not-proposed") return { ...row, problem: `epoch ${epoch} was never proposed on chain` };
  if (early === "vetoed") return { ...row, verdict: "vetoed" };

  let claims: { url: string; file: ClaimsFile };
  let claimed: boolean;
  try {
    [claims, claimed] = await Promise.all([
      fetchClaims(d, epoch, account),
      d.pool.getFunction("isClaimed")(epoch, account) as Promise<boolean>,
    ]);
  } catch (error) {
    if (error instanceof ArtifactsUnavailable) return { ...row, problem: error.message };
    throw error;
  }
  row.source = claims.url;
  if (claims.file.epoch !== epoch) {
    return { ...row, verdict: "refused", problem: `${claims.url} is for epoch ${claims.file.epoch}, not ${epoch}` };
  }
  const key = Object.keys(claims.file.claims).find((k) => k.toLowerCase() === account.toLowerCase());
  const claim = key === undefined ? undefined : claims.file.claims[key];
  if (claim) {
    row.leaf = {
      index: BigInt(claim.index),
      account,
      amount: BigInt(claim.amount),
      reputation: BigInt(claim.reputation),
      proof: claim.proof,
    };
  }
  const verdict = claimVerdict({
    chain,
    artifacts: {
      root: claims.file.root,
      leaf: row.leaf && { verified: verifyLeaf(chain.root, row.leaf, row.leaf.proof) },
    },
    claimed,
    now,
  });
  switch (verdict) {
    case "not-proposed":
    case "vetoed":
      throw new Error(`epoch ${epoch} changed state while the page read it`);
    case "wrong-root":
      return {
        ...row,
        verdict: "refused",
        problem: `the published root ${short(claims.file.root.toLowerCase())} differs from the on-chain root ${short(chain.root)}`,
      };
    case "bad-proof":
      return { ...row, verdict: "refused", problem: "the proof does not verify against the on-chain root" };
    default:
      return { ...row, verdict };
  }
}

/**
 * The epoch whose challenge period ends next, if any: epochs become final in order, so it is the one after the
 * newest final epoch (at `now`), provided it was proposed.
 */
async function nextDecay(d: Deployment, now: number): Promise<NextDecay | undefined> {
  const [final, latest] = await Promise.all([
    d.pool.getFunction("finalEpochAt")(now) as Promise<bigint>,
    d.pool.getFunction("latestEpoch")() as Promise<bigint>,
  ]);
  if (final >= latest) return undefined;
  const epoch = Number(final) + 1;
  return { epoch, at: (await readEpoch(d, epoch)).claimableAt };
}

/** Everything the page shows for `account`. */
export async function loadAccount(d: Deployment, account: string): Promise<AccountView> {
  const checksummed = getAddress(account);
  const [epochs, block, reputation, paused] = await Promise.all([
    publishedEpochs(d),
    d.provider.getBlock("latest"),
    d.pool.getFunction("getVotes")(checksummed) as Promise<bigint>,
    d.pool.getFunction("paused")() as Promise<boolean>,
  ]);
  const now = block?.timestamp ?? Math.floor(Date.now() / 1000);
  const [rows, next] = await Promise.all([
    Promise.all(epochs.map((epoch) => loadRow(d, epoch, checksummed, now))),
    nextDecay(d, now),
  ]);
  const claimable = rows.reduce((sum, r) => (r.verdict === "claimable" ? sum + r.leaf!.amount : sum), 0n);
  return { account: checksummed, rows, now, reputation: BigInt(reputation), nextDecay: next, claimable, paused };
}

/**
 * Drops the claims that were claimed since the page loaded (by anyone: claims are permissionless), so that a
 * front-run leaf does not make the whole batch revert with AlreadyClaimed.
 */
export async function stillUnclaimed<C extends { epoch: bigint; account: string }>(
  d: Deployment,
  claims: C[],
): Promise<{ unclaimed: C[]; gone: C[] }> {
  const claimed = await Promise.all(
    claims.map((c) => d.pool.getFunction("isClaimed")(c.epoch, c.account) as Promise<boolean>),
  );
  return { unclaimed: claims.filter((_, i) => !claimed[i]), gone: claims.filter((_, i) => claimed[i]) };
}

/** The claimMany argument for every claimable row: one account, epochs ascending (one run, one transfer). */
export function claimsOf(view: AccountView) {
  return view.rows
    .filter((r) => r.verdict === "claimable" && r.leaf)
    .sort((a, b) => a.epoch - b.epoch)
    .map((r) => ({
      epoch: BigInt(r.epoch),
      index: r.leaf!.index,
      account: r.leaf!.account,
      amount: r.leaf!.amount,
      reputation: r.leaf!.reputation,
      proof: r.leaf!.proof,
    }));
}

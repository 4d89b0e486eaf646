/**
 * What the page knows about one account: every published epoch's on-chain state, the account's leaf
 * from the published artifacts, and the verdict. A leaf is only ever offered for claiming after its
 * proof was verified against the root stored ON CHAIN — artifacts are untrusted input.
 */
import { Contract, getAddress, isHexString, JsonRpcProvider } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { EPOCH_STATES, ERC20_ABI, LEAF_ENCODING, POOL_ABI, type EpochStateName } from "./abi";
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

export interface OnChainEpoch {
  state: EpochStateName;
  root: string;
  total: bigint;
  claimed: bigint;
  reputationTotal: bigint;
  claimableAt: number;
  expiresAt: number;
}

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
  const pool = new Contract(config.pool, POOL_ABI, provider);
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

/** How many epochs may be open at once (`MAX_OPEN_EPOCHS`): a veto never takes more than that many. */
const MAX_OPEN_EPOCHS = 64;

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
  const e = await d.pool.getFunction("getEpoch")(epoch);
  return {
    state: EPOCH_STATES[Number(e.state)] ?? "None",
    root: String(e.root).toLowerCase(),
    total: BigInt(e.total),
    claimed: BigInt(e.claimed),
    reputationTotal: BigInt(e.reputationTotal),
    claimableAt: Number(e.claimableAt),
    expiresAt: Number(e.expiresAt),
  };
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

interface ClaimsFile {
  root: string;
  epoch: number;
  claims: Record<string, unknown>;
}

function isClaimsFile(v: unknown): v is ClaimsFile {
  const f = v as ClaimsFile;
  return (
    typeof f === "object" &&
    f !== null &&
    typeof f.root === "string" &&
    typeof f.epoch === "number" &&
    typeof f.claims === "object" &&
    f.claims !== null
  );
}

/** The claims file holding `account` in `epoch`: its shard, or claims.json when there are no shards. */
async function fetchClaims(d: Deployment, epoch: number, account: string): Promise<{ url: string; file: ClaimsFile }> {
  const base = epochUrl(d.config, epoch);
  const urls = [`${base}claims.json`];
  if (d.config.useShards) urls.unshift(`${base}claims/${account.slice(2, 4).toLowerCase()}.json`);
  for (const url of urls) {
    const { status, body } = await fetchJson(url);
    if (status === 404 && url !== urls[urls.length - 1]) continue;
    if (body === undefined) throw new ArtifactsUnavailable(`cannot load ${url}: HTTP ${status}`);
    if (!isClaimsFile(body)) throw new ArtifactsUnavailable(`${url} is not a claims file`);
    return { url, file: body };
  }
  throw new ArtifactsUnavailable(`no claims published for epoch ${epoch}`);
}

function parseLeaf(account: string, raw: unknown): Leaf | undefined {
  const c = raw as { index?: unknown; amount?: unknown; reputation?: unknown; proof?: unknown };
  const integer = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v)) || /^[0-9]+$/.test(String(v));
  if (
    !integer(c?.index) ||
    !integer(c?.amount) ||
    !integer(c?.reputation) ||
    !Array.isArray(c.proof) ||
    !c.proof.every((p) => isHexString(p, 32))
  ) {
    return undefined;
  }
  return {
    index: BigInt(c.index as number | string),
    account,
    amount: BigInt(c.amount as string),
    reputation: BigInt(c.reputation as string),
    proof: c.proof as string[],
  };
}

/** Verifies a leaf against a root with OpenZeppelin's StandardMerkleTree (the contract's leaf hashing). */
export function verifyLeaf(root: string, leaf: Leaf): boolean {
  try {
    return StandardMerkleTree.verify(
      root,
      LEAF_ENCODING,
      [leaf.index, leaf.account, leaf.amount, leaf.reputation],
      leaf.proof,
    );
  } catch {
    return false;
  }
}

const short = (hash: string) => `${hash.slice(0, 10)}…${hash.slice(-6)}`;

async function loadRow(d: Deployment, epoch: number, account: string, now: number): Promise<EpochRow> {
  const chain = await readEpoch(d, epoch);
  const row: EpochRow = { epoch, chain, verdict: "unavailable" };
  if (chain.state === "None") {
    return { ...row, problem: `epoch ${epoch} was never proposed on chain` };
  }
  if (chain.state === "Vetoed") return { ...row, verdict: "vetoed" };

  let claims: { url: string; file: ClaimsFile };
  try {
    claims = await fetchClaims(d, epoch, account);
  } catch (error) {
    if (error instanceof ArtifactsUnavailable) return { ...row, problem: error.message };
    throw error;
  }
  row.source = claims.url;
  const fileRoot = claims.file.root.toLowerCase();
  if (claims.file.epoch !== epoch) {
    return { ...row, verdict: "refused", problem: `${claims.url} is for epoch ${claims.file.epoch}, not ${epoch}` };
  }
  if (fileRoot !== chain.root) {
    return {
      ...row,
      verdict: "refused",
      problem: `the published root ${short(fileRoot)} differs from the on-chain root ${short(chain.root)}`,
    };
  }
  const key = Object.keys(claims.file.claims).find((k) => k.toLowerCase() === account.toLowerCase());
  if (key === undefined) return { ...row, verdict: "not-eligible" };
  const leaf = parseLeaf(account, claims.file.claims[key]);
  if (!leaf) return { ...row, verdict: "refused", problem: `the claim of ${account} in ${claims.url} is malformed` };
  row.leaf = leaf;
  if (!verifyLeaf(chain.root, leaf)) {
    return { ...row, verdict: "refused", problem: "the proof does not verify against the on-chain root" };
  }
  if (chain.state === "Challenge" || now < chain.claimableAt) return { ...row, verdict: "upcoming" };
  const claimed = (await d.pool.getFunction("isClaimed")(epoch, account)) as boolean;
  if (claimed) return { ...row, verdict: "claimed" };
  if (chain.state === "Claimable" && now < chain.expiresAt) return { ...row, verdict: "claimable" };
  return { ...row, verdict: "expired" };
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

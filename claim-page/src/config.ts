/**
 * Where the page points: chain, pool, RPC, artifacts and the collector. Read at run time from `config.json` next to
 * index.html (so one build serves any deployment), or from another same-origin file named by `?config=`.
 * Addresses and URLs are never taken from the query string itself: a link cannot make the page send
 * transactions to another contract or trust another RPC.
 */
import { getAddress } from "ethers";

export interface NativeCurrency {
  name: string;
  symbol: string;
  decimals: number;
}

export interface PageConfig {
  /** The chain the pool lives on; the wallet must be on it to claim. */
  chainId: number;
  /** Shown in the wrong-network message and used by wallet_addEthereumChain. */
  chainName: string;
  /** Read-only JSON-RPC endpoint for chain state before (and after) a wallet connects. */
  rpcUrl: string;
  /** The EpochRewards contract. */
  pool: string;
  /**
   * The publish root (URL, absolute or relative to the page) that `sm:publish` lays out: `epochs/epoch-N/` holds
   * the artifacts of epoch N's live root, `retired/` the vetoed versions (never read by the page); resolved.
   */
  artifactsBaseUrl: string;
  /** artifactsBaseUrl as written in config.json (for display). */
  artifactsBase: string;
  /**
   * Path of an epoch's directory under artifactsBaseUrl; `{epoch}` is replaced by the number. Default
   * {@link DEFAULT_EPOCH_PATH}, the published layout; `epoch-{epoch}` for a base that is the `epochs/` folder itself.
   */
  epochPath: string;
  /** Epochs to show; by default every epoch from 1 to the pool's latestEpoch(). */
  epochs?: number[];
  /** Read the account's shard claims/XX.json (1/256 of the epoch) before falling back to claims.json. */
  useShards: boolean;
  /** Link to a transaction on a block explorer; `{hash}` is replaced by the hash. */
  explorerTxUrl?: string;
  /** For wallet_addEthereumChain when the wallet does not know the chain. */
  nativeCurrency: NativeCurrency;
  /** Public RPC URLs to suggest to the wallet in wallet_addEthereumChain (default: rpcUrl). */
  walletRpcUrls?: string[];
  /**
   * The collector's base URL (resolved, with a trailing slash), where members report works and cast ballots;
   * undefined when none is configured: the Report and Vote pages say so, claiming works as ever.
   */
  collector?: string;
  /** collector as written in config.json (for display). */
  collectorBase?: string;
  /** The categories offered in the report form. */
  categories: string[];
}

/** The categories of the report form when config.json names none. */
export const DEFAULT_CATEGORIES = [
  "article",
  "bug-report",
  "campaign",
  "moderation",
  "partnership",
  "tool",
  "translation",
  "video",
];

export class ConfigError extends Error {}

/** Where the published layout keeps an epoch's live artifacts, under the publish root (docs/formats.md). */
export const DEFAULT_EPOCH_PATH = "epochs/epoch-{epoch}";

function field<T>(raw: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string): T {
  const value = raw[key];
  if (!check(value)) throw new ConfigError(`config.json: "${key}" must be ${what}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isPositiveInteger = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    const url = new URL(v);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Validates a parsed config.json. */
export function parseConfig(raw: unknown, pageUrl: string): PageConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must hold a JSON object");
  }
  const r = raw as Record<string, unknown>;
  const chainId = field(r, "chainId", isPositiveInteger, "a positive integer");
  const rpcUrl = field(r, "rpcUrl", isHttpUrl, "an http(s) URL");
  const poolText = field(r, "pool", isString, "the pool's address");
  let pool: string;
  try {
    pool = getAddress(poolText);
  } catch {
    throw new ConfigError(`config.json: "pool" is not a valid address (${poolText})`);
  }
  const base = field(r, "artifactsBaseUrl", isString, "a URL or a path");
  const artifactsBaseUrl = new URL(base.endsWith("/") ? base : `${base}/`, pageUrl).href;
  const epochPath = r.epochPath === undefined ? DEFAULT_EPOCH_PATH : field(r, "epochPath", isString, "a string");
  if (!epochPath.includes("{epoch}")) throw new ConfigError('config.json: "epochPath" must contain {epoch}');
  let epochs: number[] | undefined;
  if (r.epochs !== undefined && r.epochs !== null) {
    if (!Array.isArray(r.epochs) || !r.epochs.every(isPositiveInteger)) {
      throw new ConfigError('config.json: "epochs" must be a list of positive integers');
    }
    epochs = [...new Set(r.epochs as number[])].sort((a, b) => a - b);
  }
  const useShards = r.useShards === undefined ? true : r.useShards === true;
  const explorerTxUrl =
    r.explorerTxUrl === undefined ? undefined : field(r, "explorerTxUrl", isHttpUrl, "an http(s) URL with {hash}");
  const chainName = r.chainName === undefined ? `chain ${chainId}` : field(r, "chainName", isString, "a string");
  const currency = (r.nativeCurrency ?? { name: "Ether", symbol: "ETH", decimals: 18 }) as NativeCurrency;
  const walletRpcUrls = Array.isArray(r.walletRpcUrls) ? r.walletRpcUrls.filter(isHttpUrl) : undefined;
  let collector: string | undefined;
  let collectorBase: string | undefined;
  if (r.collector !== undefined && r.collector !== null && r.collector !== "") {
    collectorBase = field(r, "collector", isString, "the collector's URL");
    const resolved = new URL(collectorBase.endsWith("/") ? collectorBase : `${collectorBase}/`, pageUrl);
    if (resolved.protocol !== "http:" && resolved.protocol !== "https:") {
      throw new ConfigError('config.json: "collector" must be an http(s) URL');
    }
    collector = resolved.href;
  }
  let categories = DEFAULT_CATEGORIES;
  if (r.categories !== undefined) {
    if (!Array.isArray(r.categories) || r.categories.length === 0 || !r.categories.every(isString)) {
      throw new ConfigError('config.json: "categories" must be a non-empty list of strings');
    }
    categories = [...new Set(r.categories as string[])];
  }
  return {
    chainId,
    chainName,
    rpcUrl,
    pool,
    artifactsBaseUrl,
    artifactsBase: base,
    epochPath,
    epochs,
    useShards,
    explorerTxUrl,
    nativeCurrency: currency,
    walletRpcUrls,
    collector,
    collectorBase,
    categories,
  };
}

/** The config file to read: `config.json`, or `?config=<same-origin path>`. */
export function configUrl(location: Location): string {
  const requested = new URLSearchParams(location.search).get("config");
  const url = new URL(requested ?? "config.json", location.href);
  if (url.origin !== location.origin) throw new ConfigError("?config= must name a file on this site");
  return url.href;
}

/** Fetches and validates the page's config. */
export async function loadConfig(location: Location): Promise<PageConfig> {
  const url = configUrl(location);
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`cannot load ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ConfigError(`cannot load ${url}: HTTP ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON`);
  }
  return parseConfig(raw, location.href);
}

/**
 * The URL of an epoch's artifacts directory (with a trailing slash): by default `<publish root>/epochs/epoch-N/`,
 * where `sm:publish` puts the artifacts of the root live on chain.
 */
export function epochUrl(config: PageConfig, epoch: number): string {
  return new URL(`${config.epochPath.replaceAll("{epoch}", String(epoch))}/`, config.artifactsBaseUrl).href;
}

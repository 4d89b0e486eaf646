/**
 * Wallet discovery (EIP-6963, falling back to the legacy `window.ethereum`) and the few EIP-1193
 * calls the page makes itself.
 */

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
  on?(event: string, listener: (...args: any[]) => void): unknown;
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
}

/** EIP-6963 provider info. */
export interface WalletInfo {
  uuid: string;
  name: string;
  /** data: URI of the wallet's icon (EIP-6963 requires a data URI). */
  icon: string;
  rdns: string;
}

export interface Wallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

interface AnnounceEvent extends Event {
  detail: { info: WalletInfo; provider: Eip1193Provider };
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

/**
 * Listens for EIP-6963 announcements and asks wallets to announce themselves. `onChange` receives the
 * current list every time it changes. Returns a function that stops listening.
 */
export function discoverWallets(onChange: (wallets: Wallet[]) => void): () => void {
  const found = new Map<string, Wallet>();
  const listener = (event: Event) => {
    const detail = (event as AnnounceEvent).detail;
    if (!detail?.info?.uuid || typeof detail.provider?.request !== "function") return;
    found.set(detail.info.uuid, { info: detail.info, provider: detail.provider });
    onChange([...found.values()]);
  };
  window.addEventListener("eip6963:announceProvider", listener);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  return () => window.removeEventListener("eip6963:announceProvider", listener);
}

/** The legacy injected provider, for wallets that do not implement EIP-6963. */
export function legacyWallet(): Wallet | undefined {
  const provider = window.ethereum;
  if (!provider || typeof provider.request !== "function") return undefined;
  return { info: { uuid: "window.ethereum", name: "Browser wallet", icon: "", rdns: "" }, provider };
}

/** Asks the wallet for accounts (opens its connect prompt). */
export async function requestAccounts(provider: Eip1193Provider): Promise<string[]> {
  const accounts = await provider.request({ method: "eth_requestAccounts" });
  return Array.isArray(accounts) ? accounts.map(String) : [];
}

export async function walletChainId(provider: Eip1193Provider): Promise<number> {
  return Number(BigInt(String(await provider.request({ method: "eth_chainId" }))));
}

/** The EIP-1193 error code of an error from a wallet, if any. */
export function errorCode(error: unknown): number | undefined {
  const e = error as { code?: unknown; data?: { originalError?: { code?: unknown } } } | undefined;
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.data?.originalError?.code === "number") return e.data.originalError.code;
  return undefined;
}

/**
 * Asks the wallet to switch to `chainId`; when it does not know the chain (error 4902), offers to add it.
 */
export async function switchChain(
  provider: Eip1193Provider,
  chain: {
    chainId: number;
    chainName: string;
    rpcUrls: string[];
    nativeCurrency: { name: string; symbol: string; decimals: number };
  },
): Promise<void> {
  const chainId = `0x${chain.chainId.toString(16)}`;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    if (errorCode(error) !== 4902) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [{ chainId, chainName: chain.chainName, rpcUrls: chain.rpcUrls, nativeCurrency: chain.nativeCurrency }],
    });
  }
}

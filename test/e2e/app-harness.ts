// What the browser tests of the members' app share (test/e2e/claim-page.test.ts, test/e2e/members-app.test.ts):
// the compiled contracts, the app built with vite and served with the epoch artifacts, Debian's Chromium driven by
// playwright-core, a test wallet injected into every page that announces itself with EIP-6963, signs typed data
// with the real key of its account and forwards everything else to the node, and screenshots for the docs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, relative, resolve, sep } from "node:path";
import { inflateSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { build } from "vite";
import {
  Contract,
  ContractFactory,
  HDNodeWallet,
  Mnemonic,
  toQuantity,
  type InterfaceAbi,
  type Signer,
  type TypedDataField,
} from "ethers";

// Browser globals used inside page.evaluate / addInitScript callbacks (the root tsconfig has no DOM lib).
declare const window: any;

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
export const CHAIN_ID = 31337;
export const MNEMONIC = "test test test test test test test test test test test junk";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function compiled(name: string, file = `${name}.sol`): { abi: InterfaceAbi; bytecode: string } {
  const path = join(ROOT, "artifacts", "contracts", ...file.split("/"), `${name}.json`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx hardhat build\` first`);
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) as RGBA; undefined otherwise. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer } | undefined {
  if (png.length < 33 || png.readUInt32BE(12) !== 0x49484452) return undefined; // IHDR
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colorType, , , interlace] = png.subarray(24, 29);
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (depth !== 8 || channels === 0 || interlace !== 0) return undefined;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) return undefined;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels]! : 0;
      const b = y > 0 ? pixels[out - stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      if (predictor === undefined) return undefined;
      pixels[out + x] = (line[x]! + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = Buffer.alloc(width * height * 4, 0xff);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) pixels.copy(rgba, j, i, i + 3);
  return { width, height, rgba };
}

/**
 * Writes a screenshot for the docs only if it shows something else than the file already there: the same pixels
 * encoded differently do not rewrite a tracked file. Returns whether the file was written.
 */
/** The mock token and a pool deployed from the compiled artifacts by `operator`, who also gets PROPOSER_ROLE. */
export async function deploySuite(
  operator: Signer,
  durations: { challengePeriod: number; claimWindow: number; decayBps: number },
): Promise<{ token: Contract; pool: Contract }> {
  const operatorAddress = await operator.getAddress();
  const mock = compiled("MockERC20", "test/MockERC20.sol");
  const token = (await new ContractFactory(mock.abi, mock.bytecode, operator).deploy(
    "Social Mining Token",
    "SMT",
    18,
  )) as Contract;
  await token.waitForDeployment();
  const rewards = compiled("EpochRewards");
  const pool = (await new ContractFactory(rewards.abi, rewards.bytecode, operator).deploy(
    await token.getAddress(),
    operatorAddress,
    0,
    durations.challengePeriod,
    durations.claimWindow,
    durations.decayBps,
    "Social Mining Reputation",
    "SMR",
  )) as Contract;
  await pool.waitForDeployment();
  await (await pool.getFunction("grantRole")(await pool.getFunction("PROPOSER_ROLE")(), operatorAddress)).wait();
  return { token, pool };
}

export function saveScreenshot(path: string, png: Buffer): boolean {
  if (existsSync(path)) {
    const old = readFileSync(path);
    if (old.equals(png)) return false;
    const [a, b] = [decodePng(old), decodePng(png)];
    if (a && b && a.width === b.width && a.height === b.height && a.rgba.equals(b.rgba)) return false;
  }
  writeFileSync(path, png);
  console.log(`      updated ${relative(ROOT, path)}`);
  return true;
}

/** `2030-01-02 01:00 UTC`: how the page writes a timestamp. */
export function utc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function account(i: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${i}`);
}

/**
 * Where screenshots go: the docs' images only when asked (UPDATE_SCREENSHOTS=1); otherwise out/screenshots/
 * (gitignored), so that a test run leaves the checkout clean.
 */
export function screenshotDir(): string {
  return process.env.UPDATE_SCREENSHOTS === "1" ? join(ROOT, "docs", "images") : join(ROOT, "out", "screenshots");
}

/** Fails with how to install Chromium when it is missing. */
export function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the app's browser tests need it (Debian: \`apt-get install chromium\`, or set CHROMIUM_PATH)`,
    );
  }
}

/** Builds the app with vite into `outDir`. */
export async function buildApp(outDir: string) {
  await build({
    configFile: join(ROOT, "claim-page", "vite.config.ts"),
    logLevel: "silent",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
};

/**
 * Serves the built page from `dist`, the epoch artifacts under /epochs/ and /config.json from memory.
 * `overrides` replaces a served path's body (to tamper with published claims).
 */
export function startServer(dist: string, epochs: string, config: () => object, overrides: Map<string, string>) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const send = (status: number, body: string | Buffer, type = "text/plain") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (path === "/config.json") return send(200, JSON.stringify(config()), MIME[".json"]);
    const override = overrides.get(path);
    if (override !== undefined) return send(200, override, MIME[".json"]);
    const [base, rest] = path.startsWith("/epochs/") ? [epochs, path.slice(8)] : [dist, path.slice(1) || "index.html"];
    const file = resolve(base, rest);
    if (!file.startsWith(base + sep) || !existsSync(file)) return send(404, "not found");
    try {
      return send(200, readFileSync(file), MIME[extname(file)] ?? "application/octet-stream");
    } catch {
      return send(404, "not found");
    }
  });
  return new Promise<Server>((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** What the injected test wallet does: which account and chain it reports, and every request it got. */
export interface TestWallet {
  account: string;
  chainId: number;
  requests: { method: string; params: unknown[] }[];
  /** eth_signTypedData_v4 answers a signature with one byte changed: `v`, no longer 27 or 28. */
  tamper?: boolean;
  /** eth_signTypedData_v4 signs with this other account's key (a well-formed signature by someone else). */
  signAs?: string;
  /** eth_signTypedData_v4 answers the user's refusal (EIP-1193 error 4001). */
  reject?: boolean;
}

// Plain JavaScript, not a transpiled function: tsx's helpers (__name) do not exist in the page.
export const TEST_WALLET_INIT = `(() => {
  const listeners = {};
  const provider = {
    async request({ method, params }) {
      const reply = await window.__testWalletRpc(method, params ?? []);
      if (reply.error) {
        throw Object.assign(new Error(reply.error.message), { code: reply.error.code, data: reply.error.data });
      }
      return reply.result;
    },
    on(event, listener) {
      (listeners[event] ??= []).push(listener);
      return provider;
    },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] ?? []).filter((l) => l !== listener);
      return provider;
    },
  };
  window.__testWalletEmit = (event, arg) => (listeners[event] ?? []).forEach((l) => l(arg));
  const info = Object.freeze({
    uuid: "5f0d6f4e-4b52-4cf4-9d7c-2f3f0b7a9e11",
    name: "Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 20'%3E%3Ccircle cx='10' cy='10' r='9' fill='%233b4cca'/%3E%3C/svg%3E",
    rdns: "org.socialmining.test-wallet",
  });
  // ?legacy-wallet: a wallet without EIP-6963, only window.ethereum.
  if (location.search.includes("legacy-wallet")) {
    window.ethereum = provider;
    return;
  }
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

/** Forwards a request to the node untouched, returning its JSON-RPC result or error. */
export async function forward(nodeUrl: string, method: string, params: unknown[]) {
  const response = await fetch(nodeUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  return body.error ? { error: body.error } : { result: body.result };
}

/** The keys of the node's default accounts (and a few more), by lowercase address. */
const KEYS = new Map(
  [...Array(50).keys()].map((i) => {
    const key = account(i);
    return [key.address.toLowerCase(), key] as const;
  }),
);

/** Signs `eth_signTypedData_v4` params ([address, JSON payload]) with the address's real key. */
async function signTypedData(wallet: TestWallet, params: unknown[]) {
  const [address, json] = params as [string, string];
  const key = KEYS.get((wallet.signAs ?? String(address)).toLowerCase());
  if (!key || String(address).toLowerCase() !== wallet.account.toLowerCase()) {
    return { error: { code: 4100, message: `the test wallet cannot sign for ${address}` } };
  }
  if (wallet.reject) return { error: { code: 4001, message: "User rejected the request." } };
  const payload = JSON.parse(json) as {
    types: Record<string, TypedDataField[]>;
    domain: Record<string, unknown>;
    message: Record<string, unknown>;
  };
  const { EIP712Domain: _, ...types } = payload.types;
  let signature = await key.signTypedData(payload.domain, types, payload.message);
  if (wallet.tamper) {
    const at = 2 + 2 * 64;
    const byte = (parseInt(signature.slice(at, at + 2), 16) ^ 0x80).toString(16).padStart(2, "0");
    signature = signature.slice(0, at) + byte + signature.slice(at + 2);
  }
  return { result: signature };
}

/**
 * Starts Chromium with a fresh profile in `profile` and the test wallet in every page: it reports `wallet.account`
 * and `wallet.chainId`, records every request, switches chain on request (and says so with `chainChanged`), sends
 * transactions through the node as its account (the node signs for its unlocked accounts), signs typed data with
 * the account's real key, and forwards the rest to the node.
 */
export async function launchWithTestWallet(
  profile: string,
  wallet: TestWallet,
  nodeUrl: string,
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
  });
  await context.exposeBinding("__testWalletRpc", async (source, method: string, params: unknown[]) => {
    wallet.requests.push({ method, params });
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return { result: [wallet.account] };
      case "eth_chainId":
        return { result: toQuantity(wallet.chainId) };
      case "wallet_switchEthereumChain": {
        const requested = Number((params[0] as { chainId: string }).chainId);
        wallet.chainId = requested;
        setTimeout(() => {
          source.page
            .evaluate(
              (chainId) =>
                (window as unknown as { __testWalletEmit: (e: string, a: unknown) => void }).__testWalletEmit(
                  "chainChanged",
                  chainId,
                ),
              toQuantity(requested),
            )
            .catch(() => undefined);
        }, 0);
        return { result: null };
      }
      case "eth_sendTransaction": {
        // hardhat node signs for its unlocked default accounts: send as the wallet's account.
        const tx = { ...(params[0] as object), from: wallet.account };
        return forward(nodeUrl, method, [tx]);
      }
      case "eth_signTypedData_v4":
        return signTypedData(wallet, params);
      default:
        return forward(nodeUrl, method, params);
    }
  });
  await context.addInitScript({ content: TEST_WALLET_INIT });
  return context;
}

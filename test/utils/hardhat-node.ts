// A real `hardhat node` child process for the tests that need one (the deploy-to-localhost, e2e and claim-page
// tests): one copy of the start / wait / stop logic instead of one per test file.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const HARDHAT_CLI = join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const HOST = "127.0.0.1";
/** Hardhat's default chain id, 31337: any other answer is not a fresh `hardhat node`. */
const CHAIN_ID = "0x7a69";
/**
 * The port of hardhat.config.ts's `localhost` network: SM_LOCALHOST_PORT, 8545 by default. A test that starts a node
 * for `--network localhost` must start it on this port.
 */
export const LOCALHOST_PORT = Number(process.env.SM_LOCALHOST_PORT?.trim() || 8545);
/** How long `stop()` waits after SIGTERM before SIGKILL. */
const KILL_AFTER_MS = 5_000;

export interface HardhatNode {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the node printed so far (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, SIGKILL if it has not exited after 5 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Whether nothing listens on 127.0.0.1:`port`. Checked before starting a node, because `hardhat node` on a busy
 * port can fail late and a caller may prefer skipping or a clear message. Rejects on errors other than EADDRINUSE.
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? ok(false) : fail(new Error(`cannot check port ${port}: ${error.message}`)),
    );
    server.listen(port, HOST, () => server.close(() => ok(true)));
  });
}

async function chainId(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return ((await response.json()) as { result?: string }).result;
  } catch {
    return undefined;
  }
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` with the Node that runs the tests (Hardhat needs Node 22)
 * and resolves once it printed its "JSON-RPC server at <url>/" banner AND answers eth_chainId with 31337: the banner
 * proves the answer comes from OUR node, not from another process that grabbed the port meanwhile.
 *
 * Rejects after `startupTimeoutMs` or when the node exits first, with its output; the node is stopped then, since the
 * caller gets no handle to stop it. `deadlineMs`, if given, SIGKILLs the node that long after the start whatever
 * happens (a hard bound for a test file whose `after` might never run).
 */
export async function startHardhatNode({
  port,
  startupTimeoutMs,
  deadlineMs,
}: {
  port: number;
  startupTimeoutMs: number;
  deadlineMs?: number;
}): Promise<HardhatNode> {
  const url = `http://${HOST}:${port}`;
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", HOST, "--port", String(port)], {
    cwd: ROOT,
    // No colour codes in the output we match the banner against.
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((done) => child.once("exit", () => done()));

  const deadline = deadlineMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), deadlineMs);
  deadline?.unref(); // must not keep mocha alive once everything else is done

  const node: HardhatNode = {
    child,
    url,
    output: () => output,
    async stop() {
      if (deadline !== undefined) clearTimeout(deadline);
      if (exited()) return;
      child.kill("SIGTERM");
      const escalate = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      await exit;
      clearTimeout(escalate);
    },
  };

  const started = Date.now();
  const banner = `JSON-RPC server at ${url}/`;
  try {
    while (!output.includes(banner) || (await chainId(url)) !== CHAIN_ID) {
      if (exited()) {
        throw new Error(
          `hardhat node exited with ${child.exitCode ?? child.signalCode} before answering eth_chainId (is port ${port} in use?):\n${output}`,
        );
      }
      if (Date.now() - started > startupTimeoutMs) {
        throw new Error(`hardhat node did not answer on ${url} within ${startupTimeoutMs / 1000} s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

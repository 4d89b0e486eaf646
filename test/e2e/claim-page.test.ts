// The claim page in a real browser (Debian chromium driven by playwright-core) against a real `hardhat node`:
// contracts deployed from the compiled artifacts, two epochs computed by the pipeline library from examples/
// and published on chain, the page built with vite and served with the artifacts from a local server, and a
// test wallet injected into the page that announces itself with EIP-6963 and forwards to the node.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { Contract, JsonRpcProvider, formatUnits, getAddress, id, toQuantity, type Signer } from "ethers";
import { allocateEpoch, decay, writeArtifacts, type ClaimsFile, type EpochResult } from "../../scripts/lib/index.js";
import { startHardhatNode, type HardhatNode } from "../utils/hardhat-node.js";
import { shardOf } from "../../protocol/artifacts.js";
import {
  CHAIN_ID,
  DESKTOP,
  PHONE,
  ROOT,
  account,
  buildApp,
  deploySuite,
  launchWithTestWallet,
  requireChromium,
  saveScreenshot,
  screenshotDir,
  startServer,
  utc,
  type TestWallet,
} from "./app-harness.js";

// Browser globals used inside page.evaluate / addInitScript callbacks (the root tsconfig has no DOM lib).
declare const window: any;
declare const document: any;
declare function getComputedStyle(element: unknown): { display: string };

const NODE_PORT = 8546;
const NODE_URL = `http://127.0.0.1:${NODE_PORT}`;
const CHALLENGE_PERIOD = 3600;
const CLAIM_WINDOW = 30 * 86_400;
/** Decay of the deployed pool: the pipeline's default rules.decayBps, which the examples use. */
const DECAY_BPS = 1000;
const FIXED_START = Date.UTC(2030, 0, 1) / 1000;
/**
 * When the published epochs are proposed, and when the screenshot test acts: fixed, so that every date and duration
 * on the screenshots is the same from run to run (the node's clock otherwise follows the wall clock).
 */
const PROPOSED_AT = FIXED_START + 600;
const SCREENSHOT_AT = FIXED_START + 86_400;

describe("claim page (browser, hardhat node on 127.0.0.1:8546)", function () {
  this.timeout(120_000);

  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let temp: string | undefined;
  let pageUrl: string;
  let provider: JsonRpcProvider;
  let operator: Signer;
  let pool: Contract;
  let token: Contract;
  let snapshot: string;
  const results: EpochResult[] = [];
  const claimsFiles: ClaimsFile[] = [];
  const overrides = new Map<string, string>();
  const wallet: TestWallet = { account: "", chainId: CHAIN_ID, requests: [] };
  let claimant: string;
  let nobody: string;

  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);
  const leafOf = (epoch: number, who: string) => claimsFiles[epoch - 1]!.claims[who]!;

  /** Proposes a published epoch, at `at` (a timestamp) if given. */
  async function propose(epoch: number, at?: number) {
    const r = results[epoch - 1]!;
    if (at !== undefined) await rpc("evm_setNextBlockTimestamp", [at]);
    await (
      await pool.connect(operator).getFunction("proposeEpoch")(
        epoch,
        r.root,
        r.total,
        r.reputationTotal,
        r.inputsHash,
        `/epochs/epoch-${epoch}/`,
      )
    ).wait();
  }

  async function warp(seconds: number) {
    await rpc("evm_increaseTime", [seconds]);
    await rpc("evm_mine");
  }

  /** Opens the page for `who` on `chainId` and connects the test wallet with the keyboard. */
  async function openConnected(
    who: string,
    chainId = CHAIN_ID,
    viewport = DESKTOP,
    { query = "", walletName = "Test Wallet" } = {},
  ): Promise<Page> {
    wallet.account = who;
    wallet.chainId = chainId;
    wallet.requests = [];
    const page = await context!.newPage();
    await page.setViewportSize(viewport);
    const log: string[] = [];
    page.on("pageerror", (error) => log.push(`page error: ${error.message}`));
    page.on("console", (message) => log.push(`console.${message.type()}: ${message.text()}`));
    await page.goto(pageUrl + query);
    const connect = page.getByRole("button", { name: `Connect ${walletName}` });
    try {
      await connect.waitFor({ timeout: 15_000 });
    } catch (error) {
      const text = await page.locator("body").innerText();
      throw new Error(`no "Connect ${walletName}" button.\nPage:\n${text}\nLog:\n${log.join("\n")}`, { cause: error });
    }
    // Keyboard only, once the page has read the pool: tab to the wallet's button and press Enter.
    await page.getByText("Connect a wallet to see your rewards.").waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 6 && !(await connect.evaluate((b) => b === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80) ?? "none"));
    }
    expect(
      await connect.evaluate((b) => b === document.activeElement),
      `the connect button takes keyboard focus; Tab went to:\n${focused.join("\n")}`,
    ).to.equal(true);
    await page.keyboard.press("Enter");
    await page.locator("#account").waitFor();
    await page.locator("#epochs tbody tr").first().waitFor();
    return page;
  }

  const row = (page: Page, epoch: number) => page.locator(`#epochs tbody tr[data-epoch="${epoch}"]`);
  const verdict = (page: Page, epoch: number) => row(page, epoch).getAttribute("data-verdict");
  /** The exact amount of the 18-decimal test token, as a plain decimal: what the page's hover title and copy give. */
  const exactText = (amount: string) => formatUnits(BigInt(amount), 18).replace(/\.0$/, "");
  /** How the page shows an amount (separators aside): at most 4 fractional digits, rounded toward zero. */
  const amountText = (amount: string) => {
    const [whole, fraction = ""] = exactText(amount).split(".");
    const shown = fraction.slice(0, 4).replace(/0+$/, "");
    return `${whole}${shown ? `.${shown}` : ""} SMT`;
  };
  const amountTitle = (amount: string) =>
    `Exact: ${exactText(amount)} SMT\nSmallest units: ${BigInt(amount)} (18 decimals)`;
  const ungroup = (text: string | null) => (text ?? "").replace(/,/g, "").trim();

  before(async function () {
    this.timeout(300_000);
    requireChromium();
    temp = mkdtempSync(join(tmpdir(), "claim-page-e2e-"));
    const epochsDir = join(temp, "epochs");
    mkdirSync(epochsDir);

    node = await startHardhatNode({ port: NODE_PORT, startupTimeoutMs: 90_000 });
    provider = new JsonRpcProvider(NODE_URL, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    // A fixed start time, so that the dates on the screenshots do not change from run to run.
    const latest = (await provider.getBlock("latest"))!.timestamp;
    await rpc("evm_setNextBlockTimestamp", [Math.max(FIXED_START, latest + 1)]);
    operator = account(19).connect(provider);
    const operatorAddress = await operator.getAddress();

    // Contracts, from the compiled artifacts.
    ({ token, pool } = await deploySuite(operator, {
      challengePeriod: CHALLENGE_PERIOD,
      claimWindow: CLAIM_WINDOW,
      decayBps: DECAY_BPS,
    }));
    const poolAddress = await pool.getAddress();
    await (await pool.getFunction("grantRole")(await pool.getFunction("GUARDIAN_ROLE")(), operatorAddress)).wait();

    // Three epochs computed by the pipeline from examples/ (the third is proposed by individual tests).
    for (const epoch of [1, 2, 3]) {
      const dir = join(ROOT, "examples", `epoch-${epoch}`);
      const result = allocateEpoch({
        works: join(dir, "works.csv"),
        votes: join(dir, "votes.csv"),
        teams: join(dir, "teams.csv"),
        config: join(dir, "epoch.json"),
        previous: epoch > 1 ? join(epochsDir, `epoch-${epoch - 1}`) : undefined,
        overrides: { distributor: poolAddress, chainId: CHAIN_ID },
      });
      expect(result.config.rules.decayBps, "the examples use the pool's decay").to.equal(DECAY_BPS);
      writeArtifacts(join(epochsDir, `epoch-${epoch}`), result);
      results.push(result);
      claimsFiles.push(JSON.parse(readFileSync(join(epochsDir, `epoch-${epoch}`, "claims.json"), "utf8")));
    }
    const funding = results.reduce((sum, r) => sum + r.total, 0n);
    await (await token.getFunction("mint")(operatorAddress, funding)).wait();
    await (await token.getFunction("approve")(poolAddress, funding)).wait();
    await (await pool.getFunction("fund")(funding)).wait();
    await propose(1, PROPOSED_AT);
    await propose(2, PROPOSED_AT + 1);
    await warp(CHALLENGE_PERIOD + 1);

    // The claimant: a default (unlocked) account paid in both published epochs and with a leaf in epoch 3 (the
    // pipeline gives a leaf only to accounts paid or gaining reputation); nobody: an account in no tree.
    claimant = [...Array(19).keys()]
      .map((i) => account(i).address)
      .find(
        (a) =>
          BigInt(claimsFiles[0]!.claims[a]?.amount ?? 0) > 0n &&
          BigInt(claimsFiles[1]!.claims[a]?.amount ?? 0) > 0n &&
          claimsFiles[2]!.claims[a] !== undefined,
      )!;
    expect(claimant, "a default account is paid in epochs 1 and 2 and has a leaf in epoch 3").to.be.a("string");
    nobody = account(42).address;
    expect(claimsFiles.some((f) => f.claims[nobody])).to.equal(false);

    // The page, built with vite and served with the artifacts.
    const dist = join(temp, "dist");
    await buildApp(dist);
    const pageConfig = {
      chainId: CHAIN_ID,
      chainName: "Hardhat (local)",
      rpcUrl: NODE_URL,
      pool: poolAddress,
      artifactsBaseUrl: "./", // the publish root: epochs/epoch-N/ under it
    };
    server = await startServer(dist, epochsDir, () => pageConfig, overrides);
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("server has no address");
    pageUrl = `http://127.0.0.1:${address.port}/`;

    // The browser, with the test wallet in every page.
    context = await launchWithTestWallet(join(temp, "profile"), wallet, NODE_URL);
    snapshot = await rpc("evm_snapshot");
  });

  afterEach(async function () {
    overrides.clear();
    for (const page of context?.pages() ?? []) await page.close();
    if (provider) {
      await rpc("evm_revert", [snapshot]);
      snapshot = await rpc("evm_snapshot");
    }
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await new Promise((done) => (server ? server.close(() => done(undefined)) : done(undefined)));
    server?.closeAllConnections();
    provider?.destroy();
    await node?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it("connects through EIP-6963 and shows every published epoch with amounts, reputation and state", async function () {
    const page = await openConnected(claimant);
    expect(wallet.requests.map((r) => r.method)).to.include("eth_requestAccounts");
    expect(await page.locator("#account").textContent()).to.equal(claimant);
    expect(await page.locator("#epochs tbody tr").count()).to.equal(2);
    let total = 0n;
    for (const epoch of [1, 2]) {
      const leaf = leafOf(epoch, claimant);
      total += BigInt(leaf.amount);
      expect(await verdict(page, epoch)).to.equal("claimable");
      expect(ungroup(await row(page, epoch).locator("td.amount").textContent())).to.equal(amountText(leaf.amount));
      expect(await row(page, epoch).locator("td.reputation").textContent()).to.equal(`${leaf.reputation} SMR`);
      expect(await row(page, epoch).locator(".badge").textContent()).to.equal("Claimable");
    }
    expect(ungroup(await page.locator("#total-claimable").textContent())).to.equal(amountText(total.toString()));
    // Amounts are rounded for reading; the exact value is in the hover title and is what copying gives.
    const exactTotal = exactText(total.toString());
    expect(amountText(total.toString()), "the test amounts have more than 4 decimals").to.not.equal(
      `${exactTotal} SMT`,
    );
    expect(await page.locator("#total-claimable data").getAttribute("title")).to.equal(amountTitle(total.toString()));
    const leaf1 = leafOf(1, claimant).amount;
    expect(await row(page, 1).locator("td.amount data").getAttribute("title")).to.equal(amountTitle(leaf1));
    await page.evaluate(() =>
      window.addEventListener("copy", (e: any) => (window.__copied = e.clipboardData.getData("text/plain"))),
    );
    for (const [amount, exact] of [
      [row(page, 1).locator("td.amount data"), exactText(leaf1)],
      [page.locator("#total-claimable data"), exactTotal],
    ] as const) {
      await amount.click({ clickCount: 3 });
      await page.keyboard.press("Control+C");
      expect(await page.evaluate(() => window.__copied)).to.equal(exact);
    }
    expect(await page.locator("#reputation").textContent()).to.equal("0 SMR");
    expect(await page.locator("#reputation-decay").count()).to.equal(0);
    expect(await page.locator("#claim-all").isEnabled()).to.equal(true);
    expect(await page.locator("#claim-all").textContent()).to.equal("Claim all (epochs 1, 2)");
    expect(await page.locator("#network").isHidden()).to.equal(true);
  });

  it("falls back to window.ethereum when no wallet announces itself with EIP-6963", async function () {
    const page = await openConnected(claimant, CHAIN_ID, DESKTOP, {
      query: "?legacy-wallet",
      walletName: "Browser wallet",
    });
    expect(await page.locator("#account").textContent()).to.equal(claimant);
    expect(await verdict(page, 1)).to.equal("claimable");
    expect(await verdict(page, 2)).to.equal("claimable");
  });

  it("a click on Connect is not lost when the page draws itself again between the press and the release", async function () {
    wallet.account = claimant;
    wallet.chainId = CHAIN_ID;
    wallet.requests = [];
    const page = await context!.newPage();
    await page.setViewportSize(DESKTOP);
    await page.goto(pageUrl);
    const connect = page.getByRole("button", { name: "Connect Test Wallet" });
    await page.getByText("Connect a wallet to see your rewards.").waitFor();
    const box = (await connect.boundingBox())!;
    await page.evaluate(() => {
      (window as unknown as { pressed?: unknown }).pressed = document.querySelector('[data-wallet="Test Wallet"]')!;
    });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // The wallet announces itself again (as wallets do when asked): the page draws its wallet section again.
    await page.evaluate(() => window.dispatchEvent(new Event("eip6963:requestProvider")));
    expect(
      await page.evaluate(
        () =>
          (window as unknown as { pressed?: unknown }).pressed ===
          document.querySelector('[data-wallet="Test Wallet"]'),
      ),
      "the button pressed is still the one in the page",
    ).to.equal(true);
    await page.mouse.up();
    await page.locator("#account").waitFor({ timeout: 10_000 });
    expect(await page.locator("#account").textContent()).to.equal(claimant);
    await page.close();
  });

  it("claims both epochs in ONE claimMany transaction, then shows them claimed and the new reputation", async function () {
    const page = await openConnected(claimant);
    const balanceBefore = (await token.getFunction("balanceOf")(claimant)) as bigint;
    const blockBefore = await provider.getBlockNumber();
    await page.locator("#claim-all").click();
    await page.locator("#status.status-confirmed").waitFor();

    const sent = wallet.requests.filter((r) => r.method === "eth_sendTransaction");
    expect(sent).to.have.length(1);
    expect(await provider.getBlockNumber()).to.equal(blockBefore + 1);
    const block = await provider.getBlock(blockBefore + 1);
    expect(block!.transactions).to.have.length(1);
    const hash = block!.transactions[0]!;
    const tx = await provider.getTransaction(hash);
    const parsed = pool.interface.parseTransaction({ data: tx!.data })!;
    expect(parsed.name).to.equal("claimMany");
    expect(parsed.args[0].map((c: { epoch: bigint }) => c.epoch)).to.deep.equal([1n, 2n]);
    expect(getAddress(tx!.from)).to.equal(claimant);

    const l1 = leafOf(1, claimant);
    const l2 = leafOf(2, claimant);
    expect(await pool.getFunction("isClaimed")(1, claimant)).to.equal(true);
    expect(await pool.getFunction("isClaimed")(2, claimant)).to.equal(true);
    expect((await token.getFunction("balanceOf")(claimant)) - balanceBefore).to.equal(
      BigInt(l1.amount) + BigInt(l2.amount),
    );
    expect(await pool.getFunction("reputationOf")(claimant)).to.equal(BigInt(l2.reputation));

    expect(await page.locator("#status").textContent())
      .to.include("Confirmed: epochs 1, 2 claimed")
      .and.include(hash);
    await page.locator('#epochs tbody tr[data-epoch="2"][data-verdict="claimed"]').waitFor();
    expect(await verdict(page, 1)).to.equal("claimed");
    expect(await row(page, 1).locator(".badge").textContent()).to.equal("Already claimed");
    expect(await page.locator("#reputation").textContent()).to.equal(`${l2.reputation} SMR`);
    // No epoch is in its challenge period: the next decay comes with the next epoch.
    expect(await page.locator("#reputation-decay").textContent()).to.equal(
      "decays 10% when the next epoch becomes final",
    );
    expect(ungroup(await page.locator("#total-claimable").textContent())).to.equal("0 SMT");
    expect(await page.locator("#claim-all").isDisabled()).to.equal(true);
  });

  it("on a wrong chain id shows the network message and asks the wallet to switch", async function () {
    const page = await openConnected(claimant, 1);
    const alert = page.locator("#network");
    await alert.waitFor();
    expect(await alert.textContent())
      .to.include("Wrong network")
      .and.include("chain 1;")
      .and.include("chain 31337");
    expect(await page.locator("#claim-all").isDisabled()).to.equal(true);
    expect(await page.locator("#claim-hint").textContent()).to.include("Switch your wallet");
    // The rewards are still read from the pool's chain.
    expect(await verdict(page, 1)).to.equal("claimable");

    await page.getByRole("button", { name: "Switch network" }).click();
    await alert.waitFor({ state: "hidden" });
    const switches = wallet.requests.filter((r) => r.method === "wallet_switchEthereumChain");
    expect(switches).to.have.length(1);
    expect(switches[0]!.params).to.deep.equal([{ chainId: toQuantity(CHAIN_ID) }]);
    expect(await page.locator("#claim-all").isEnabled()).to.equal(true);
  });

  it("an account with nothing to claim sees every epoch as not eligible and cannot claim", async function () {
    const page = await openConnected(nobody);
    for (const epoch of [1, 2]) {
      expect(await verdict(page, epoch)).to.equal("not-eligible");
      expect(await row(page, epoch).locator("td.amount").textContent()).to.equal("—");
    }
    expect(ungroup(await page.locator("#total-claimable").textContent())).to.equal("0 SMT");
    expect(await page.locator("#reputation").textContent()).to.equal("0 SMR");
    expect(await page.locator("#claim-all").isDisabled()).to.equal(true);
    expect(await page.locator("#claim-hint").textContent()).to.equal("Nothing to claim right now.");
  });

  it("refuses published claims whose root differs from the on-chain root and claims only the verified epoch", async function () {
    // Epoch 2's claims now carry another root and a bigger amount for the claimant: a swapped or forged file.
    const forged = structuredClone(claimsFiles[1]!);
    forged.root = id("not the published root");
    forged.claims[claimant]!.amount = (BigInt(forged.claims[claimant]!.amount) * 2n).toString();
    const shard = shardOf(claimant);
    overrides.set(`/epochs/epoch-2/claims/${shard}.json`, JSON.stringify({ ...forged, shard }));
    overrides.set("/epochs/epoch-2/claims.json", JSON.stringify(forged));

    const page = await openConnected(claimant);
    expect(await verdict(page, 2)).to.equal("refused");
    expect(await verdict(page, 1)).to.equal("claimable");
    const refused = await page.locator("#refused").textContent();
    expect(refused).to.include("Epoch 2").and.include("differs from the on-chain root");
    expect(await row(page, 2).locator("td.amount").textContent()).to.equal("—");
    expect(ungroup(await page.locator("#total-claimable").textContent())).to.equal(
      amountText(leafOf(1, claimant).amount),
    );
    expect(await page.locator("#claim-all").textContent()).to.equal("Claim epoch 1");

    await page.locator("#claim-all").click();
    await page.locator("#status.status-confirmed").waitFor();
    expect(await pool.getFunction("isClaimed")(1, claimant)).to.equal(true);
    expect(await pool.getFunction("isClaimed")(2, claimant)).to.equal(false);
  });

  it("refuses a claim whose proof does not verify against the on-chain root, even under the right root", async function () {
    const forged = structuredClone(claimsFiles[0]!);
    forged.claims[claimant]!.amount = (BigInt(forged.claims[claimant]!.amount) + 1n).toString();
    const shard = shardOf(claimant);
    overrides.set(`/epochs/epoch-1/claims/${shard}.json`, JSON.stringify({ ...forged, shard }));

    const page = await openConnected(claimant);
    expect(await verdict(page, 1)).to.equal("refused");
    expect(await page.locator("#refused").textContent()).to.include(
      "Epoch 1: the proof does not verify against the on-chain root",
    );
    expect(await verdict(page, 2)).to.equal("claimable");
  });

  it("re-checks isClaimed right before sending and leaves out an epoch someone else claimed meanwhile", async function () {
    const page = await openConnected(claimant);
    // Anyone may submit a claim: the operator claims epoch 1 for the claimant after the page loaded.
    const leaf = leafOf(1, claimant);
    await (
      await pool.connect(operator).getFunction("claim")(
        1,
        leaf.index,
        claimant,
        leaf.amount,
        leaf.reputation,
        leaf.proof,
      )
    ).wait();
    await page.locator("#claim-all").click();
    await page.locator("#status.status-confirmed").waitFor();
    expect(await page.locator("#status").textContent())
      .to.include(
        "Confirmed: epoch 2 claimed for 0x", // not epochs 1, 2
      )
      .and.include("(epoch 1 had already been claimed meanwhile)");
    const sent = wallet.requests.filter((r) => r.method === "eth_sendTransaction");
    expect(sent).to.have.length(1);
    const parsed = pool.interface.parseTransaction({ data: (sent[0]!.params[0] as { data: string }).data })!;
    expect(parsed.args[0].map((c: { epoch: bigint }) => c.epoch)).to.deep.equal([2n]);
    expect(await pool.getFunction("isClaimed")(2, claimant)).to.equal(true);
  });

  it("decodes the pool's custom error by name with its arguments when a claim fails", async function () {
    const page = await openConnected(claimant);
    // The claim window closes after the page loaded: claimMany reverts with EpochExpired for the first epoch.
    const expiresAt = (await pool.getFunction("getEpoch")(1)).expiresAt as bigint;
    const now = (await provider.getBlock("latest"))!.timestamp;
    await warp(Number(expiresAt) - now + 1);
    await page.locator("#claim-all").click();
    await page.locator("#status.status-failed").waitFor();
    expect(await page.locator("#status").textContent()).to.equal(
      `Claim failed. The pool refused the claim: EpochExpired(epoch 1, expiresAt ${expiresAt}).`,
    );
    expect(wallet.requests.filter((r) => r.method === "eth_sendTransaction")).to.have.length(0);
    // The page refreshed from the chain afterwards.
    await page.locator('#epochs tbody tr[data-epoch="1"][data-verdict="expired"]').waitFor();
    expect(await verdict(page, 2)).to.equal("expired");
    expect(await page.locator("#claim-all").isDisabled()).to.equal(true);
  });

  it("tells that claims are stopped while the guardian has paused the pool", async function () {
    await (await pool.connect(operator).getFunction("pause")()).wait();
    const page = await openConnected(claimant);
    expect(await verdict(page, 1)).to.equal("claimable");
    expect(await page.locator("#claim-all").isDisabled()).to.equal(true);
    expect(await page.locator("#claim-hint").textContent()).to.include("paused");
  });

  it("shows a proposed epoch as not yet claimable with the time left, and a vetoed epoch as vetoed", async function () {
    await propose(3);
    let page = await openConnected(claimant);
    expect(await verdict(page, 3)).to.equal("upcoming");
    expect(await row(page, 3).locator(".detail").textContent()).to.match(/^opens in (59 min|1 h) \(/);
    expect(await row(page, 3).locator("td.amount").textContent()).to.not.equal("—");
    expect(await page.locator("#claim-all").textContent()).to.equal("Claim all (epochs 1, 2)");
    await page.close();

    await (await pool.connect(operator).getFunction("vetoEpoch")(3, "wrong votes export")).wait();
    page = await openConnected(claimant);
    expect(await verdict(page, 3)).to.equal("vetoed");
    expect(await row(page, 3).locator(".badge").textContent()).to.equal("Vetoed");
    expect(await row(page, 3).locator(".detail").textContent()).to.include("pays nothing");
    expect(await page.locator("#claim-all").textContent()).to.equal("Claim all (epochs 1, 2)");
  });

  /** The operator claims the claimant's leaf of `epoch` (anyone may submit a claim). */
  async function claimFor(epoch: number) {
    const leaf = leafOf(epoch, claimant);
    await (
      await pool.connect(operator).getFunction("claim")(
        epoch,
        leaf.index,
        claimant,
        leaf.amount,
        leaf.reputation,
        leaf.proof,
      )
    ).wait();
  }

  it("shows the reputation as of now, decayed by the epochs final since the claim, and when it decays next", async function () {
    // Epoch 1 claimed; epoch 2 is final, so that reputation has already decayed once; epoch 3 in its challenge.
    await claimFor(1);
    await propose(3);
    const { claimableAt } = await pool.getFunction("getEpoch")(3);
    const claimed = BigInt(leafOf(1, claimant).reputation);
    let page = await openConnected(claimant);
    const now = decay(claimed, 1, DECAY_BPS);
    expect(await pool.getFunction("getVotes")(claimant)).to.equal(now);
    expect(await page.locator("#reputation").textContent()).to.equal(`${now} SMR`);
    expect(await page.locator("#reputation-decay").textContent()).to.equal(
      `decays 10% when epoch 3 becomes final on ${utc(Number(claimableAt))}`,
    );
    await page.close();

    // Once epoch 3 is final the score has decayed once more, without any transaction.
    await warp(CHALLENGE_PERIOD + 1);
    page = await openConnected(claimant);
    expect(await page.locator("#reputation").textContent()).to.equal(`${decay(claimed, 2, DECAY_BPS)} SMR`);
    expect(await page.locator("#reputation-decay").textContent()).to.equal(
      "decays 10% when the next epoch becomes final",
    );
  });

  it("fits a phone screen (rows become cards) and a desktop one; screenshots for the docs", async function () {
    // A realistic mix: epoch 1 already claimed, epoch 2 claimable, epoch 3 in its challenge period. At fixed times,
    // so that the screenshots only change when the page does.
    await rpc("evm_setNextBlockTimestamp", [SCREENSHOT_AT]);
    await claimFor(1);
    await propose(3, SCREENSHOT_AT + 1);
    const images = screenshotDir();
    mkdirSync(images, { recursive: true });

    const page = await openConnected(claimant, CHAIN_ID, DESKTOP);
    expect(await verdict(page, 1)).to.equal("claimed");
    expect(await verdict(page, 2)).to.equal("claimable");
    expect(await verdict(page, 3)).to.equal("upcoming");
    const final3 = SCREENSHOT_AT + 1 + CHALLENGE_PERIOD;
    expect(await row(page, 3).locator(".detail").textContent()).to.equal(`opens in 1 h (${utc(final3)})`);
    expect(await row(page, 2).locator(".detail").textContent()).to.equal(
      `until ${utc(PROPOSED_AT + 1 + CHALLENGE_PERIOD + CLAIM_WINDOW)}`,
    );
    expect(await page.locator("#reputation").textContent()).to.equal(
      `${decay(BigInt(leafOf(1, claimant).reputation), 1, DECAY_BPS)} SMR`,
    );
    expect(await page.locator("#reputation-decay").textContent()).to.equal(
      `decays 10% when epoch 3 becomes final on ${utc(final3)}`,
    );
    await page.locator("#claim-all").focus();
    saveScreenshot(join(images, "claim-page-desktop.png"), await page.screenshot({ fullPage: true }));

    await page.setViewportSize(PHONE);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      rowDisplay: getComputedStyle(document.querySelector("#epochs tbody tr")!).display,
      headerHidden: document.querySelector("#epochs thead")!.getBoundingClientRect().height <= 1,
    }));
    expect(layout.scrollWidth, "no horizontal scrolling on a phone").to.be.at.most(PHONE.width);
    expect(layout.rowDisplay).to.equal("block");
    expect(layout.headerHidden).to.equal(true);
    saveScreenshot(join(images, "claim-page-phone.png"), await page.screenshot({ fullPage: true }));
  });
});

// The members' app in a real browser (Debian chromium driven by playwright-core) against a real `hardhat node` and
// a real collector: the pool deployed from the compiled artifacts, the collector started on a temporary SQLite file
// for the node's chain and the pool, the app built with vite and served, and a test wallet injected into the page
// that announces itself with EIP-6963 and signs typed data with the real key of its account. Members report works
// and vote through the pages; the collector's refusals show in the page with their reason. Then the epoch goes the
// whole way: exported from the collector, computed by the pipeline library, proposed on chain, and claimed through
// the Claim page.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { Contract, JsonRpcProvider, type Signer } from "ethers";
import {
  COLLECTOR_ROUTES,
  CollectorInfo,
  FeedAnswer,
  TYPED_DATA_NAME,
  TYPED_DATA_VERSION,
  typedDataDomain,
  workReportDigest,
  type OpenEpochBody,
  type TeamsBody,
} from "../../protocol/index.js";
import { allocateEpoch, writeArtifacts, type ClaimsFile } from "../../scripts/lib/index.js";
import { startCollector } from "../../collector/index.js";
import { startHardhatNode, type HardhatNode } from "../utils/hardhat-node.js";
import {
  CHAIN_ID,
  DESKTOP,
  PHONE,
  account,
  buildApp,
  deploySuite,
  launchWithTestWallet,
  requireChromium,
  saveScreenshot,
  screenshotDir,
  startServer,
  type TestWallet,
} from "./app-harness.js";

// Browser globals used inside page.evaluate callbacks (the root tsconfig has no DOM lib).
declare const document: any;

const NODE_PORT = 8547;
const NODE_URL = `http://127.0.0.1:${NODE_PORT}`;
const CHALLENGE_PERIOD = 3600;
const CLAIM_WINDOW = 30 * 86_400;
const DECAY_BPS = 1000;
const ADMIN_TOKEN = "members-app-test-admin-token";
/** The epoch's pool: 1000 tokens of 18 decimals. */
const POOL_AMOUNT = 1000n * 10n ** 18n;
const MAX_POINTS = "10";
/**
 * "Now" for the pages and the collector (the chain keeps its own clock): fixed, with deterministic work ids and a
 * fixed collector port, so that the screenshots only change when the pages do.
 */
const NOW = Date.UTC(2030, 0, 15, 12, 0) / 1000;
const EPOCH_START = NOW - 14 * 86_400;
const EPOCH_END = NOW + 14 * 86_400;
/** The collector's port when free (any free port otherwise). */
const COLLECTOR_PORT = 8797;

/** A page's random bytes from a seed: the work ids the app generates are the same from run to run. */
const seededRandom = (seed: number) => `(() => {
  let state = ${seed};
  crypto.getRandomValues = (array) => {
    for (let i = 0; i < array.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      array[i] = state >>> 24;
    }
    return array;
  };
})();`;

describe("members' app: report, vote, refusals, then claim (browser, hardhat node on 127.0.0.1:8547, collector)", function () {
  this.timeout(120_000);

  let node: HardhatNode | undefined;
  let server: Server | undefined;
  let collector: { url: string; close(): Promise<void> } | undefined;
  let otherCollector: { url: string; close(): Promise<void> } | undefined;
  let context: BrowserContext | undefined;
  let temp: string;
  let epochsDir: string;
  let pageUrl: string;
  let provider: JsonRpcProvider;
  let operator: Signer;
  let pool: Contract;
  let token: Contract;
  let poolAddress: string;
  /** The collector's clock: NOW plus this many seconds (to close the epoch without waiting). */
  let clockOffset = 0;
  let pages = 0;
  const overrides = new Map<string, string>();
  const wallet: TestWallet = { account: "", chainId: CHAIN_ID, requests: [] };
  const epoch = { epoch: 1, start: EPOCH_START, end: EPOCH_END };
  const images = screenshotDir();

  // Members: A and B report as themselves, C reports for team "crew", whose members are A and C.
  const A = account(1).address;
  const B = account(2).address;
  const C = account(3).address;
  const works: Record<"A" | "B" | "crew", string> = { A: "", B: "", crew: "" };

  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);

  /** A request to the collector (as its admin with `admin`), answering the parsed JSON body. */
  async function collectorCall(method: string, path: string, body?: unknown, admin = false) {
    const response = await fetch(new URL(path.slice(1), collector!.url.replace(/\/?$/, "/")), {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return text;
  }
  const feed = async () => FeedAnswer.parse(JSON.parse(await collectorCall("GET", COLLECTOR_ROUTES.feed(epoch.epoch))));

  /**
   * Opens the app at `hash` as `who` and connects the test wallet. The page's clock is NOW (`fixedClock`), except
   * for the Claim page, which reads its "now" from the chain.
   */
  async function openApp(
    who: string,
    hash: string,
    { query = "", viewport = DESKTOP, fixedClock = true } = {},
  ): Promise<Page> {
    wallet.account = who;
    wallet.requests = [];
    wallet.tamper = false;
    wallet.signAs = undefined;
    wallet.reject = false;
    const page = await context!.newPage();
    await page.setViewportSize(viewport);
    if (fixedClock) await page.clock.setFixedTime(new Date(NOW * 1000));
    await page.addInitScript({ content: seededRandom(++pages) });
    const log: string[] = [];
    page.on("pageerror", (error) => log.push(`page error: ${error.message}`));
    page.on("console", (message) => log.push(`console.${message.type()}: ${message.text()}`));
    await page.goto(`${pageUrl}${query}${hash}`);
    const connect = page.getByRole("button", { name: "Connect Test Wallet" });
    try {
      await connect.waitFor({ timeout: 15_000 });
    } catch (error) {
      const text = await page.locator("body").innerText();
      throw new Error(`no "Connect Test Wallet" button.\nPage:\n${text}\nLog:\n${log.join("\n")}`, { cause: error });
    }
    await connect.click();
    await page.locator("#account").waitFor();
    return page;
  }

  /** The report or ballot's final state in the page: accepted, refused, rejected or failed. */
  async function outcome(page: Page): Promise<string> {
    const done = page.locator(
      '#submission:is([data-state="accepted"], [data-state="refused"], [data-state="rejected"], [data-state="failed"])',
    );
    await done.waitFor();
    return (await done.getAttribute("data-state"))!;
  }

  /** Fills the report form; `team` reports for that team. */
  async function fillReport(
    page: Page,
    report: { category: string; title: string; links: string[]; team?: string },
  ): Promise<string> {
    await page.locator("#report-form").waitFor();
    await page.getByLabel("Category").selectOption(report.category);
    await page.getByLabel("Title").fill(report.title);
    for (let i = 0; i < report.links.length; i++) {
      if (i > 0) await page.getByRole("button", { name: "Add a link" }).click();
      await page.getByLabel(`Link ${i + 1}`, { exact: true }).fill(report.links[i]!);
    }
    if (report.team !== undefined) {
      await page.getByLabel("A team I am in").check();
      await page.getByLabel("Team name").fill(report.team);
    }
    return page.locator("#report-work-id").inputValue();
  }

  /** The feed row of a work on the Vote page. */
  const workRow = (page: Page, workId: string) => page.locator(`#feed tbody tr[data-work-id="${workId}"]`);
  const pointsInput = (page: Page, workId: string) => workRow(page, workId).locator("input.points-input");

  before(async function () {
    this.timeout(300_000);
    requireChromium();
    temp = mkdtempSync(join(tmpdir(), "members-app-e2e-"));
    epochsDir = join(temp, "epochs");
    mkdirSync(epochsDir);
    mkdirSync(images, { recursive: true });

    node = await startHardhatNode({ port: NODE_PORT, startupTimeoutMs: 90_000 });
    provider = new JsonRpcProvider(NODE_URL, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    operator = account(19).connect(provider);
    ({ token, pool } = await deploySuite(operator, {
      challengePeriod: CHALLENGE_PERIOD,
      claimWindow: CLAIM_WINDOW,
      decayBps: DECAY_BPS,
    }));
    poolAddress = await pool.getAddress();

    // The collector, for the node's chain and the pool, on a temporary SQLite file.
    const options = {
      database: join(temp, "collector.sqlite"),
      chainId: CHAIN_ID,
      pool: poolAddress,
      host: "127.0.0.1",
      adminToken: ADMIN_TOKEN,
      now: () => NOW + clockOffset,
    };
    collector = await startCollector({ ...options, port: COLLECTOR_PORT }).catch(() =>
      startCollector({ ...options, port: 0 }),
    );

    // The app, built with vite and served with the epoch artifacts; config.json names the collector.
    const dist = join(temp, "dist");
    await buildApp(dist);
    const appConfig = {
      chainId: CHAIN_ID,
      chainName: "Hardhat (local)",
      rpcUrl: NODE_URL,
      pool: poolAddress,
      artifactsBaseUrl: "./",
      collector: collector.url,
    };
    const { collector: _, ...withoutCollector } = appConfig;
    overrides.set("/no-collector.json", JSON.stringify(withoutCollector));
    // A second collector, for another pool: the app must not sign for it.
    otherCollector = await startCollector({
      database: join(temp, "other.sqlite"),
      chainId: CHAIN_ID,
      pool: await token.getAddress(),
      host: "127.0.0.1",
      port: 0,
    });
    overrides.set("/other-collector.json", JSON.stringify({ ...appConfig, collector: otherCollector.url }));
    server = await startServer(dist, epochsDir, () => appConfig, overrides);
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("server has no address");
    pageUrl = `http://127.0.0.1:${address.port}/`;

    context = await launchWithTestWallet(join(temp, "profile"), wallet, NODE_URL);
  });

  afterEach(async function () {
    for (const page of context?.pages() ?? []) await page.close();
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await new Promise((done) => (server ? server.close(() => done(undefined)) : done(undefined)));
    server?.closeAllConnections();
    await collector?.close();
    await otherCollector?.close();
    provider?.destroy();
    await node?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it("without a collector in config.json, Report and Vote say so and claiming still works", async function () {
    const page = await openApp(A, "#/report", { query: "?config=no-collector.json" });
    await page.locator("#no-collector").waitFor();
    expect(await page.locator("#no-collector").textContent()).to.include("No collector is configured");
    await page.getByRole("link", { name: "Vote" }).click();
    await page.locator("#no-collector").waitFor();
    expect(await page.locator('#nav a[aria-current="page"]').textContent()).to.equal("Vote");
    await page.getByRole("link", { name: "Claim" }).click();
    await page.locator("#rewards").getByText("No epoch has been published yet.").waitFor();
    expect(await page.locator("#members").isHidden()).to.equal(true);
  });

  it("the admin opens an epoch; the Report page shows it, and with no wallet there is nothing to sign", async function () {
    const open: OpenEpochBody = { ...epoch, maxPoints: MAX_POINTS };
    await collectorCall("POST", COLLECTOR_ROUTES.epochs, open, true);
    const teams: TeamsBody = {
      teams: [
        {
          team: "crew",
          members: [
            { member: A, shareBps: 6000 },
            { member: C, shareBps: 4000 },
          ],
        },
      ],
    };
    await collectorCall("PUT", COLLECTOR_ROUTES.teams(epoch.epoch), teams, true);
    const info = CollectorInfo.parse(JSON.parse(await collectorCall("GET", COLLECTOR_ROUTES.info)));
    expect(info.chainId).to.equal(String(CHAIN_ID));
    expect(info.pool.toLowerCase()).to.equal(poolAddress.toLowerCase());

    const page = await context!.newPage();
    await page.clock.setFixedTime(new Date(NOW * 1000));
    await page.goto(`${pageUrl}#/report`);
    await page.locator("#report-form").waitFor();
    expect(await page.locator("#epoch-open").textContent()).to.equal("Epoch 1 is open until 2030-01-29 12:00 UTC.");
    expect(await page.locator("#report-submit").isDisabled()).to.equal(true);
    expect(await page.locator("#report-hint").textContent()).to.equal("Connect a wallet to sign.");
    expect(await page.locator("#report-work-id").inputValue()).to.match(/^1-[0-9a-f]{8}$/);
  });

  it("a wallet on another chain is asked to switch before signing; a collector of another pool is not used", async function () {
    wallet.chainId = 1;
    let page = await openApp(A, "#/report");
    try {
      await page.locator("#network").waitFor();
      expect(await page.locator("#network").textContent()).to.include("Switch networks to sign.");
      expect(await page.locator("#report-submit").isDisabled()).to.equal(true);
      expect(await page.locator("#report-hint").textContent()).to.equal(
        "Switch your wallet to the pool's network to sign.",
      );
      await page.getByRole("button", { name: "Switch network" }).click();
      await page.locator("#network").waitFor({ state: "hidden" });
      expect(await page.locator("#report-submit").isEnabled()).to.equal(true);
    } finally {
      wallet.chainId = CHAIN_ID;
    }
    await page.close();

    // config.json names a collector of another pool: nothing may be signed for it.
    page = await openApp(A, "#/vote", { query: "?config=other-collector.json" });
    await page.locator("#collector-mismatch").waitFor();
    expect(await page.locator("#collector-mismatch").textContent()).to.include(
      `the collector takes signatures for pool ${await token.getAddress()}, but this app's pool is ${poolAddress}`,
    );
    expect(await page.locator("#feed").count()).to.equal(0);
  });

  it("checks every field before signing, then member A reports a work: signed once, accepted, digest shown", async function () {
    const page = await openApp(A, "#/report");
    await page.locator("#report-form").waitFor();
    // Nothing filled, then a bad link: each field says what is wrong, and nothing is signed.
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("failed");
    expect(await page.locator("#report-title-error").textContent()).to.equal("Required.");
    expect(await page.getByLabel("Title").getAttribute("aria-invalid")).to.equal("true");
    expect(await page.locator("#report-pov-0-error").isVisible()).to.equal(true);
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("report-title");
    await page.getByLabel("Title").fill("Guide: voting on the epoch's works");
    await page.getByLabel("Link 1", { exact: true }).fill("ftp://example.org/guide");
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("failed");
    expect(await page.locator("#report-pov-0-error").textContent()).to.equal("A link is http(s) with no spaces.");
    expect(await page.locator("#report-title-error").count()).to.equal(0);
    expect(wallet.requests.filter((r) => r.method === "eth_signTypedData_v4")).to.have.length(0);

    works.A = await fillReport(page, {
      category: "article",
      title: "Guide: voting on the epoch's works",
      links: ["https://forum.example.org/t/voting-guide"],
    });
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("accepted");
    expect(wallet.requests.filter((r) => r.method === "eth_signTypedData_v4")).to.have.length(1);
    expect(await page.locator("#submission .submission-text").textContent()).to.equal(
      `Accepted: work ${works.A} is reported in epoch 1.`,
    );
    // The digest shown is the EIP-712 digest of the report the collector holds.
    const work = (await feed()).works.find((w) => w.workId === works.A)!;
    expect(work.contributor).to.equal(A.toLowerCase());
    expect(work.pov).to.deep.equal(["https://forum.example.org/t/voting-guide"]);
    const digest = workReportDigest(typedDataDomain(CHAIN_ID, poolAddress), {
      epoch: 1,
      workId: work.workId,
      contributor: work.contributor,
      category: work.category,
      title: work.title,
      pov: work.pov,
      submittedAt: work.submittedAt,
    });
    expect(await page.locator("#submission-digest").textContent()).to.equal(digest);
    // The form is ready for the next report, with a new id.
    expect(await page.locator("#report-work-id").inputValue()).to.not.equal(works.A);
    expect(await page.getByLabel("Title").inputValue()).to.equal("");
  });

  it("member B reports a work with two links; C reports one for team crew", async function () {
    let page = await openApp(B, "#/report");
    works.B = await fillReport(page, {
      category: "tool",
      title: "CSV export of the epoch's ballots",
      links: ["https://github.com/example/ballot-export", "https://forum.example.org/t/ballot-export"],
    });
    // No focus ring or caret on the picture: it is the form that is shown.
    await page.evaluate(() => document.activeElement?.blur());
    saveScreenshot(join(images, "members-report.png"), await page.screenshot({ fullPage: true }));
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("accepted");
    await page.close();

    page = await openApp(C, "#/report");
    works.crew = await fillReport(page, {
      category: "translation",
      title: "Claim page in Portuguese",
      links: ["https://crowdin.example.org/social-mining/pt"],
      team: "crew",
    });
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("accepted");
    const all = (await feed()).works;
    expect(all.map((w) => w.workId).sort()).to.deep.equal([works.A, works.B, works.crew].sort());
    expect(all.find((w) => w.workId === works.crew)!.contributor).to.equal("team:crew");
    expect(all.find((w) => w.workId === works.B)!.pov).to.have.length(2);
  });

  it("A's own work and A's team's work are marked not votable, and no vote is sent for them", async function () {
    const page = await openApp(A, "#/vote");
    await page.locator("#feed").waitFor();
    expect(await page.locator("#feed tbody tr").count()).to.equal(3);
    // The feed lists the members of crew's work: A's own work and the work of A's team are shown without a box.
    expect((await feed()).works.find((w) => w.workId === works.crew)!.members).to.deep.equal(
      [A.toLowerCase(), C.toLowerCase()].sort(),
    );
    expect(await workRow(page, works.A).getAttribute("data-own")).to.equal("self");
    expect(await workRow(page, works.A).locator(".badge.own").textContent()).to.equal("Your work: not votable");
    expect(await workRow(page, works.crew).getAttribute("data-own")).to.equal("team");
    expect(await workRow(page, works.crew).locator(".badge.own").textContent()).to.equal(
      "Your team's work: not votable",
    );
    expect(await pointsInput(page, works.A).count()).to.equal(0);
    expect(await pointsInput(page, works.crew).count()).to.equal(0);
    expect(await workRow(page, works.B).getAttribute("data-own")).to.equal(null);
    expect(await pointsInput(page, works.B).count()).to.equal(1);
    expect(await page.locator("#ballot-current").textContent()).to.equal("You have not voted in this epoch yet.");
    expect(await workRow(page, works.B).locator(".pov a").count()).to.equal(2);

    // With no box filled there is nothing to vote for: nothing is signed or sent.
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("failed");
    expect(await page.locator("#ballot-form-error").textContent()).to.equal("Give points to at least one work.");
    expect(wallet.requests.filter((r) => r.method === "eth_signTypedData_v4")).to.have.length(0);
    expect((await feed()).works.every((w) => w.voters === 0)).to.equal(true);
  });

  it("A votes on B's work with ONE signature for the ballot; the feed shows the points; the ballot comes back pre-filled", async function () {
    let page = await openApp(A, "#/vote");
    await page.locator("#feed").waitFor();
    await pointsInput(page, works.B).fill("7");
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("accepted");
    const signs = wallet.requests.filter((r) => r.method === "eth_signTypedData_v4");
    expect(signs).to.have.length(1);
    const payload = JSON.parse((signs[0]!.params as [string, string])[1]);
    expect(payload.primaryType).to.equal("Ballot");
    expect(payload.domain).to.deep.include({
      name: TYPED_DATA_NAME,
      version: TYPED_DATA_VERSION,
      verifyingContract: poolAddress.toLowerCase(),
    });
    expect(Number(payload.domain.chainId)).to.equal(CHAIN_ID);
    expect(payload.message.votes).to.deep.equal([{ workId: works.B, points: "7" }]);
    expect(await page.locator("#submission-digest").textContent()).to.match(/^0x[0-9a-f]{64}$/);
    await workRow(page, works.B).locator(".points", { hasText: "7" }).waitFor();
    expect(await workRow(page, works.B).locator(".voters").textContent()).to.equal("1 voter");
    const b = (await feed()).works.find((w) => w.workId === works.B)!;
    expect([b.points, b.voters]).to.deep.equal(["7", 1]);
    saveScreenshot(join(images, "members-vote.png"), await page.screenshot({ fullPage: true }));
    await page.close();

    page = await openApp(A, "#/vote");
    await page.locator("#feed").waitFor();
    await page.locator("#ballot-current").getByText("Your current ballot was cast").waitFor();
    expect(await pointsInput(page, works.B).inputValue()).to.equal("7");
    expect(await pointsInput(page, works.crew).count()).to.equal(0);
  });

  it("a tampered signature is refused with the collector's reason; the wallet's refusal is shown too", async function () {
    const page = await openApp(B, "#/vote");
    await page.locator("#feed").waitFor();
    await pointsInput(page, works.A).fill("9");
    await pointsInput(page, works.crew).fill("3");
    // One byte changed (v): the signature is malformed.
    wallet.tamper = true;
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("refused");
    expect(await page.locator("#refusal-code").textContent()).to.equal("bad-signature");
    expect(await page.locator("#refusal-field").textContent()).to.equal("signature");
    expect(await page.locator("#submission").textContent()).to.include("The collector refused the ballot:");
    saveScreenshot(join(images, "members-bad-signature.png"), await page.screenshot({ fullPage: true }));
    // Signed by another key: well formed, but it recovers another address than the voter's.
    wallet.tamper = false;
    wallet.signAs = C;
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    await page.locator("#refusal-code", { hasText: "wrong-signer" }).waitFor();
    expect(await page.locator("#submission").textContent()).to.include(`not by its voter ${B.toLowerCase()}`);

    wallet.signAs = undefined;
    wallet.reject = true;
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("rejected");
    expect(await page.locator("#submission").textContent()).to.equal(
      "You rejected the signature in your wallet: the ballot was not sent.",
    );

    wallet.reject = false;
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("accepted");
    const now = await feed();
    expect(now.works.find((w) => w.workId === works.A)!.points).to.equal("9");
    expect(now.works.find((w) => w.workId === works.crew)!.points).to.equal("3");
  });

  it("a ballot from a stale tab is refused with the collector's reason, shown in the page", async function () {
    // Two tabs of C's Vote page, both read before C has voted. C is in crew: its work has no box in either.
    const stale = await openApp(C, "#/vote");
    await stale.locator("#feed").waitFor();
    expect(await stale.locator("#ballot-current").textContent()).to.equal("You have not voted in this epoch yet.");
    expect(await workRow(stale, works.crew).getAttribute("data-own")).to.equal("team");
    expect(await workRow(stale, works.crew).textContent()).to.include("Your team's work: not votable");
    expect(await pointsInput(stale, works.crew).count()).to.equal(0);
    const fresh = await openApp(C, "#/vote");
    await fresh.locator("#feed").waitFor();
    await pointsInput(fresh, works.A).fill("4");
    await pointsInput(fresh, works.B).fill("6");
    await fresh.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(fresh)).to.equal("accepted");
    // Signed once, and without the team's work.
    const signs = wallet.requests.filter((r) => r.method === "eth_signTypedData_v4");
    expect(signs).to.have.length(1);
    const signed = JSON.parse((signs[0]!.params as [string, string])[1]).message.votes as { workId: string }[];
    expect(signed.map((v) => v.workId).sort()).to.deep.equal([works.A, works.B].sort());

    // The first tab does not know that ballot: its own is cast in the same second (the pages' clock is fixed), so
    // it cannot replace the one the collector holds.
    await stale.bringToFront();
    await pointsInput(stale, works.A).fill("2");
    await stale.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(stale)).to.equal("refused");
    expect(await stale.locator("#refusal-code").textContent()).to.equal("stale-ballot");
    expect(await stale.locator("#refusal-field").textContent()).to.equal("ballot.castAt");
    expect(await stale.locator("#submission").textContent())
      .to.include("The collector refused the ballot:")
      .and.include("a ballot replaces it only with a later castAt");
    await stale.evaluate(() => document.activeElement?.blur());
    saveScreenshot(join(images, "members-refusal.png"), await stale.screenshot({ fullPage: true }));
    // The collector kept the other tab's ballot; refreshed, the stale tab shows it.
    const now = (await feed()).works;
    expect(now.find((w) => w.workId === works.A)!.points).to.equal("13"); // B 9, C 4
    expect(now.find((w) => w.workId === works.B)!.points).to.equal("13"); // A 7, C 6
    await stale.getByRole("button", { name: "Refresh" }).click();
    await stale.locator("#ballot-current").getByText("Your current ballot was cast").waitFor();
    expect(await pointsInput(stale, works.A).inputValue()).to.equal("4");
    expect(await pointsInput(stale, works.B).inputValue()).to.equal("6");
  });

  it("C votes again; the phone layout fits", async function () {
    const page = await openApp(C, "#/vote", { viewport: PHONE });
    await page.locator("#feed").waitFor();
    await page.locator("#ballot-current").getByText("Your current ballot was cast").waitFor();
    // C is in crew: the crew's work shows the note, not a box.
    expect(await workRow(page, works.crew).locator(".badge.own").textContent()).to.equal(
      "Your team's work: not votable",
    );
    expect(await pointsInput(page, works.crew).count()).to.equal(0);
    await pointsInput(page, works.A).fill("4");
    await pointsInput(page, works.B).fill("6");
    await page.getByRole("button", { name: "Sign and send the ballot" }).click();
    expect(await outcome(page)).to.equal("accepted");
    expect(await page.locator("#submission").textContent()).to.include("replaces your previous one");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "no horizontal scrolling on a phone").to.be.at.most(PHONE.width);
  });

  it("once the epoch has closed, a report is refused with the collector's reason", async function () {
    const page = await openApp(B, "#/report");
    await fillReport(page, {
      category: "article",
      title: "Too late for this epoch",
      links: ["https://forum.example.org/t/late"],
    });
    // The collector's clock passes the epoch's end after the page loaded.
    clockOffset = epoch.end - NOW + 60;
    await page.getByRole("button", { name: "Sign and send the report" }).click();
    expect(await outcome(page)).to.equal("refused");
    expect(await page.locator("#refusal-code").textContent()).to.equal("epoch-closed");
    expect(await page.locator("#submission").textContent()).to.include("The collector refused the report:");
    // The page reads the collector again: no epoch takes reports now.
    await page.locator("#no-open-epoch").waitFor();
    expect(await page.locator("#no-open-epoch").textContent()).to.include("Epoch 1 ran from");
  });

  it("the epoch is exported, computed by the pipeline, proposed on chain and claimed through the Claim page", async function () {
    this.timeout(180_000);
    const inputs = join(temp, "inputs");
    mkdirSync(inputs);
    for (const file of ["works.csv", "votes.csv", "teams.csv"] as const) {
      writeFileSync(
        join(inputs, file),
        await collectorCall("GET", COLLECTOR_ROUTES.export(epoch.epoch, file), undefined, true),
      );
    }
    expect(readFileSync(join(inputs, "votes.csv"), "utf8").trim().split("\n")).to.have.length(1 + 5);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    writeFileSync(
      join(inputs, "epoch.json"),
      JSON.stringify(
        {
          epoch: epoch.epoch,
          pool: POOL_AMOUNT.toString(),
          tokenDecimals: 18,
          chainId: CHAIN_ID,
          distributor: poolAddress,
          start: iso(epoch.start),
          end: iso(epoch.end),
          rules: { maxPoints: MAX_POINTS, signatures: "required" },
        },
        null,
        2,
      ),
    );
    const result = allocateEpoch({
      works: join(inputs, "works.csv"),
      votes: join(inputs, "votes.csv"),
      teams: join(inputs, "teams.csv"),
      config: join(inputs, "epoch.json"),
    });
    // Every signature checked by the pipeline too: none of the five votes is excluded.
    expect(result.config.rules.signatures).to.equal("required");
    expect(result.rejections).to.deep.equal([]);
    writeArtifacts(join(epochsDir, "epoch-1"), result);
    const claims = JSON.parse(readFileSync(join(epochsDir, "epoch-1", "claims.json"), "utf8")) as ClaimsFile;
    const leafB = claims.claims[B]!;
    expect(BigInt(leafB.amount), "B's work scored").to.be.greaterThan(0n);

    const operatorAddress = await operator.getAddress();
    await (await token.getFunction("mint")(operatorAddress, result.total)).wait();
    await (await token.getFunction("approve")(poolAddress, result.total)).wait();
    await (await pool.getFunction("fund")(result.total)).wait();
    await (
      await pool.getFunction("proposeEpoch")(
        1,
        result.root,
        result.total,
        result.reputationTotal,
        result.inputsHash,
        "/epochs/epoch-1/",
      )
    ).wait();
    await rpc("evm_increaseTime", [CHALLENGE_PERIOD + 1]);
    await rpc("evm_mine");

    const page = await openApp(B, "#/", { fixedClock: false });
    await page.locator('#epochs tbody tr[data-epoch="1"][data-verdict="claimable"]').waitFor();
    const before = (await token.getFunction("balanceOf")(B)) as bigint;
    await page.locator("#claim-all").click();
    await page.locator("#status.status-confirmed").waitFor();
    expect((await token.getFunction("balanceOf")(B)) - before).to.equal(BigInt(leafB.amount));
    expect(await pool.getFunction("reputationOf")(B)).to.equal(BigInt(leafB.reputation));
  });
});

/**
 * What `sm:status`, `sm:reputation` and `sm:roles` print, from what `poolStatus`, `reputationStatus` and
 * `rolesStatus` read: pure functions, so that the tests check the very lines an operator sees.
 */
import type { ArtifactSource } from "./artifacts.js";
import { formatAmount, formatDuration, isoDate } from "./format.js";
import type { PoolStatus } from "./views/pool-status.js";
import type { ReputationStatus } from "./views/reputation-status.js";
import type { RolesStatus } from "./views/roles-status.js";

/** `claimed` as a share of `total`, two decimals. */
function share(claimed: bigint, total: bigint): string {
  if (total === 0n) return "-";
  const bps = (claimed * 10_000n) / total;
  return `${bps / 100n}.${String(bps % 100n).padStart(2, "0")}%`;
}

/** The artifacts `sm:status --artifacts-root DIR` compares with the chain. */
export interface StatusArtifacts {
  /** `--artifacts-root` as given. */
  root: string;
  /** Every artifacts directory found under it (a publish root: its `epochs/` and `retired/`). */
  sources: ArtifactSource[];
}

/** The lines that say which directories hold an epoch's root (live) or its vetoed root. */
function artifactLines(e: PoolStatus["epochs"][number], artifacts: StatusArtifacts): string[] {
  const ofEpoch = artifacts.sources.filter((a) => a.epoch === e.epoch);
  if (e.claimableAt === null) {
    const vetoedRoot = e.vetoed?.root;
    const kept = ofEpoch.filter((a) => a.root === vetoedRoot);
    return kept.map((a) => `  vetoed version   ${a.dir}`);
  }
  const root = e.root.toLowerCase();
  const live = ofEpoch.filter((a) => a.root === root);
  if (live.length > 0) return live.map((a) => `  artifacts        ${a.dir}`);
  if (ofEpoch.length === 0) return [`  artifacts        none under ${artifacts.root}`];
  return [
    `  artifacts        none with this root under ${artifacts.root} (${ofEpoch.map((a) => `${a.dir} has ${a.root}`).join(", ")}): publish the live one (sm:publish)`,
  ];
}

/** The lines `sm:status` prints; with `artifacts`, which directory holds each epoch's root. */
export function describeStatus(s: PoolStatus, networkName: string, artifacts?: StatusArtifacts): string[] {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const vetoed = s.epochs.filter((e) => e.state === "Vetoed").length;
  out(`pool                ${s.pool} on ${networkName}${s.paused ? " (PAUSED)" : ""}`);
  out(`token               ${s.token}`);
  out(`chain time          ${s.now}`);
  out(`durations           challenge ${s.challengePeriod} s, claim window ${s.claimWindow} s`);
  out(
    `paused              ${s.paused ? "yes: claims and proposals wait, open claim windows are stopped" : "no"} (${s.pausedDuration} s paused in total)`,
  );
  out(`available           ${s.available}`);
  out(`outstanding         ${s.outstanding}`);
  out(`newest final epoch  ${s.finalEpoch}`);
  out(`reputation          total ${s.totalReputation}, ${s.soulCount} souls, decay ${s.decayBps} bps per epoch`);
  out(`epochs              ${s.latestEpoch}${vetoed > 0 ? ` (then ${vetoed} vetoed)` : ""}`);
  if (!s.logs) out("(the node cannot search logs: inputsHash and uri are unknown)");
  for (const e of s.epochs) {
    out(`\nepoch ${e.epoch}: ${e.state}`);
    if (e.claimableAt === null) {
      if (e.vetoed) out(`  vetoed root      ${e.vetoed.root} by ${e.vetoed.guardian}: ${e.vetoed.reason}`);
      if (artifacts) artifactLines(e, artifacts).forEach(out);
      continue;
    }
    out(`  root             ${e.root}`);
    out(`  inputsHash       ${e.inputsHash ?? "unknown"}`);
    out(`  uri              ${e.uri === null ? "unknown" : e.uri === "" ? '""' : e.uri}`);
    out(`  claimed / total  ${e.claimed} / ${e.total} (${share(e.claimed, e.total)})`);
    out(`  reputationTotal  ${e.reputationTotal}`);
    out(`  claimableAt      ${e.claimableAt}`);
    out(
      `  expiresAt        ${e.expiresAt}${s.paused && (e.state === "Challenge" || e.state === "Claimable") ? " (if unpaused now: a pause moves it)" : ""}`,
    );
    if (artifacts) artifactLines(e, artifacts).forEach(out);
  }
  if (artifacts) {
    const shown = new Set(s.epochs.map((e) => e.epoch));
    const others = artifacts.sources.filter((a) => !shown.has(a.epoch));
    if (others.length > 0) {
      out(`
not on chain (not proposed yet, or not live): ${others.length} director${others.length === 1 ? "y" : "ies"}`);
      for (const a of others) out(`  epoch ${a.epoch}  ${a.dir} (root ${a.root})`);
    }
  }
  return lines;
}

/** The lines `sm:reputation` prints. */
export function describeReputation(r: ReputationStatus): string[] {
  const lines: string[] = [];
  const line = (label: string, value: string) => lines.push(`${label.padEnd(20)}${value}`);
  line("account", r.account);
  if (r.recoveredAway) {
    const to = r.recovery ? ` to ${r.recovery.to} (tx ${r.recovery.txHash})` : "";
    line("soul", `none: recovered away${to}; this address can never hold a soul again`);
  } else if (r.soulId !== null) {
    line("soul", String(r.soulId));
  } else {
    line("soul", "none (minted by the first claim)");
  }
  line(
    "score now",
    `${r.votes} (votes; delegate ${r.delegate === "0x0000000000000000000000000000000000000000" ? "none" : r.delegate})`,
  );
  if (r.anchor === null) {
    line("anchor", "none");
  } else {
    const idle = r.finalEpoch - r.anchor.epoch;
    line(
      "anchor",
      `${r.anchor.value} at epoch ${r.anchor.epoch}, since ${r.anchor.since}` +
        (r.recoveredAway
          ? " (zeroed by the recovery)"
          : idle > 0n
            ? ` (decayed over ${idle} final epoch${idle > 1n ? "s" : ""} since)`
            : ""),
    );
  }
  const recoveredHere = !r.recoveredAway && r.recovery;
  line(
    "last claimed epoch",
    `${r.lastClaimedEpoch}` +
      (recoveredHere
        ? ` (recovered from ${r.recovery!.from}: its leaves up to epoch ${r.recovery!.barrierEpoch} pay tokens but do not change the score)`
        : ""),
  );
  if (r.recoveredAway) {
    line("recovered away", "yes: its remaining leaves still pay tokens to this address, never reputation");
  }
  line("newest final epoch", String(r.finalEpoch));
  const pct = `${Number(r.decayBps) / 100}%`;
  const when = r.nextFinal
    ? `when epoch ${r.nextFinal.epoch} becomes final at ${r.nextFinal.at}`
    : "when the next epoch becomes final";
  line(
    "decay",
    r.votes === 0n
      ? `${pct} per epoch (${r.decayBps} bps)`
      : `${pct} per epoch (${r.decayBps} bps): ${r.votes} → ${r.nextScore} ${when}, unless a newer leaf is claimed`,
  );
  return lines;
}

/** The lines `sm:roles` prints. */
export function describeRoles(r: RolesStatus, networkName: string): string[] {
  const lines: string[] = [];
  const line = (label: string, value: string) => lines.push(`${label.padEnd(20)}${value}`);
  const when = (at: bigint) =>
    at <= r.now ? `${isoDate(at)} (passed)` : `${isoDate(at)} (in ${formatDuration(at - r.now)})`;
  line("pool", `${r.pool} on ${networkName}${r.paused ? " (PAUSED)" : ""}`);
  line("default admin", r.defaultAdmin);
  line(
    "pending admin",
    r.pendingAdmin ? `${r.pendingAdmin.account}, may accept from ${when(r.pendingAdmin.schedule)}` : "none",
  );
  line("admin delay", formatDuration(r.adminDelay));
  line(
    "admin delay change",
    r.pendingDelay ? `to ${formatDuration(r.pendingDelay.delay)} at ${when(r.pendingDelay.schedule)}` : "none",
  );
  line("paused", r.paused ? "yes: claims and proposals wait until the guardian unpauses" : "no");
  line("token", `${r.token.address} (${r.token.symbol}, ${r.token.decimals} decimals)`);
  line("balance", `${formatAmount(r.balance, r.token)}: the pool's token balance`);
  line("available", `${formatAmount(r.available, r.token)}: reservable by new epochs, withdrawable by the admin`);
  line("outstanding", `${formatAmount(r.outstanding, r.token)}: reserved by live epochs, not yet claimed`);
  const unaccounted = r.balance - r.available - r.outstanding;
  if (unaccounted !== 0n) {
    line(
      "not credited",
      `${formatAmount(unaccounted, r.token)}: ${unaccounted > 0n ? "sent to the pool without fund(), never credited" : "the balance is short of what the pool owes"}`,
    );
  }
  lines.push("");
  if (!r.logs) lines.push("(the node cannot search logs: the role holders are unknown; the default admin is above)");
  for (const holders of r.roles) {
    const name = holders.role ?? `role ${holders.id}`;
    line(name, holders.holders.length > 0 ? holders.holders.join(", ") : r.logs ? "none" : "unknown");
    if (holders.former.length > 0) line("", `formerly: ${holders.former.join(", ")}`);
  }
  return lines;
}

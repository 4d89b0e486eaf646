/**
 * What `sm:status` and `sm:reputation` print, from what `poolStatus` and `reputationStatus` read: pure functions,
 * so that the tests check the very lines an operator sees.
 */
import type { PoolStatus, ReputationStatus } from "./pool.js";

/** `claimed` as a share of `total`, two decimals. */
function share(claimed: bigint, total: bigint): string {
  if (total === 0n) return "-";
  const bps = (claimed * 10_000n) / total;
  return `${bps / 100n}.${String(bps % 100n).padStart(2, "0")}%`;
}

/** The lines `sm:status` prints. */
export function describeStatus(s: PoolStatus, networkName: string): string[] {
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

/** report.md: totals, top contributors, and the excluded rows summarised (counts by reason, the first few). */
import type { AccountResult, EpochResult } from "./epoch.js";
import { REJECTION_CODES, REJECTION_REASONS } from "./excluded.js";
import { reportRecoveries } from "./recoveries.js";

/** `amount` in whole tokens with `decimals` decimals, exactly (no floating point). */
export function formatUnits(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? "." + fraction : ""}`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** How many contributors the report lists. */
export const TOP_CONTRIBUTORS = 20;

/** How many excluded rows the report shows (excluded.csv has them all). */
export const EXCLUDED_EXAMPLES = 10;

/**
 * The `count` paid accounts with the largest amounts, ties by index: one pass keeping the best few in order (a
 * million accounts are not sorted for twenty).
 */
function topByAmount(accounts: readonly AccountResult[], count: number): AccountResult[] {
  const top: AccountResult[] = [];
  for (const a of accounts) {
    if (a.amount === 0n) continue;
    if (top.length === count && a.amount <= top[count - 1]!.amount) continue;
    // Accounts come in index order: an equal amount goes after the ones already there.
    let at = top.length;
    while (at > 0 && top[at - 1]!.amount < a.amount) at--;
    top.splice(at, 0, a);
    if (top.length > count) top.pop();
  }
  return top;
}

export function renderReport(result: EpochResult): string[] {
  const { config } = result;
  const d = config.tokenDecimals;
  const out: string[] = [];
  out.push(`# Epoch ${config.epoch} allocation\n\n`);
  out.push(`| | |\n|---|---|\n`);
  out.push(`| Root | \`${result.root}\` |\n`);
  out.push(`| Pool | ${formatUnits(config.pool, d)} tokens (${config.pool} units, ${d} decimals) |\n`);
  out.push(`| Leaves | ${result.accounts.length} |\n`);
  out.push(`| Paid accounts | ${result.accounts.filter((a) => a.amount > 0n).length} |\n`);
  out.push(`| Works scored | ${result.works.filter((w) => w.points > 0n).length} of ${result.works.length} |\n`);
  out.push(`| Credit units (U) | ${result.totalUnits} |\n`);
  out.push(`| Reputation total | ${result.reputationTotal} (${result.reputation.length} accounts, reputation.csv) |\n`);
  out.push(`| Window | ${config.startText} … ${config.endText} |\n`);
  out.push(`| Chain id / distributor | ${config.chainId} / \`${config.distributor}\` |\n`);
  out.push(`| Inputs hash (keccak256) | \`${result.inputsHash}\` |\n`);
  out.push(
    `| Previous epoch | ${result.previous ? `${result.previous.epoch} (\`${result.previous.root}\`)` : "none"} |\n\n`,
  );

  out.push(...reportRecoveries(config.epoch, result.recoveries));
  out.push(`## Rows\n\n| File | Read | Accepted | Excluded |\n|---|---:|---:|---:|\n`);
  for (const c of result.counts) out.push(`| ${c.file} | ${c.read} | ${c.accepted} | ${c.excluded} |\n`);
  const read = result.counts.reduce((s, c) => s + c.read, 0);
  const accepted = result.counts.reduce((s, c) => s + c.accepted, 0);
  const excluded = result.counts.reduce((s, c) => s + c.excluded, 0);
  out.push(`| **all** | ${read} | ${accepted} | ${excluded} |\n\n`);

  const top = topByAmount(result.accounts, TOP_CONTRIBUTORS);
  out.push(
    `## Top contributors\n\n| # | Account | Amount (tokens) | Reputation | Units |\n|---:|---|---:|---:|---:|\n`,
  );
  top.forEach((a, i) =>
    out.push(`| ${i + 1} | \`${a.account}\` | ${formatUnits(a.amount, d)} | ${a.reputation} | ${a.units} |\n`),
  );

  out.push(`\n## Excluded rows\n\n`);
  const excludedVotes = result.excluded;
  const total = excludedVotes.total;
  if (total === 0) {
    out.push(`None.\n`);
  } else {
    out.push(
      `${total} ${total === 1 ? "row" : "rows"} excluded. Every one is in excluded.csv (file, row, line, column, reason, work_id, voter, detail).\n\n`,
    );
    out.push(`| Reason | Code | Rows |\n|---|---|---:|\n`);
    REJECTION_CODES.forEach((code, c) => {
      const count = excludedVotes.byCode[c]!;
      if (count > 0) out.push(`| ${cell(REJECTION_REASONS[code])} | \`${code}\` | ${count} |\n`);
    });
    // Excluded works first (the works file comes first), then the votes.
    const works = excludedVotes.works.slice(0, EXCLUDED_EXAMPLES);
    const examples = excludedVotes.firstInRowOrder(EXCLUDED_EXAMPLES - works.length);
    const shown = works.length + examples.length;
    out.push(total > shown ? `\nThe first ${shown}, in file and row order:\n\n` : `\nIn file and row order:\n\n`);
    out.push(`| File | Row | Column | work_id | Voter | Reason |\n|---|---:|---|---|---|---|\n`);
    for (const w of works) {
      const r = excludedVotes.workRejection(w);
      out.push(`| ${r.file} | ${r.row} | ${r.column} | ${cell(r.workId)} | | ${cell(r.reason)} |\n`);
    }
    for (const r of examples) {
      out.push(`| ${r.file} | ${r.row} | ${r.column} | ${cell(r.workId)} | \`${r.voter}\` | ${cell(r.reason)} |\n`);
    }
  }
  return out;
}

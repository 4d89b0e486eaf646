/** report.md: totals, top contributors and every excluded row with its reason. */
import type { EpochResult } from "./epoch.js";

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

  out.push(`## Rows\n\n| File | Read | Accepted | Excluded |\n|---|---:|---:|---:|\n`);
  for (const c of result.counts) out.push(`| ${c.file} | ${c.read} | ${c.accepted} | ${c.excluded} |\n`);
  const read = result.counts.reduce((s, c) => s + c.read, 0);
  const accepted = result.counts.reduce((s, c) => s + c.accepted, 0);
  const excluded = result.counts.reduce((s, c) => s + c.excluded, 0);
  out.push(`| **all** | ${read} | ${accepted} | ${excluded} |\n\n`);

  const top = result.accounts
    .filter((a) => a.amount > 0n)
    .sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : a.index - b.index))
    .slice(0, TOP_CONTRIBUTORS);
  out.push(
    `## Top contributors\n\n| # | Account | Amount (tokens) | Reputation | Units |\n|---:|---|---:|---:|---:|\n`,
  );
  top.forEach((a, i) =>
    out.push(`| ${i + 1} | \`${a.account}\` | ${formatUnits(a.amount, d)} | ${a.reputation} | ${a.units} |\n`),
  );

  out.push(`\n## Excluded rows\n\n`);
  if (result.rejections.length === 0) {
    out.push(`None.\n`);
  } else {
    const rows = result.rejections.slice().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row));
    out.push(`| File | Row | Column | work_id | Voter | Reason |\n|---|---:|---|---|---|---|\n`);
    const chunk: string[] = [];
    for (const r of rows) {
      chunk.push(`| ${r.file} | ${r.row} | ${r.column} | ${cell(r.workId)} | \`${r.voter}\` | ${cell(r.reason)} |\n`);
      if (chunk.length === 4096) out.push(chunk.splice(0).join(""));
    }
    out.push(chunk.join(""));
  }
  return out;
}

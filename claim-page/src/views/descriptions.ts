/** The words of the rewards view: an epoch's verdict and its detail, when the reputation decays next. */
import type { AccountView, EpochRow } from "../claims";
import { formatDuration, formatTime } from "../format";

/** `10%`, `0.01%`, `33.33%`: basis points as a percentage. */
const percent = (bps: number) => `${bps / 100}%`;

/**
 * When the reputation shown decays next, e.g. "decays 10% when epoch 4 becomes final on 2030-01-08 00:00 UTC":
 * every score decays once more, with no transaction, when the next epoch's challenge period ends.
 */
export function decayNote(view: AccountView, decayBps: number): string | undefined {
  if (view.reputation === 0n) return undefined;
  if (decayBps === 0) return "does not decay";
  const rate = `decays ${percent(decayBps)}`;
  const next = view.nextDecay;
  return next
    ? `${rate} when epoch ${next.epoch} becomes final on ${formatTime(next.at)}`
    : `${rate} when the next epoch becomes final`;
}

/** The badge of each verdict. */
export const VERDICTS: Record<EpochRow["verdict"], string> = {
  claimable: "Claimable",
  claimed: "Already claimed",
  upcoming: "Not yet claimable",
  expired: "Expired",
  vetoed: "Vetoed",
  "not-eligible": "Not eligible",
  refused: "Refused",
  unavailable: "Unavailable",
};

/** The line under the badge: until when, since when, or why. */
export function verdictDetail(row: EpochRow, now: number): string {
  switch (row.verdict) {
    case "claimable":
      return `until ${formatTime(row.chain.expiresAt)}`;
    case "claimed":
      return "paid to this address";
    case "upcoming":
      return `opens in ${formatDuration(row.chain.claimableAt - now)} (${formatTime(row.chain.claimableAt)})`;
    case "expired":
      return `the claim window closed ${formatTime(row.chain.expiresAt)}`;
    case "vetoed":
      return "the guardian rejected this epoch's root: it pays nothing";
    case "not-eligible":
      return "no reward for this address in this epoch";
    case "refused":
      return `${row.problem ?? "the artifacts do not match the chain"}: this page will not claim it`;
    case "unavailable":
      return row.problem ?? "the artifacts could not be loaded";
  }
}

/**
 * The collector's exports in the pipeline's input formats (docs/formats.md): works.csv, votes.csv and
 * teams.csv, CSV with a header row, `\n` line ends, RFC 4180 quoting, rows in a fixed order. Same data, same
 * bytes.
 */
import { isoSeconds, POV_SEPARATOR } from "../protocol/typed-data.js";
import type { ReportRecord, TeamMemberRecord, VoteRow } from "./store.js";

export const EXPORT_HEADERS = {
  "works.csv": ["work_id", "contributor", "category", "title", "pov_url", "submitted_at", "signature"],
  "votes.csv": ["work_id", "voter", "points", "cast_at", "signature"],
  "teams.csv": ["team", "member", "share_bps"],
} as const;
export type ExportFile = keyof typeof EXPORT_HEADERS;
export const EXPORT_FILES = Object.keys(EXPORT_HEADERS) as ExportFile[];

/**
 * One CSV cell (RFC 4180): quoted, with its quotes doubled, when it holds a comma, a quote or a line break, or
 * starts or ends with white space (which the pipeline's reader trims from unquoted cells only).
 */
export function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvText(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header.join(","), ...rows.map((row) => row.map(csvCell).join(","))].join("\n") + "\n";
}

/** works.csv: one row a report, by work id. */
export function worksCsv(reports: readonly ReportRecord[]): string {
  return csvText(
    EXPORT_HEADERS["works.csv"],
    reports.map((r) => [
      r.workId,
      r.contributor,
      r.category,
      r.title,
      r.pov.join(POV_SEPARATOR),
      isoSeconds(r.submittedAt),
      r.signature,
    ]),
  );
}

/** votes.csv: one row a vote of each current ballot, by voter then work id; a ballot's rows share its time and signature. */
export function votesCsv(votes: readonly VoteRow[]): string {
  return csvText(
    EXPORT_HEADERS["votes.csv"],
    votes.map((v) => [v.workId, v.voter, v.points, isoSeconds(v.castAt), v.signature]),
  );
}

/** teams.csv: one row a member, by team then member. */
export function teamsCsv(members: readonly TeamMemberRecord[]): string {
  return csvText(
    EXPORT_HEADERS["teams.csv"],
    members.map((m) => [m.team, m.member, m.shareBps]),
  );
}

/**
 * Timestamps of the inputs (docs/formats.md) as integer milliseconds since the Unix epoch.
 *
 * A votes file holds a timestamp per row, so parsing them is on the hot path of a million-vote
 * epoch: the common shape `YYYY-MM-DDTHH:MM:SSZ` is read digit by digit, and everything else (time
 * zones, fractions, Unix seconds, invalid text) goes through the general parser. The fast path only
 * answers for text the general parser accepts, with the same value (test/pipeline/timestamp.test.ts
 * checks it), so the error messages cannot change.
 */

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/**
 * The general parser. Accepted: ISO 8601 with a time zone (`2025-01-31T23:59:59Z`,
 * `2025-01-31T23:59:59.5+02:00`) or integer Unix seconds (`1738367999`).
 */
export function parseTimestampGeneral(text: string): number | undefined {
  if (UNIX_SECONDS.test(text)) return Number(text) * 1000;
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(text.replace(" ", "T"));
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2025-02-30 over to March; refuse dates that do not exist.
  const [, y, mo, d, h, mi, s] = m;
  const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  if (probe.getUTCMonth() !== Number(mo) - 1 || probe.getUTCDate() !== Number(d) || Number(h) > 23) return undefined;
  return ms;
}

/** The value of the two ASCII digits at `i`, or -1. */
function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DDTHH:MM:SSZ` (or with a space for T) of a date that exists; otherwise undefined. */
function parseUtcSeconds(text: string): number | undefined {
  if (text.length !== 20 || text.charCodeAt(19) !== 0x5a /* Z */) return undefined;
  const t = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || (t !== 0x54 && t !== 0x20)) return undefined;
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined;
  const hi = digits2(text, 0);
  const lo = digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  // Years below 1000 are left to the general parser: Date.UTC maps years 0–99 to 1900–1999.
  if (hi < 10 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = hi * 100 + lo;
  if (day > daysInMonth(year, month)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * A timestamp as integer milliseconds since the Unix epoch, or undefined if the text is not one.
 * Accepted: ISO 8601 with a time zone (`2025-01-31T23:59:59Z`, `2025-01-31T23:59:59.5+02:00`) or
 * integer Unix seconds (`1738367999`).
 */
export function parseTimestamp(text: string): number | undefined {
  return parseUtcSeconds(text) ?? parseTimestampGeneral(text);
}

import { keccak256 } from "./keccak.js";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** EIP-55 checksum of a lowercase 40-hex-digit address body (without 0x). */
function checksumBody(lower: string): string {
  const hash = keccak256(Buffer.from(lower, "latin1"));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower.charCodeAt(i);
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += c >= 0x61 && nibble >= 8 ? String.fromCharCode(c - 32) : lower[i];
  }
  return out;
}

/** Result of {@link parseAddress}: the checksummed address, or why the text is not one. */
export type ParsedAddress = { ok: true; address: string } | { ok: false; reason: string };

const cache = new Map<string, ParsedAddress>();

/**
 * Normalises an address to its EIP-55 checksum. All-lowercase and all-uppercase addresses carry
 * no checksum and are accepted; a mixed-case address must carry a valid checksum, because a
 * wrong one is a typo.
 */
export function parseAddress(text: string): ParsedAddress {
  const cached = cache.get(text);
  if (cached) return cached;
  let result: ParsedAddress;
  if (!ADDRESS.test(text)) {
    result = {
      ok: false,
      reason: `${JSON.stringify(text)} is not an address (0x followed by 40 hex digits)`,
    };
  } else {
    const body = text.slice(2);
    const lower = body.toLowerCase();
    const checksummed = checksumBody(lower);
    if (body === lower || body === body.toUpperCase() || text === checksummed) {
      result = { ok: true, address: checksummed };
    } else {
      result = {
        ok: false,
        reason: `${text} has a wrong EIP-55 checksum (expected ${checksummed})`,
      };
    }
  }
  if (cache.size > 1_000_000) cache.clear();
  cache.set(text, result);
  return result;
}

/** Like {@link parseAddress} but throws a plain Error; for trusted callers (tests, tools). */
export function toChecksumAddress(text: string): string {
  const parsed = parseAddress(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.address;
}

/** Orders checksummed addresses by their lowercase form (the leaf order of docs/formats.md). */
export function compareAddresses(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Input text must be UTF-8 (docs/formats.md, Inputs). A byte sequence that is not UTF-8 would be
 * decoded to U+FFFD, so that two values differing only in such bytes would become one: such bytes
 * are a hard error instead, located by the readers (inputs.ts, json.ts) with the helpers here.
 */
import { isUtf8 } from "node:buffer";

export { isUtf8 };

/** The UTF-8 byte order mark; CSV and JSON inputs may start with it. */
export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

/** Offset of the first byte of `bytes` that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < n && bytes[j]! >= lo && bytes[j]! <= hi;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2)) return i;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;
    }
  }
  return -1;
}

/** Why `bytes` (a cell, a string) is not UTF-8, or undefined if it is. `what` names it: "the cell". */
export function invalidUtf8Reason(bytes: Uint8Array, what: string): string | undefined {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return undefined;
  const byte = bytes[at]!.toString(16).padStart(2, "0");
  return `not UTF-8: byte 0x${byte} at offset ${at} of ${what} is not part of a valid UTF-8 sequence (save the file as UTF-8)`;
}

/**
 * Checks bytes handed over in chunks: the whole is UTF-8 if each piece between line ends is (a line end cannot be
 * inside a UTF-8 sequence), so only the bytes after a chunk's last line end wait for the next chunk.
 */
export class Utf8Stream {
  private tail: Buffer[] = [];
  ok = true;

  /** Adds the next bytes; false once bytes that are not UTF-8 were seen. */
  push(chunk: Uint8Array): boolean {
    if (!this.ok) return false;
    const first = chunk.indexOf(0x0a);
    if (first < 0) {
      this.tail.push(Buffer.from(chunk));
      return true;
    }
    const last = chunk.lastIndexOf(0x0a);
    const head =
      this.tail.length === 0
        ? chunk.subarray(0, first + 1)
        : Buffer.concat([...this.tail, chunk.subarray(0, first + 1)]);
    this.ok = isUtf8(head) && isUtf8(chunk.subarray(first + 1, last + 1));
    this.tail = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    return this.ok;
  }

  /** The end of the bytes: whether they all were UTF-8. */
  end(): boolean {
    return this.ok && isUtf8(Buffer.concat(this.tail));
  }
}

/**
 * Reading the input files of `allocateEpoch`. A file is read into shared memory (a SharedArrayBuffer: the same
 * Buffer to everything else), and a helper thread hashes the files (workers.ts) while the main thread parses them:
 * the inputs hash and the manifest's digests then wait, if at all, for digests already made. Without a second core
 * (or SOCIAL_MINING_THREADS=1) files are read as usual and hashed when needed.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { keccakDirect, provideDigest } from "./keccak.js";
import { keccakModule } from "./keccak-f.js";
import { defaultThreads, hashInBackground } from "./workers.js";

/** Below this, a file is hashed on the main thread: starting a helper costs more. */
const BACKGROUND_BYTES = 4 << 20;

/** The bytes of the file at `path`, in shared memory when a helper thread may hash them. */
export function readInputFile(path: string): Buffer {
  if (defaultThreads() < 2) return readFileSync(path);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < BACKGROUND_BYTES) return readFileSync(fd);
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    for (let done = 0; done < size;) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) return bytes.subarray(0, done); // the file shrank meanwhile
      done += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Starts hashing the large ones of `files` on a helper thread; keccak256 of each then takes the helper's digest. */
export function hashInputsInBackground(files: readonly Uint8Array[]): void {
  const large = files.filter((b) => b.byteLength >= BACKGROUND_BYTES && b.buffer instanceof SharedArrayBuffer);
  if (large.length === 0) return;
  const digests = hashInBackground(large, keccakModule(true, 65536), keccakDirect);
  if (!digests) return;
  large.forEach((bytes, i) => provideDigest(bytes, () => digests()[i]!));
}

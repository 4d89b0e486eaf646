/**
 * keccak256 through hash-wasm: about 1 M hashes/s, 5–20× faster than the pure-JS implementations
 * (docs/pipeline.md). The hasher is created once at module load (top-level await) so that every
 * function of the library stays synchronous.
 */
import { createKeccak } from "hash-wasm";

const hasher = await createKeccak(256);

/** keccak256 of `data`, as 32 fresh bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}

/** keccak256 of `data` as 0x-prefixed lowercase hex. */
export function keccak256Hex(data: Uint8Array | string): string {
  hasher.init();
  hasher.update(data);
  return "0x" + hasher.digest("hex");
}

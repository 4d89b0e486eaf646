// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The decay of an idle reputation over whole epochs
/// @notice One epoch of decay keeps `keepBps / 10000` of a score, rounded down:
/// `d(r) = floor(r * keepBps / 10000)` with `keepBps = 10000 - decayBps`. Over `n` idle epochs a score becomes
/// `d` applied `n` times. The epoch pipeline (`decay` in scripts/lib/reputation.ts) computes the same function, and
/// because it is an iteration, `decay(decay(r, a), b) == decay(r, a + b)` holds exactly: it does not matter from
/// which of an account's leaves the decay is counted.
/// @dev Gas grows with `min(n, epochs until the score reaches 0)`: about 18 gas an epoch. With 10% a year's worth
/// of weekly epochs costs about 1k; a uint64 score reaches 0 within 421 epochs at 10% decay.
library ReputationDecay {
    /// @notice Basis points of a whole.
    uint256 internal constant BPS = 10_000;

    /// @dev `floor(x / 10000) == (x * DIV_MAGIC) >> 92` for every `x < 2^78` (division by an invariant integer:
    /// `DIV_MAGIC = ceil(2^92 / 10000)` exceeds `2^92 / 10000` by `3104 / 10000`, and `x * 3104 < 2^92`).
    uint256 private constant DIV_MAGIC = 495176015714152109959650;

    /// @notice `value` after `epochs` epochs of decay that keep `keepBps` basis points of the score each.
    /// @param value A score of at most 64 bits (so that `value * keepBps` stays below 2^78).
    /// @param keepBps `10000 - decayBps`, at most 10000.
    function decay(uint256 value, uint256 epochs, uint256 keepBps) internal pure returns (uint256) {
        return decayBy(value, epochs, factorOf(keepBps));
    }

    /// @notice The factor of `decayBy` for `keepBps` (a contract keeps it as an immutable).
    function factorOf(uint256 keepBps) internal pure returns (uint256) {
        return keepBps * DIV_MAGIC;
    }

    /// @notice `decay(value, epochs, keepBps)`, given `factor = factorOf(keepBps)`.
    function decayBy(uint256 value, uint256 epochs, uint256 factor) internal pure returns (uint256 r) {
        if (factor == BPS * DIV_MAGIC) return value;
        r = value;
        // One step is r <- floor(r * keepBps / 10000) = (r * keepBps * DIV_MAGIC) >> 92 = (r * factor) >> 92, exact
        // since r * keepBps < 2^64 * 2^14 = 2^78; r * factor < 2^64 * 2^93 fits 256 bits. Each step keeps at most
        // 9999/10000 and rounds down, so r only decreases; the loops stop at 0 or after `epochs` steps. Steps are
        // nested four to an expression, so that r stays on the stack, and unrolled by 16 (then 8, then 1).
        assembly ("memory-safe") {
            for {} and(gt(epochs, 15), gt(r, 0)) {} {
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                epochs := sub(epochs, 16)
            }
            if and(gt(epochs, 7), gt(r, 0)) {
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                r := shr(92, mul(shr(92, mul(shr(92, mul(shr(92, mul(r, factor)), factor)), factor)), factor))
                epochs := sub(epochs, 8)
            }
            for {} and(gt(epochs, 0), gt(r, 0)) {} {
                r := shr(92, mul(r, factor))
                epochs := sub(epochs, 1)
            }
        }
    }
}

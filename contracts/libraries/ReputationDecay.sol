// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The decay of an idle reputation over whole epochs
/// @notice One epoch of decay keeps `keepBps / 10000` of a score, rounded down:
/// `d(r) = floor(r * keepBps / 10000)` with `keepBps = 10000 - decayBps`. Over `n` idle epochs a score becomes
/// `d` applied `n` times. The epoch pipeline (`decay` in scripts/lib/reputation.ts) computes the same function, and
/// because it is an iteration, `decay(decay(r, a), b) == decay(r, a + b)` holds exactly: it does not matter from
/// which of an account's leaves the decay is counted.
/// @dev Gas grows with `min(n, epochs until the score reaches 0)`: about 20 gas an epoch. With 10% a year's worth
/// of weekly epochs costs about 1k; a uint64 score reaches 0 within 421 epochs at 10% decay.
library ReputationDecay {
    /// @notice Basis points of a whole.
    uint256 internal constant BPS = 10_000;

    /// @notice `value` after `epochs` epochs of decay that keep `keepBps` basis points of the score each.
    /// @param value A score of at most 64 bits (so that `value * keepBps` cannot overflow).
    /// @param keepBps `10000 - decayBps`, at most 10000.
    function decay(uint256 value, uint256 epochs, uint256 keepBps) internal pure returns (uint256 r) {
        if (keepBps == BPS) return value;
        r = value;
        // Cannot overflow: r <= value < 2^64 and keepBps <= 10000, so r * keepBps < 2^78. Each step divides by
        // 10000 after multiplying by at most 9999, so r only decreases; the loops stop at 0 or after `epochs` steps.
        assembly ("memory-safe") {
            for {} and(gt(epochs, 3), gt(r, 0)) {} {
                r := div(mul(r, keepBps), BPS)
                r := div(mul(r, keepBps), BPS)
                r := div(mul(r, keepBps), BPS)
                r := div(mul(r, keepBps), BPS)
                epochs := sub(epochs, 4)
            }
            for {} and(gt(epochs, 0), gt(r, 0)) {} {
                r := div(mul(r, keepBps), BPS)
                epochs := sub(epochs, 1)
            }
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReputationDecay} from "../../contracts/libraries/ReputationDecay.sol";

/// @notice The decay of docs/rules.md written the obvious way, as the reference the pool is checked against: one
/// `floor(r * (10000 - decayBps) / 10000)` per epoch, no early exit, no unrolling, checked arithmetic.
library DecayReference {
    function decay(uint256 value, uint256 epochs, uint256 decayBps) internal pure returns (uint256 r) {
        r = value;
        for (uint256 i = 0; i < epochs; ++i) r = (r * (10_000 - decayBps)) / 10_000;
    }
}

/// @notice Exposes the pool's `ReputationDecay.decay` (an internal library function) to the fuzz tests.
contract ReputationDecayHarness {
    function decay(uint256 value, uint256 epochs, uint256 keepBps) external pure returns (uint256) {
        return ReputationDecay.decay(value, epochs, keepBps);
    }
}

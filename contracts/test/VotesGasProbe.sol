// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @notice Measures the gas a `Governor` pays for the vote lookups of the reputation (bench/gas.ts). Never deployed
/// to a public network.
contract VotesGasProbe {
    /// @notice Gas of one `getPastVotes(account, timepoint)` call from a contract, cold storage included.
    function pastVotes(
        IVotes votes,
        address account,
        uint256 timepoint
    ) external view returns (uint256 gas, uint256 value) {
        uint256 start = gasleft();
        value = votes.getPastVotes(account, timepoint);
        gas = start - gasleft();
    }

    /// @notice Gas of one `getPastTotalSupply(timepoint)` call from a contract, cold storage included.
    function pastTotalSupply(IVotes votes, uint256 timepoint) external view returns (uint256 gas, uint256 value) {
        uint256 start = gasleft();
        value = votes.getPastTotalSupply(timepoint);
        gas = start - gasleft();
    }
}

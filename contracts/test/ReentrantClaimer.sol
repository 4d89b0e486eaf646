// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../interfaces/IEpochRewards.sol";
import {HookToken, ITokenRecipientHook} from "./HookToken.sol";

/// @notice A leaf account that, when paid, tries to claim its own leaf again (or any prepared call) from the hook.
contract ReentrantClaimer is ITokenRecipientHook {
    IEpochRewards public immutable pool;
    bytes public reentryCall;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor(IEpochRewards pool_, HookToken token) {
        pool = pool_;
        token.registerHook(true);
    }

    /// @notice The call made back into the pool when tokens arrive (e.g. an encoded `claim` of the same leaf).
    function setReentryCall(bytes calldata data) external {
        reentryCall = data;
    }

    function tokensReceived(address, uint256) external {
        if (msg.sender != address(pool.token()) || reentered || reentryCall.length == 0) return;
        reentered = true;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory err) = address(pool).call(reentryCall);
        reentrySucceeded = ok;
        reentryError = err;
    }
}

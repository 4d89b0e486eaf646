// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receives the ERC-777-style callback of `HookToken`.
interface ITokenRecipientHook {
    function tokensReceived(address from, uint256 amount) external;
}

/// @notice ERC-20 that calls `tokensReceived` on a recipient that registered for it, after every transfer to it,
/// like ERC-777's hooks: lets a test recipient re-enter the contract that paid it.
contract HookToken is ERC20 {
    mapping(address => bool) public hooked;

    constructor() ERC20("Hook Token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function registerHook(bool on) external {
        hooked[msg.sender] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to != address(0) && hooked[to]) ITokenRecipientHook(to).tokensReceived(from, value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract Soulbound_Concrete_Test is Base {
    uint256 private aliceId;

    function setUp() public override {
        super.setUp();
        _proposeOpenAndClaim(1, _defaultLeaves(), 1);
        aliceId = _tokenId(alice);
    }

    function _transferError(uint256 id, address from, address to) private pure returns (bytes memory) {
        return abi.encodeWithSelector(ISoulboundReputation.SoulboundTransfer.selector, id, from, to);
    }

    function test_TransferFrom_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(_transferError(aliceId, alice, bob));
        pool.transferFrom(alice, bob, aliceId);
        // Not even the pool's admin, nor for a token that does not exist.
        vm.prank(admin);
        vm.expectRevert(_transferError(42, eve, admin));
        pool.transferFrom(eve, admin, 42);
    }

    function test_SafeTransferFrom_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(_transferError(aliceId, alice, bob));
        pool.safeTransferFrom(alice, bob, aliceId);
    }

    function test_SafeTransferFromWithData_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(_transferError(aliceId, alice, bob));
        pool.safeTransferFrom(alice, bob, aliceId, "data");
    }

    function test_Approve_ItShouldRevert() external {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulboundApproval.selector, bob));
        pool.approve(bob, aliceId);
    }

    function test_SetApprovalForAll_ItShouldRevert() external {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulboundApproval.selector, bob));
        pool.setApprovalForAll(bob, true);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.SoulboundApproval.selector, bob));
        pool.setApprovalForAll(bob, false);
        vm.stopPrank();
    }

    function test_GetApproved_RevertGiven_TokenDoesNotExist() external {
        uint256 bobId = _tokenId(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, bobId));
        pool.getApproved(bobId);
        uint256 wide = uint256(type(uint160).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, wide));
        pool.getApproved(wide);
    }

    function test_GetApproved_GivenTokenExists_ItShouldReturnZero() external view {
        assertEq(pool.getApproved(aliceId), address(0));
    }

    function test_IsApprovedForAll_ItShouldReturnFalse() external view {
        assertFalse(pool.isApprovedForAll(alice, bob));
        assertFalse(pool.isApprovedForAll(alice, alice));
        assertFalse(pool.isApprovedForAll(alice, address(pool)));
    }
}

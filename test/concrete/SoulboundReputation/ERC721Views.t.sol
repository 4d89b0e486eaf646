// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Base} from "../../utils/Base.t.sol";
import {Base64Decoder} from "../../utils/Base64Decoder.sol";

contract ERC721Views_Concrete_Test is Base {
    string private constant PREFIX = "data:application/json;base64,";

    uint256 private aliceId;
    uint256 private bobId;

    function setUp() public override {
        super.setUp();
        _proposeOpenAndClaim(1, _defaultLeaves(), 1);
        aliceId = _tokenId(alice);
        bobId = _tokenId(bob);
    }

    function _expectNonexistent(uint256 id) private {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id));
    }

    /// @dev Asserts that ownerOf, locked and tokenURI of `id` revert with ERC721NonexistentToken(id).
    function _assertNonexistent(uint256 id) private {
        _expectNonexistent(id);
        pool.ownerOf(id);
        _expectNonexistent(id);
        pool.locked(id);
        _expectNonexistent(id);
        pool.tokenURI(id);
    }

    function _json(uint256 id) private view returns (string memory) {
        bytes memory uri = bytes(pool.tokenURI(id));
        bytes memory prefix = bytes(PREFIX);
        for (uint256 i = 0; i < prefix.length; ++i) {
            assertEq(uri[i], prefix[i], "data URI prefix");
        }
        bytes memory encoded = new bytes(uri.length - prefix.length);
        for (uint256 i = 0; i < encoded.length; ++i) {
            encoded[i] = uri[prefix.length + i];
        }
        return string(Base64Decoder.decode(string(encoded)));
    }

    function test_BalanceOf_RevertWhen_OwnerIsZeroAddress() external {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidOwner.selector, address(0)));
        pool.balanceOf(address(0));
    }

    function test_BalanceOf_GivenNoSoul_ItShouldReturnZero() external {
        assertEq(pool.balanceOf(bob), 0);
        vm.prank(recovery);
        pool.recoverSoul(alice, eve);
        assertEq(pool.balanceOf(alice), 0);
    }

    function test_BalanceOf_GivenASoul_ItShouldReturnOne() external view {
        assertEq(pool.balanceOf(alice), 1);
    }

    function test_RevertGiven_TokenIdIsAbove160Bits() external {
        uint256[2] memory ids = [uint256(type(uint160).max) + 1, (uint256(1) << 160) | aliceId];
        for (uint256 i = 0; i < ids.length; ++i) _assertNonexistent(ids[i]);
        _expectNonexistent(type(uint256).max);
        pool.ownerOf(type(uint256).max);
    }

    function test_RevertGiven_HolderHasNoSoul() external {
        uint256[2] memory ids = [bobId, 0];
        for (uint256 i = 0; i < ids.length; ++i) _assertNonexistent(ids[i]);
        vm.prank(recovery);
        pool.recoverSoul(alice, eve);
        _assertNonexistent(aliceId);
    }

    function test_GivenHolderHasASoul_ItShouldReturnOwnerAndLocked() external view {
        assertEq(pool.ownerOf(aliceId), alice);
        assertTrue(pool.locked(aliceId));
    }

    function test_TokenURI_GivenHolderHasASoul_ItShouldEncodeTheJson() external {
        // Move alice to a newer epoch and a larger score, so that the attributes are distinguishable.
        _proposeOpenAndClaim(2, _one(_leaf(0, alice, 0, 123_456_789)), 1);

        string memory json = _json(aliceId);
        assertEq(vm.parseJsonString(json, ".attributes[0].trait_type"), "Reputation");
        assertEq(vm.parseJsonString(json, ".attributes[1].trait_type"), "Last epoch");
        assertEq(vm.parseJsonString(json, ".attributes[2].trait_type"), "Anchor epoch");
        assertEq(vm.parseJsonUint(json, ".attributes[0].value"), 123_456_789);
        assertEq(vm.parseJsonUint(json, ".attributes[1].value"), 2);
        assertEq(vm.parseJsonUint(json, ".attributes[2].value"), 2);
        assertEq(vm.parseJsonString(json, ".name"), string.concat(NAME, " #", vm.toString(aliceId)));
        string memory description = vm.parseJsonString(json, ".description");
        assertTrue(vm.contains(description, Strings.toChecksumHexString(alice)), "holder in description");
    }

    function test_TokenURI_GivenHolderHasASoul_ItShouldShowTheScoreAsOfNow() external {
        _proposeOpenAndClaim(2, _one(_leaf(0, alice, 0, 123_456_789)), 1);
        // Epoch 3 becomes final: the score decays with no transaction on alice's soul.
        _propose(3, _idleLeaves());
        assertEq(vm.parseJsonUint(_json(aliceId), ".attributes[0].value"), 123_456_789);
        _open(3);
        string memory json = _json(aliceId);
        assertEq(vm.parseJsonUint(json, ".attributes[0].value"), 111_111_110); // floor(123456789 * 0.9)
        assertEq(vm.parseJsonUint(json, ".attributes[0].value"), pool.reputationOf(alice));
        // A decay-only leaf of epoch 4 moves the last epoch, not the anchor.
        Leaf[] memory decayOnly = _one(_leaf(0, alice, 1, 99_999_999)); // decay(123456789, 2)
        _proposeOpen(4, decayOnly);
        _claim(alice, 4, decayOnly, 0);
        json = _json(aliceId);
        assertEq(vm.parseJsonUint(json, ".attributes[0].value"), 99_999_999);
        assertEq(vm.parseJsonUint(json, ".attributes[1].value"), 4);
        assertEq(vm.parseJsonUint(json, ".attributes[2].value"), 2);
    }

    function test_TokenURI_GivenZeroReputation_ItShouldEncodeZero() external {
        _proposeOpenAndClaim(2, _one(_leaf(0, bob, 0, 0)), 1);
        string memory json = _json(bobId);
        assertEq(vm.parseJsonUint(json, ".attributes[0].value"), 0);
        assertEq(vm.parseJsonUint(json, ".attributes[1].value"), 2);
    }

    function test_NameAndSymbol_ItShouldReturnTheConstructorValues() external view {
        assertEq(pool.name(), NAME);
        assertEq(pool.symbol(), SYMBOL);
    }
}

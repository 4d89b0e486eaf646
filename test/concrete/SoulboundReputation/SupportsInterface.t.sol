// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Enumerable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC5192} from "../../../contracts/interfaces/IERC5192.sol";
import {Base} from "../../utils/Base.t.sol";

contract SupportsInterface_Concrete_Test is Base {
    function test_WhenInterfaceIsSupported_ItShouldReturnTrue() external view {
        assertEq(type(IERC5192).interfaceId, bytes4(0xb45a3c0e));
        assertTrue(pool.supportsInterface(0xb45a3c0e));
        assertTrue(pool.supportsInterface(0x49064906)); // ERC-4906 metadata updates
        assertTrue(pool.supportsInterface(type(IERC721).interfaceId));
        assertTrue(pool.supportsInterface(0x80ac58cd));
        assertTrue(pool.supportsInterface(type(IERC721Metadata).interfaceId));
        assertTrue(pool.supportsInterface(0x5b5e139f));
        assertTrue(pool.supportsInterface(type(IERC165).interfaceId));
        assertTrue(pool.supportsInterface(0x01ffc9a7));
        assertTrue(pool.supportsInterface(type(IAccessControl).interfaceId));
        assertTrue(pool.supportsInterface(type(IAccessControlDefaultAdminRules).interfaceId));
    }

    function test_WhenInterfaceIsAnythingElse_ItShouldReturnFalse() external view {
        assertFalse(pool.supportsInterface(0xffffffff));
        assertFalse(pool.supportsInterface(0x00000000));
        assertFalse(pool.supportsInterface(type(IERC20).interfaceId));
        assertFalse(pool.supportsInterface(type(IERC721Enumerable).interfaceId));
        assertFalse(pool.supportsInterface(type(IVotes).interfaceId));
        assertFalse(pool.supportsInterface(type(IERC6372).interfaceId));
    }
}

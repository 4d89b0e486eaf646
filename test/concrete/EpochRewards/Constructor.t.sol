// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {EpochRewards} from "../../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../../contracts/interfaces/IEpochRewards.sol";
import {ISoulboundReputation} from "../../../contracts/interfaces/ISoulboundReputation.sol";
import {Base} from "../../utils/Base.t.sol";

contract Constructor_Concrete_Test is Base {
    uint32 private constant DAY = 1 days;
    uint32 private constant FIVE_YEARS = 5 * 365 days;

    function _deploy(uint32 challengePeriod, uint32 claimWindow, uint256 decayBps) private returns (EpochRewards) {
        return
            new EpochRewards(
                IERC20(address(token)),
                admin,
                ADMIN_DELAY,
                challengePeriod,
                claimWindow,
                decayBps,
                NAME,
                SYMBOL
            );
    }

    function _deploy(uint32 challengePeriod, uint32 claimWindow) private returns (EpochRewards) {
        return _deploy(challengePeriod, claimWindow, DECAY_BPS);
    }

    function _expectInvalid(uint32 challengePeriod, uint32 claimWindow) private {
        vm.expectRevert(abi.encodeWithSelector(IEpochRewards.InvalidDurations.selector, challengePeriod, claimWindow));
        _deploy(challengePeriod, claimWindow);
    }

    function test_RevertWhen_TokenIsZeroAddress() external {
        vm.expectRevert(IEpochRewards.ZeroAddress.selector);
        new EpochRewards(IERC20(address(0)), admin, ADMIN_DELAY, CHALLENGE, WINDOW, DECAY_BPS, NAME, SYMBOL);
    }

    function test_RevertWhen_AdminIsZeroAddress() external {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector,
                address(0)
            )
        );
        new EpochRewards(IERC20(address(token)), address(0), ADMIN_DELAY, CHALLENGE, WINDOW, DECAY_BPS, NAME, SYMBOL);
    }

    function test_RevertWhen_ClaimWindowIsShorterThanOneDay() external {
        _expectInvalid(CHALLENGE, DAY - 1);
        _expectInvalid(CHALLENGE, 0);
    }

    function test_RevertWhen_ClaimWindowIsLongerThanFiveYears() external {
        _expectInvalid(CHALLENGE, FIVE_YEARS + 1);
    }

    function test_RevertWhen_ChallengePeriodIsLongerThanFiveYears() external {
        _expectInvalid(FIVE_YEARS + 1, WINDOW);
    }

    function test_RevertWhen_DecayIsAbove10000Bps() external {
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.InvalidDecayBps.selector, 10_001));
        _deploy(CHALLENGE, WINDOW, 10_001);
        vm.expectRevert(abi.encodeWithSelector(ISoulboundReputation.InvalidDecayBps.selector, type(uint256).max));
        _deploy(CHALLENGE, WINDOW, type(uint256).max);
    }

    function test_WhenDurationsAreAtTheirBounds_ItShouldAcceptThem() external {
        (uint32 c, uint32 w) = _deploy(0, DAY).durations();
        assertEq(c, 0);
        assertEq(w, DAY);
        (c, w) = _deploy(FIVE_YEARS, FIVE_YEARS).durations();
        assertEq(c, FIVE_YEARS);
        assertEq(w, FIVE_YEARS);
    }

    function test_WhenDecayIsAtItsBounds_ItShouldAcceptIt() external {
        assertEq(_deploy(CHALLENGE, WINDOW, 0).decayBps(), 0);
        assertEq(_deploy(CHALLENGE, WINDOW, 10_000).decayBps(), 10_000);
    }

    function test_WhenArgumentsAreValid_ItShouldEmitRoleGrantedThenDurationsSet() external {
        address expected = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.expectEmit(expected);
        emit IAccessControl.RoleGranted(bytes32(0), admin, address(this));
        vm.expectEmit(expected);
        emit IEpochRewards.DurationsSet(CHALLENGE, WINDOW);
        EpochRewards deployed = _deploy(CHALLENGE, WINDOW);
        assertEq(address(deployed), expected);
    }

    function test_WhenArgumentsAreValid_ItShouldStoreTokenDurationsDecayNameAndSymbol() external view {
        assertEq(address(pool.token()), address(token));
        assertEq(token.decimals(), 18);
        (uint32 c, uint32 w) = pool.durations();
        assertEq(c, CHALLENGE);
        assertEq(w, WINDOW);
        assertEq(pool.decayBps(), DECAY_BPS);
        assertEq(pool.name(), NAME);
        assertEq(pool.symbol(), SYMBOL);
    }

    function test_WhenArgumentsAreValid_ItShouldMakeTheAdminTheDefaultAdmin() external view {
        assertEq(pool.defaultAdmin(), admin);
        assertTrue(pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(pool.defaultAdminDelay(), ADMIN_DELAY);
        assertEq(pool.PROPOSER_ROLE(), keccak256("PROPOSER_ROLE"));
        assertEq(pool.GUARDIAN_ROLE(), keccak256("GUARDIAN_ROLE"));
        assertEq(pool.RECOVERY_ROLE(), keccak256("RECOVERY_ROLE"));
    }

    function test_WhenArgumentsAreValid_ItShouldExposeTheBounds() external view {
        assertEq(pool.MAX_EPOCH_TOTAL(), type(uint96).max);
        assertEq(pool.MAX_OPEN_EPOCHS(), 64);
        assertEq(pool.MAX_REPUTATION(), type(uint64).max);
    }

    function test_WhenArgumentsAreValid_ItShouldStartEmpty() external {
        EpochRewards fresh = _deploy(CHALLENGE, WINDOW);
        assertEq(fresh.available(), 0);
        assertEq(fresh.outstanding(), 0);
        assertEq(fresh.latestEpoch(), 0);
        assertEq(fresh.finalEpochAt(block.timestamp), 0);
        assertEq(fresh.soulCount(), 0);
        assertEq(fresh.totalReputation(), 0);
        assertFalse(fresh.paused());
        assertEq(fresh.pausedDuration(), 0);
    }
}

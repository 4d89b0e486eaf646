// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {EpochRewards} from "../../contracts/EpochRewards.sol";
import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/test/FeeOnTransferToken.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {EpochRewardsHandler, IMintableToken} from "./handlers/EpochRewardsHandler.sol";

/// @notice DESIGN §5 items 1–4 as invariants over random sequences of funding, proposals (some malicious), vetoes,
/// claims, batch claims, sweeps, withdrawals, recoveries, pauses and time (see `EpochRewardsHandler`).
abstract contract EpochRewardsInvariantBase is Test {
    EpochRewardsHandler internal handler;
    EpochRewards internal pool;
    IMintableToken internal token;

    function _deployToken() internal virtual returns (IMintableToken token_, uint256 feeBps);

    function setUp() public {
        vm.warp(1_700_000_000);
        uint256 feeBps;
        (token, feeBps) = _deployToken();
        handler = new EpochRewardsHandler(token, feeBps);
        pool = handler.pool();

        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = EpochRewardsHandler.fund.selector;
        selectors[1] = EpochRewardsHandler.donate.selector;
        selectors[2] = EpochRewardsHandler.withdraw.selector;
        selectors[3] = EpochRewardsHandler.propose.selector;
        selectors[4] = EpochRewardsHandler.propose.selector;
        selectors[5] = EpochRewardsHandler.veto.selector;
        selectors[6] = EpochRewardsHandler.sweep.selector;
        selectors[7] = EpochRewardsHandler.claim.selector;
        selectors[8] = EpochRewardsHandler.claimMany.selector;
        selectors[9] = EpochRewardsHandler.recoverSoul.selector;
        selectors[10] = EpochRewardsHandler.transferSoul.selector;
        selectors[11] = EpochRewardsHandler.pause.selector;
        selectors[12] = EpochRewardsHandler.unpause.selector;
        selectors[13] = EpochRewardsHandler.warp.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /*//////////////////////////////////////////////////////////////
                    §5.1 CLAIMED <= TOTAL, SOLVENCY
    //////////////////////////////////////////////////////////////*/

    function _assertClaimedAtMostTotal() internal view {
        uint256 latest = pool.latestEpoch();
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            assertLe(v.claimed, v.total, "claimed <= total");
        }
    }

    /// @dev Σ over live epochs (total − claimed) + available() is the balance, less what was sent to the pool with
    /// plain transfers (never credited). A fee-on-transfer token changes nothing here: `fund` credits what arrived
    /// and the pool's balance falls by exactly what it sends.
    function _assertReservedPlusAvailableIsTheBalance() internal view {
        uint256 latest = pool.latestEpoch();
        uint256 reserved = 0;
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            if (
                v.state == IEpochRewards.EpochState.Challenge ||
                v.state == IEpochRewards.EpochState.Claimable ||
                v.state == IEpochRewards.EpochState.Expired
            ) reserved += v.total - v.claimed;
        }
        uint256 balance = token.balanceOf(address(pool));
        assertEq(pool.outstanding(), reserved, "outstanding() == sum over live epochs");
        assertLe(reserved + pool.available(), balance, "reserved + available <= balance");
        assertEq(reserved + pool.available() + handler.ghostDonated(), balance, "== balance less plain transfers");
    }

    /*//////////////////////////////////////////////////////////////
                    §5.2 A LEAF IS PAID ONCE, EXACTLY
    //////////////////////////////////////////////////////////////*/

    function _assertLeavesPaidAtMostOnceAndExactly() internal view {
        assertEq(handler.ghostPaidTwice(), 0, "no leaf paid twice");
        assertEq(handler.ghostWrongPayment(), 0, "every payment equals its leaf's amount, to its account");

        uint256 latest = pool.latestEpoch();
        uint256 claimedSum = 0;
        for (uint256 e = 1; e <= latest; ++e) {
            uint256 claimed = pool.getEpoch(e).claimed;
            assertEq(handler.ghostPaidPerEpoch(e), claimed, "payments of an epoch == its claimed");
            claimedSum += claimed;
        }
        assertEq(handler.ghostPaid(), claimedSum, "sum of payments == sum of claimed");

        // The bitmap of each live tree marks exactly the leaves paid.
        uint256 trees = handler.treeCount();
        for (uint256 t = 0; t < trees; ++t) {
            (uint256 epoch, , , , ) = handler.trees(t);
            if (handler.liveTree(epoch) != t + 1) continue;
            uint256 leaves = handler.leavesOf(t);
            for (uint256 i = 0; i < leaves; ++i) {
                assertEq(pool.isClaimed(epoch, i), handler.ghostPaidCount(t, i) == 1, "isClaimed == paid");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                §5.3 ROOTS FIXED ONCE CLAIMABLE, VETOES PAY NOTHING
    //////////////////////////////////////////////////////////////*/

    function _assertRootsFixedOnceClaimable_VetoedPaysNothing() internal view {
        assertEq(handler.ghostRootChanged(), 0, "no root changed after claimableAt");
        assertEq(handler.ghostVetoedPaid(), 0, "no vetoed tree paid");
        uint256 latest = pool.latestEpoch();
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            if (
                v.state == IEpochRewards.EpochState.Claimable ||
                v.state == IEpochRewards.EpochState.Expired ||
                v.state == IEpochRewards.EpochState.Swept
            ) {
                bytes32 locked = handler.ghostLockedRoot(e);
                if (locked != bytes32(0)) assertEq(v.root, locked, "root as first seen claimable");
                (, bytes32 proposed, , , ) = handler.trees(handler.liveTree(e) - 1);
                assertEq(v.root, proposed, "root as proposed");
            } else if (v.state == IEpochRewards.EpochState.Vetoed) {
                assertEq(v.claimed, 0, "a vetoed epoch paid nothing");
                assertEq(handler.ghostPaidPerEpoch(e), 0, "nothing paid from a vetoed epoch");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                §5.4 REPUTATION ONLY BY NEWER CLAIMS AND RECOVERY
    //////////////////////////////////////////////////////////////*/

    function _assertReputationFollowsNewestClaimOrRecovery() internal view {
        uint256 n = handler.accountCount();
        uint256 sum = 0;
        uint256 souls = 0;
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.accounts(i);
            uint256 reputation = pool.reputationOf(account);
            assertEq(reputation, handler.modelReputation(account), "reputation == newest claimed leaf or recovered");
            bool recovered = handler.isRecovered(account);
            uint256 tag = handler.modelTag(account);
            assertEq(pool.lastSyncedEpoch(account), recovered ? 0 : tag, "last synced epoch");
            bool soul = pool.hasSoul(account);
            assertEq(soul, tag != 0 && !recovered, "has a soul");
            sum += reputation;
            if (soul) ++souls;
        }
        assertEq(pool.totalReputation(), sum, "totalReputation == sum of reputationOf");
        assertEq(pool.soulCount(), souls, "soulCount == accounts with a soul");
    }

    function _assertSoulsNeverMove() internal view {
        assertEq(handler.ghostSoulMoved(), 0, "no soul transfer succeeded");
        uint256 n = handler.mintedCount();
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.minted(i);
            uint256 id = uint256(uint160(account));
            if (handler.isRecovered(account)) {
                try pool.ownerOf(id) returns (address owner) {
                    assertEq(owner, address(0), "a recovered-away soul has no owner");
                } catch (bytes memory reason) {
                    assertEq(reason, abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id));
                }
            } else {
                assertEq(pool.ownerOf(id), account, "ownerOf(id) == address(id)");
                assertEq(pool.balanceOf(account), 1, "one soul");
            }
        }
    }

    /// @dev At the latest moments reputation changed (that are now in the past), the past total supply is the sum
    /// of the known accounts' past votes.
    function _assertPastTotalSupplyIsSumOfPastVotes() internal view {
        uint256 count = handler.timepointCount();
        uint256 n = handler.accountCount();
        for (uint256 k = count > 4 ? count - 4 : 0; k < count; ++k) {
            uint256 t = handler.timepoints(k);
            if (t >= block.timestamp) continue;
            uint256 sum = 0;
            for (uint256 i = 0; i < n; ++i) sum += pool.getPastVotes(handler.accounts(i), t);
            assertEq(pool.getPastTotalSupply(t), sum, "getPastTotalSupply == sum of getPastVotes");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                THE MODEL
    //////////////////////////////////////////////////////////////*/

    /// @dev Every call succeeded or reverted exactly when the model said it would.
    function _assertEveryOutcomeAsPredicted() internal view {
        assertEq(handler.ghostUnexpected(), 0, handler.lastUnexpected());
    }
}

contract EpochRewardsInvariantTest is EpochRewardsInvariantBase {
    function _deployToken() internal override returns (IMintableToken, uint256) {
        return (IMintableToken(address(new MockERC20("Reward", "RWD", 18))), 0);
    }

    /// @dev §5.1: for every epoch claimed <= total; reserved + available == balance (less plain transfers).
    function invariant_ClaimedAtMostTotal_ReservedPlusAvailableIsTheBalance() public view {
        _assertClaimedAtMostTotal();
        _assertReservedPlusAvailableIsTheBalance();
    }

    /// @dev §5.2: a leaf is paid at most once, exactly its amount to its account; payments == Σ claimed.
    function invariant_LeavesPaidAtMostOnceAndExactly() public view {
        _assertLeavesPaidAtMostOnceAndExactly();
    }

    /// @dev §5.3: a root never changes after claimableAt; a vetoed epoch pays nothing.
    function invariant_RootsFixedOnceClaimable_VetoedEpochPaysNothing() public view {
        _assertRootsFixedOnceClaimable_VetoedPaysNothing();
    }

    /// @dev §5.4: reputation only through claims of newer epochs and recovery; souls never transfer.
    function invariant_ReputationFollowsClaimsAndRecovery_SoulsNeverMove() public view {
        _assertReputationFollowsNewestClaimOrRecovery();
        _assertPastTotalSupplyIsSumOfPastVotes();
        _assertSoulsNeverMove();
    }

    function invariant_EveryOutcomeAsPredicted() public view {
        _assertEveryOutcomeAsPredicted();
    }
}

/// @notice The same invariants with a token that burns 1% of every transfer, checked together in one campaign
/// (each invariant function is its own campaign, so this keeps the run short).
contract EpochRewardsFeeTokenInvariantTest is EpochRewardsInvariantBase {
    function _deployToken() internal override returns (IMintableToken, uint256) {
        return (IMintableToken(address(new FeeOnTransferToken(100))), 100);
    }

    function invariant_AllPropertiesHoldWithAFeeOnTransferToken() public view {
        _assertClaimedAtMostTotal();
        _assertReservedPlusAvailableIsTheBalance();
        _assertLeavesPaidAtMostOnceAndExactly();
        _assertRootsFixedOnceClaimable_VetoedPaysNothing();
        _assertReputationFollowsNewestClaimOrRecovery();
        _assertPastTotalSupplyIsSumOfPastVotes();
        _assertSoulsNeverMove();
        _assertEveryOutcomeAsPredicted();
    }
}

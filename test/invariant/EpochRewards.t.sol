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

/// @notice The project's invariants over random sequences of funding, donations, withdrawals, pipeline proposals
/// (some with malicious trees), vetoes, claims, batch claims, sweeps, recoveries, soul transfer attempts, pauses,
/// duration changes and warps (see `EpochRewardsHandler`):
/// 1. claimed <= total for every epoch; Σ live unswept (total - claimed) + available <= balance;
/// 2. a leaf is paid at most once, exactly its amount to its account;
/// 3. a root never changes once final; a vetoed epoch pays nothing;
/// 4. scores change only by claims of newer epochs, decay and recovery; souls never move;
/// 6. every score equals the model (the newest claimed leaf decayed to the final epoch), never above the pipeline;
/// 7. a pause never cuts a claim window, and no sweep comes before the window has run;
/// 8. at past timepoints Σ getPastVotes <= getPastTotalSupply, the difference being the model's unclaimed reputation.
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

        // Weights: proposals, claims and warps drive everything else, so they come more often.
        bytes4[] memory selectors = new bytes4[](24);
        selectors[0] = EpochRewardsHandler.fund.selector;
        selectors[1] = EpochRewardsHandler.donate.selector;
        selectors[2] = EpochRewardsHandler.withdraw.selector;
        selectors[3] = EpochRewardsHandler.propose.selector;
        selectors[4] = EpochRewardsHandler.propose.selector;
        selectors[5] = EpochRewardsHandler.propose.selector;
        selectors[6] = EpochRewardsHandler.veto.selector;
        selectors[7] = EpochRewardsHandler.sweep.selector;
        selectors[8] = EpochRewardsHandler.claim.selector;
        selectors[9] = EpochRewardsHandler.claim.selector;
        selectors[10] = EpochRewardsHandler.claim.selector;
        selectors[11] = EpochRewardsHandler.claimMany.selector;
        selectors[12] = EpochRewardsHandler.claimMany.selector;
        selectors[13] = EpochRewardsHandler.recoverSoul.selector;
        selectors[14] = EpochRewardsHandler.transferSoul.selector;
        selectors[15] = EpochRewardsHandler.pause.selector;
        selectors[16] = EpochRewardsHandler.unpause.selector;
        selectors[17] = EpochRewardsHandler.setDurations.selector;
        selectors[18] = EpochRewardsHandler.warp.selector;
        selectors[19] = EpochRewardsHandler.warp.selector;
        selectors[20] = EpochRewardsHandler.warp.selector;
        selectors[21] = EpochRewardsHandler.unpause.selector;
        selectors[22] = EpochRewardsHandler.pauseFor.selector;
        selectors[23] = EpochRewardsHandler.proposeWrongEpoch.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /*//////////////////////////////////////////////////////////////
                    1. CLAIMED <= TOTAL, SOLVENCY
    //////////////////////////////////////////////////////////////*/

    /// @dev Σ over live unswept epochs (total − claimed) + available() is the balance, less what was sent to the
    /// pool with plain transfers (never credited). A fee-on-transfer token changes nothing here: `fund` credits what
    /// arrived and the pool's balance falls by exactly what it sends.
    function _assertSolvent() internal view {
        uint256 latest = pool.latestEpoch();
        uint256 reserved = 0;
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            assertLe(v.claimed, v.total, "claimed <= total");
            (, , , bool swept) = handler.windowOf(e);
            if (!swept) reserved += v.total - v.claimed;
        }
        for (uint256 e = latest + 1; e <= handler.maxEpoch(); ++e) {
            assertEq(pool.getEpoch(e).claimed, 0, "a vetoed epoch has claimed nothing");
        }
        uint256 balance = token.balanceOf(address(pool));
        assertEq(pool.outstanding(), reserved, "outstanding() == sum over live unswept epochs");
        assertLe(reserved + pool.available(), balance, "reserved + available <= balance");
        assertEq(reserved + pool.available() + handler.ghostDonated(), balance, "== balance less plain transfers");
    }

    /*//////////////////////////////////////////////////////////////
                    2. A LEAF IS PAID ONCE, EXACTLY
    //////////////////////////////////////////////////////////////*/

    function _assertLeavesPaidOnceAndExactly() internal view {
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

        // Each live tree's claimed records are exactly the leaves paid (one leaf per account and epoch).
        for (uint256 e = 1; e <= latest; ++e) {
            uint256 t = handler.liveTree(e) - 1;
            uint256 leaves = handler.leavesOf(t);
            for (uint256 i = 0; i < leaves; ++i) {
                address account = handler.leafAt(t, i).account;
                assertEq(pool.isClaimed(e, account), handler.ghostPaidCount(t, i) == 1, "isClaimed == paid");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
            3. ROOTS FIXED ONCE FINAL, VETOED EPOCHS PAY NOTHING
    //////////////////////////////////////////////////////////////*/

    function _assertRootsFixed_VetoedPaysNothing() internal view {
        assertEq(handler.ghostRootChanged(), 0, "no root changed after claimableAt");
        assertEq(handler.ghostVetoedPaid(), 0, "no vetoed tree paid");
        uint256 latest = pool.latestEpoch();
        assertEq(latest, handler.latestEpoch(), "latestEpoch");
        for (uint256 e = 1; e <= latest; ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            (, bytes32 proposed, , , ) = handler.trees(handler.liveTree(e) - 1);
            assertEq(v.root, proposed, "root as proposed");
            if (block.timestamp >= v.claimableAt) assertEq(v.root, handler.ghostLockedRoot(e), "root as first final");
        }
        for (uint256 e = latest + 1; e <= handler.maxEpoch(); ++e) {
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            assertEq(uint256(v.state), uint256(IEpochRewards.EpochState.Vetoed), "vetoed");
            assertEq(v.root, bytes32(0), "a vetoed epoch has no root");
            assertEq(handler.ghostPaidPerEpoch(e), 0, "nothing paid from a vetoed epoch");
        }
    }

    /*//////////////////////////////////////////////////////////////
        4 + 6. SCORES FOLLOW CLAIMS, DECAY AND RECOVERY; SOULS STAY
    //////////////////////////////////////////////////////////////*/

    function _assertScoresFollowTheModel() internal view {
        assertEq(handler.ghostIllegalReputationChange(), 0, "scores moved only by claims, decay and recovery");
        uint256 finalEpoch = handler.finalEpochAt(block.timestamp);
        assertEq(pool.finalEpochAt(block.timestamp), finalEpoch, "finalEpochAt");
        uint256 n = handler.accountCount();
        uint256[] memory scores = new uint256[](n);
        uint256 souls = 0;
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.accounts(i);
            scores[i] = pool.getVotes(account);
            assertEq(scores[i], handler.modelScoreAt(account, block.timestamp), "getVotes == model");
            bool soul = handler.modelHasSoul(account);
            assertEq(pool.hasSoul(account), soul, "hasSoul");
            if (soul) ++souls;
            uint256 synced = handler.recoveredAway(account) ? 0 : handler.modelLastClaimed(account);
            assertEq(pool.lastSyncedEpoch(account), synced, "lastSyncedEpoch");
            if (!handler.inRecovery(account)) {
                uint256 pipeline = handler.pipelineOf(finalEpoch, account);
                assertLe(scores[i], pipeline, "no claims give a soul more than the pipeline figure");
                if (handler.newestLeafClaimed(account, finalEpoch)) {
                    assertEq(scores[i], pipeline, "newest leaf claimed: the score is the pipeline figure");
                }
            }
        }
        assertEq(pool.soulCount(), souls, "soulCount");
        uint256 supply = pool.totalReputation();
        assertEq(supply, finalEpoch == 0 ? 0 : handler.reputationTotalOf(finalEpoch), "total == committed total");
        _assertGap(finalEpoch, scores, supply);
    }

    function _assertSoulsNeverMove() internal view {
        assertEq(handler.ghostSoulMoved(), 0, "no soul transfer or approval succeeded");
        uint256 n = handler.mintedCount();
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.minted(i);
            uint256 id = uint256(uint160(account));
            if (handler.recoveredAway(account)) {
                try pool.ownerOf(id) returns (address) {
                    revert("a recovered-away soul has an owner");
                } catch (bytes memory reason) {
                    assertEq(reason, abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id));
                }
                assertEq(pool.balanceOf(account), 0, "no soul");
            } else {
                assertEq(pool.ownerOf(id), account, "ownerOf(id) == address(id)");
                assertEq(pool.balanceOf(account), 1, "one soul");
                assertTrue(pool.locked(id), "locked");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                7. PAUSES NEVER CUT A CLAIM WINDOW
    //////////////////////////////////////////////////////////////*/

    function _assertWindowsKept() internal view {
        assertEq(handler.ghostWindowCut(), 0, "no open leaf refused, no sweep before the window ran");
        assertEq(pool.paused(), handler.modelPaused(), "paused");
        assertEq(pool.pausedDuration(), handler.modelPausedTotal(), "pausedDuration");
        uint256 latest = pool.latestEpoch();
        for (uint256 e = 1; e <= latest; ++e) {
            (uint256 ran, uint256 length, uint256 endedAt, bool swept) = handler.windowOf(e);
            uint256 at = handler.claimableAt(e);
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            IEpochRewards.EpochState state;
            if (block.timestamp < at) state = IEpochRewards.EpochState.Challenge;
            else if (ran < length) state = IEpochRewards.EpochState.Claimable;
            else state = swept ? IEpochRewards.EpochState.Swept : IEpochRewards.EpochState.Expired;
            assertEq(uint256(v.state), uint256(state), "state from the window that ran");
            uint256 expiresAt = ran < length ? (block.timestamp > at ? block.timestamp : at) + length - ran : endedAt;
            assertEq(v.expiresAt, expiresAt, "expiresAt: the rest of the window if no pause follows");
        }
    }

    /*//////////////////////////////////////////////////////////////
            8. PAST SUPPLY = PAST VOTES + UNCLAIMED REPUTATION
    //////////////////////////////////////////////////////////////*/

    /// @dev At the latest recorded timepoints (and the second before each), and at one pseudo-random past time.
    function _assertPastSupplyCoversPastVotes() internal view {
        uint256 count = handler.timepointCount();
        for (uint256 k = count > 3 ? count - 3 : 0; k < count; ++k) {
            uint256 t = handler.timepoints(k);
            if (t < block.timestamp) _assertPastAt(t);
            if (t - 1 < block.timestamp) _assertPastAt(t - 1);
        }
        uint256 start = 1_700_000_000;
        if (block.timestamp > start) {
            uint256 r = uint256(keccak256(abi.encode(count, block.timestamp, handler.ghostPaid())));
            _assertPastAt(start + (r % (block.timestamp - start)));
        }
    }

    function _assertPastAt(uint256 t) internal view {
        uint256 finalEpoch = handler.finalEpochAt(t);
        assertEq(pool.finalEpochAt(t), finalEpoch, "past finalEpochAt");
        uint256 n = handler.accountCount();
        uint256[] memory scores = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.accounts(i);
            scores[i] = pool.getPastVotes(account, t);
            assertEq(scores[i], handler.modelScoreAt(account, t), "getPastVotes == model");
        }
        uint256 supply = pool.getPastTotalSupply(t);
        assertEq(supply, finalEpoch == 0 ? 0 : handler.reputationTotalOf(finalEpoch), "past supply == committed");
        _assertGap(finalEpoch, scores, supply);
    }

    /// @dev Σ votes <= supply, and supply − Σ votes == Σ over accounts (pipeline figure − model score): the
    /// decayed reputation of leaves not claimed, or that the chain does not reflect (recoveries: per family).
    function _assertGap(uint256 finalEpoch, uint256[] memory scores, uint256 supply) internal view {
        uint256 n = scores.length;
        uint256[] memory familyPipeline = new uint256[](n);
        uint256[] memory familyScore = new uint256[](n);
        uint256 votes = 0;
        for (uint256 i = 0; i < n; ++i) {
            address account = handler.accounts(i);
            uint256 family = handler.familyOf(account) - 1;
            familyPipeline[family] += finalEpoch == 0 ? 0 : handler.pipelineOf(finalEpoch, account);
            familyScore[family] += scores[i];
            votes += scores[i];
        }
        uint256 unclaimed = 0;
        for (uint256 f = 0; f < n; ++f) {
            assertLe(familyScore[f], familyPipeline[f], "no soul (or recovered pair) above the pipeline figure");
            unclaimed += familyPipeline[f] - familyScore[f];
        }
        assertLe(votes, supply, "sum of votes <= total supply");
        assertEq(supply - votes, unclaimed, "supply - votes == the model's unclaimed reputation");
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

    /// @dev 1 and 2: claimed <= total, solvency; each leaf paid once and exactly; and every outcome as predicted.
    function invariant_Solvent_LeavesPaidOnce_OutcomesAsPredicted() public view {
        _assertSolvent();
        _assertLeavesPaidOnceAndExactly();
        _assertEveryOutcomeAsPredicted();
    }

    /// @dev 3 and 7: roots fixed once final, vetoed epochs pay nothing; pauses never cut a window.
    function invariant_RootsFixed_VetoedPaysNothing_WindowsKept() public view {
        _assertRootsFixed_VetoedPaysNothing();
        _assertWindowsKept();
    }

    /// @dev 4, 6 and 8: scores follow the model now and in the past; supply covers votes; souls never move.
    function invariant_ScoresFollowTheModel_SupplyCoversVotes_SoulsNeverMove() public view {
        _assertScoresFollowTheModel();
        _assertPastSupplyCoversPastVotes();
        _assertSoulsNeverMove();
    }
}

/// @notice The same invariants with a token that burns 1% of every transfer, checked together in one campaign
/// (each invariant function is its own campaign, so this keeps the run short).
contract EpochRewardsFeeTokenInvariantTest is EpochRewardsInvariantBase {
    function _deployToken() internal override returns (IMintableToken, uint256) {
        return (IMintableToken(address(new FeeOnTransferToken(100))), 100);
    }

    function invariant_AllPropertiesHoldWithAFeeOnTransferToken() public view {
        _assertSolvent();
        _assertLeavesPaidOnceAndExactly();
        _assertRootsFixed_VetoedPaysNothing();
        _assertScoresFollowTheModel();
        _assertPastSupplyCoversPastVotes();
        _assertSoulsNeverMove();
        _assertWindowsKept();
        _assertEveryOutcomeAsPredicted();
    }
}

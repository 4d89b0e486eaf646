// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEpochRewards} from "../../contracts/interfaces/IEpochRewards.sol";
import {FuzzMerkle} from "../utils/FuzzMerkle.sol";
import {TreeStore} from "../utils/TreeStore.sol";
import {PoolFuzzBase} from "./PoolFuzzBase.sol";

/// @notice Invariant 7 on random sequences of pauses, unpauses, warps (some to the exact edge of a window),
/// proposals, duration changes, claims and sweeps: a pause never makes a leaf unclaimable that would have been
/// claimable without it. The test counts each epoch's window itself, in unpaused seconds after its claimableAt
/// (the brief: the time paused while an epoch is claimable is added to its expiry). While fewer than the epoch's
/// claim window have run, every unclaimed leaf can be claimed whenever the pool is not paused, and no sweep
/// succeeds, paused or not; once the window has run, the epoch is expired and can be swept, even while paused.
contract PauseWindowFuzzTest is PoolFuzzBase, TreeStore {
    uint32 internal constant SHORT_WINDOW = 1 days;

    struct EpochModel {
        uint256 claimableAt;
        uint256 window;
        // Unpaused seconds after claimableAt: how much of the window has run.
        uint256 ran;
        // When the window ended (0: it has not).
        uint256 endedAt;
        bool swept;
    }

    EpochModel[] internal epochs;
    /// @dev Each epoch's leaves and tree are stored under the epoch (TreeStore).
    mapping(uint256 epoch => mapping(uint256 position => bool)) internal claimed;
    bool internal paused;
    uint256 internal pausedTotal;
    uint32 internal challenge = CHALLENGE;
    uint32 internal window = SHORT_WINDOW;

    function setUp() public override {
        super.setUp();
        pool.setDurations(challenge, window);
    }

    function testFuzz_Pause_RandomSequences_KeepEveryWindow_NoEarlySweep(uint256 seed, uint256 steps) public {
        steps = bound(steps, 10, 48);
        _propose(seed);
        for (uint256 step = 0; step < steps; ++step) {
            uint256 r = _rand(seed, "step", step);
            uint256 kind = r % 10;
            if (kind <= 1) _togglePause(r >> 8);
            else if (kind == 2) _advance((r >> 8) % 600);
            else if (kind == 3) _advance((r >> 8) % (2 * uint256(SHORT_WINDOW)));
            else if (kind == 4) _warpToEdge(r >> 8);
            else if (kind == 5) _proposeOrRevert(r >> 8);
            else if (kind == 6) _setDurations(r >> 8);
            else if (kind == 7) _sweep(((r >> 8) % epochs.length) + 1);
            else _claim(((r >> 8) % epochs.length) + 1, r >> 16);
            _checkViews();
        }

        // The end: resume, make every epoch final, then (soonest window end first) each epoch's leaves are still
        // claimable at the last second of its window, and the epoch can be swept only once the window is over.
        if (paused) _togglePause(1);
        uint256 lastClaimableAt = epochs[epochs.length - 1].claimableAt;
        if (block.timestamp < lastClaimableAt) _advance(lastClaimableAt - block.timestamp);
        bool[] memory done = new bool[](epochs.length);
        for (;;) {
            uint256 next = 0;
            uint256 rest = type(uint256).max;
            for (uint256 e = 1; e <= epochs.length; ++e) {
                EpochModel memory m = epochs[e - 1];
                if (!done[e - 1] && m.ran < m.window && m.window - m.ran < rest) (next, rest) = (e, m.window - m.ran);
            }
            if (next == 0) break;
            done[next - 1] = true;
            _advance(rest - 1);
            for (uint256 p = 0; p < _storedLeaves[next].length; ++p) _claim(next, p);
            for (uint256 p = 0; p < _storedLeaves[next].length; ++p)
                assertTrue(claimed[next][p], "claimable to the end");
            _sweep(next);
            _checkViews();
        }
        for (uint256 e = 1; e <= epochs.length; ++e) {
            EpochModel memory m = epochs[e - 1];
            if (m.ran < m.window) _advance(m.window - m.ran);
            _sweep(e);
            assertTrue(epochs[e - 1].swept, "swept once its window is over");
        }
        _checkViews();
    }

    /// @dev The pause flag freezes every window still running, whatever happened before: pause and unpause at
    /// random times around an epoch's claimableAt and expiry, then the epoch has exactly its window left.
    function testFuzz_Pause_AroundClaimableAtAndExpiry_AddsOnlyPausedClaimableTime(
        uint256 pauseAt,
        uint256 pauseFor
    ) public {
        _propose(pauseAt);
        EpochModel memory m = epochs[0];
        // Pause anywhere from the proposal to just past the expiry, for up to two windows.
        _advance(bound(pauseAt, 0, m.claimableAt + m.window + 10 - block.timestamp));
        _togglePause(1);
        _advance(bound(pauseFor, 0, 2 * uint256(SHORT_WINDOW)));
        _togglePause(1);
        _checkViews();
        m = epochs[0];
        if (m.ran < m.window) {
            if (block.timestamp < m.claimableAt) _advance(m.claimableAt - block.timestamp);
            _advance(epochs[0].window - epochs[0].ran - 1);
            _sweep(1);
            _claim(1, 0);
            assertTrue(claimed[1][0], "claimable in the last second of the window");
            _advance(1);
        }
        _sweep(1);
        assertTrue(epochs[0].swept, "swept once the window is over");
    }

    /// @dev While paused, a claim (alone or in a batch) of an epoch open when the pause began (in its challenge
    /// period or claimable) reverts `EnforcedPause()`; one of an epoch whose window had ended before the pause
    /// reverts `EpochExpired` with the expiry, as `IEpochRewards` documents (the pause changes nothing for it).
    function testFuzz_Pause_ClaimWhilePaused_RevertsEnforcedPauseUnlessExpiredBefore(
        uint256 pauseAt,
        uint256 pauseFor
    ) public {
        _propose(pauseAt);
        EpochModel memory m = epochs[0];
        _advance(bound(pauseAt, 0, m.claimableAt + 2 * m.window - block.timestamp));
        _togglePause(1);
        _advance(bound(pauseFor, 0, 2 * uint256(SHORT_WINDOW)));
        m = epochs[0];
        bytes memory expected =
            m.ran < m.window
                ? abi.encodeWithSelector(IEpochRewards.EnforcedPause.selector)
                : abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, 1, m.endedAt);
        (FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) = _storedLeaf(1, 0);
        vm.expectRevert(expected);
        _claim(1, leaf, proof);
        IEpochRewards.Claim[] memory batch = new IEpochRewards.Claim[](1);
        batch[0] = _claimOf(1, leaf, proof);
        vm.expectRevert(expected);
        pool.claimMany(batch);
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Moves time by `dt`, counting for each epoch the window that ran (not paused, after claimableAt).
    function _advance(uint256 dt) internal {
        uint256 t0 = block.timestamp;
        uint256 t1 = t0 + dt;
        if (!paused) {
            for (uint256 i = 0; i < epochs.length; ++i) {
                EpochModel storage m = epochs[i];
                if (t1 <= m.claimableAt) continue;
                uint256 start = t0 > m.claimableAt ? t0 : m.claimableAt;
                if (m.ran < m.window && m.ran + (t1 - start) >= m.window) m.endedAt = start + (m.window - m.ran);
                m.ran += t1 - start;
            }
        } else {
            pausedTotal += dt;
        }
        vm.warp(t1);
    }

    /// @dev To an epoch's claimableAt, or (when not paused) to the last second of its window or just past it.
    function _warpToEdge(uint256 r) internal {
        EpochModel memory m = epochs[r % epochs.length];
        if (block.timestamp < m.claimableAt) {
            _advance(m.claimableAt - block.timestamp);
        } else if (!paused) {
            uint256 target = m.window - 1 + ((r >> 8) % 3);
            if (target > m.ran) _advance(target - m.ran);
        }
    }

    function _togglePause(uint256 r) internal {
        if (r % 5 == 0) {
            // The wrong one for the current state reverts.
            vm.expectRevert(paused ? IEpochRewards.EnforcedPause.selector : IEpochRewards.ExpectedPause.selector);
            if (paused) pool.pause();
            else pool.unpause();
            return;
        }
        if (paused) pool.unpause();
        else pool.pause();
        paused = !paused;
        assertEq(pool.paused(), paused, "paused()");
    }

    function _proposeOrRevert(uint256 r) internal {
        if (paused) {
            FuzzMerkle.Leaf[] memory leaves = _leaves(r);
            uint256 next = epochs.length + 1;
            vm.expectRevert(IEpochRewards.EnforcedPause.selector);
            pool.proposeEpoch(next, FuzzMerkle.root(FuzzMerkle.levels(leaves)), 1, 0, bytes32(0), "");
        } else if (epochs.length < 8) {
            _propose(r);
        }
    }

    function _propose(uint256 r) internal {
        FuzzMerkle.Leaf[] memory leaves = _leaves(r);
        uint256 claimableAt = block.timestamp + challenge;
        if (epochs.length != 0 && epochs[epochs.length - 1].claimableAt > claimableAt) {
            claimableAt = epochs[epochs.length - 1].claimableAt;
        }
        (uint256 epoch, bytes32[][] memory tree) = _propose(leaves, _sum(leaves), 0);
        epochs.push(EpochModel(claimableAt, window, 0, 0, false));
        assertEq(epoch, epochs.length, "epoch number");
        IEpochRewards.EpochView memory v = pool.getEpoch(epoch);
        assertEq(v.claimableAt, claimableAt, "claimableAt = max(now + challenge, previous claimableAt)");
        assertEq(v.expiresAt, claimableAt + window, "expiresAt at the proposal");
        _storeTree(epoch, leaves, tree);
    }

    /// @dev 1..3 leaves of distinct accounts, each paying something.
    function _leaves(uint256 r) internal view returns (FuzzMerkle.Leaf[] memory leaves) {
        leaves = new FuzzMerkle.Leaf[](1 + (r % 3));
        for (uint256 i = 0; i < leaves.length; ++i) {
            leaves[i] = FuzzMerkle.Leaf(i, _account(epochs.length, i), 1 + (_rand(r, i) % 1e24), 0);
        }
    }

    /// @dev New durations for later proposals (a shorter challenge makes claimableAt = the previous one's).
    function _setDurations(uint256 r) internal {
        challenge = uint32(r % (2 * uint256(CHALLENGE)));
        window = uint32(SHORT_WINDOW + ((r >> 32) % SHORT_WINDOW));
        pool.setDurations(challenge, window);
    }

    function _claim(uint256 epoch, uint256 r) internal {
        uint256 n = _storedLeaves[epoch].length;
        uint256 position = r % n;
        for (uint256 i = 0; i < n && claimed[epoch][position]; ++i) position = (position + 1) % n;
        if (claimed[epoch][position]) return;
        (FuzzMerkle.Leaf memory leaf, bytes32[] memory proof) = _storedLeaf(epoch, position);
        EpochModel memory m = epochs[epoch - 1];

        if (paused) {
            if (m.ran < m.window) {
                vm.expectRevert(IEpochRewards.EnforcedPause.selector);
                _claim(epoch, leaf, proof);
            } else {
                // Expired before the pause began: the pause changes nothing for it (IEpochRewards).
                vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, epoch, m.endedAt));
                _claim(epoch, leaf, proof);
            }
        } else if (block.timestamp < m.claimableAt) {
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochInChallenge.selector, epoch, m.claimableAt));
            _claim(epoch, leaf, proof);
        } else if (m.ran < m.window) {
            // Within the window: the claim pays, whatever pauses came before.
            uint256 before = token.balanceOf(leaf.account);
            _claim(epoch, leaf, proof);
            assertEq(token.balanceOf(leaf.account) - before, leaf.amount, "paid within the window");
            claimed[epoch][position] = true;
        } else {
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochExpired.selector, epoch, m.endedAt));
            _claim(epoch, leaf, proof);
        }
    }

    function _sweep(uint256 epoch) internal {
        EpochModel storage m = epochs[epoch - 1];
        if (m.ran < m.window) {
            // Paused or not: never before the window has run in full. The error names the expiry if the pool is
            // not paused from now on.
            uint256 expiry = (block.timestamp > m.claimableAt ? block.timestamp : m.claimableAt) + m.window - m.ran;
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochNotExpired.selector, epoch, expiry));
            pool.sweep(epoch);
        } else if (m.swept) {
            vm.expectRevert(abi.encodeWithSelector(IEpochRewards.EpochAlreadySwept.selector, epoch));
            pool.sweep(epoch);
        } else {
            uint256 available = pool.available();
            pool.sweep(epoch);
            m.swept = true;
            assertEq(pool.available(), available + pool.getEpoch(epoch).total - pool.getEpoch(epoch).claimed);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                CHECKS
    //////////////////////////////////////////////////////////////*/

    function _checkViews() internal view {
        assertEq(pool.pausedDuration(), pausedTotal, "pausedDuration");
        assertEq(pool.paused(), paused, "paused");
        for (uint256 e = 1; e <= epochs.length; ++e) {
            EpochModel memory m = epochs[e - 1];
            IEpochRewards.EpochView memory v = pool.getEpoch(e);
            if (block.timestamp < m.claimableAt) {
                assertEq(uint256(v.state), uint256(IEpochRewards.EpochState.Challenge), "in challenge");
            } else if (m.ran < m.window) {
                assertEq(uint256(v.state), uint256(IEpochRewards.EpochState.Claimable), "the window still runs");
            } else {
                IEpochRewards.EpochState over =
                    m.swept ? IEpochRewards.EpochState.Swept : IEpochRewards.EpochState.Expired;
                assertEq(uint256(v.state), uint256(over), "the window is over");
            }
            // The expiry if the pool is not paused from now on: the rest of the window from now (or from
            // claimableAt), or when the window ended.
            uint256 expiresAt =
                m.ran < m.window
                    ? (block.timestamp > m.claimableAt ? block.timestamp : m.claimableAt) + m.window - m.ran
                    : m.endedAt;
            assertEq(v.expiresAt, expiresAt, "expiresAt");
        }
    }
}

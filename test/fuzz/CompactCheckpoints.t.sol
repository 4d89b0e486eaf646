// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {CompactCheckpoints} from "../../contracts/libraries/CompactCheckpoints.sol";
import {CheckpointsHarness} from "./CheckpointsHarness.sol";

/// @notice `CompactCheckpoints` replaces OpenZeppelin's `Checkpoints.Trace208` for the voting history, so every
/// lookup must return what OpenZeppelin's `upperLookup` returns for the same (non-decreasing) writes.
/// Keys start at 1: the library uses key 0 as "no checkpoint" (block timestamps are never 0).
contract CompactCheckpointsFuzzTest is Test {
    CheckpointsHarness internal harness;

    /// @dev Every key written so far, in order (repeats included).
    uint32[] internal written;

    function setUp() public {
        harness = new CheckpointsHarness();
    }

    /*//////////////////////////////////////////////////////////////
                        STRUCTURED RANDOM SEQUENCES
    //////////////////////////////////////////////////////////////*/

    /// @dev Sequences that mix same-key rewrites, adjacent keys and large gaps, with repeated, zero and maximal
    /// values, then probes every written key, its neighbours, keys before the first checkpoint and random keys.
    function testFuzz_UpperLookup_MatchesOpenZeppelin(uint256 seed, uint256 count) public {
        count = bound(count, 1, 80);
        uint32 key = uint32(bound(_rand(seed, "start"), 1, 1_000));
        uint64 value;
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = _rand(seed, i);
            if (i != 0) key = _nextKey(key, r);
            value = _nextValue(value, r >> 128);
            uint32 tag = uint32(r >> 64);
            harness.push(key, value, tag);
            written.push(key);

            // The newest value and the tag are visible right away.
            assertEq(harness.compactLatest(), harness.referenceLatest(), "latest");
            assertEq(harness.compactHead().tag, tag, "tag survives the push");
            _assertSameAt(key);
            _assertSameAt(key - 1);
        }

        _assertSameStructure();
        _assertSameAt(0);
        _assertSameAt(type(uint32).max);
        for (uint256 i = 0; i < written.length; ++i) {
            _assertSameAt(written[i] - 1);
            _assertSameAt(written[i]);
            _assertSameAt(written[i] == type(uint32).max ? written[i] : written[i] + 1);
        }
        for (uint256 i = 0; i < 32; ++i) {
            _assertSameAt(uint32(bound(_rand(seed, i + 1_000), 0, uint256(key) + 10)));
        }
    }

    /// @dev Raw fuzzer input: arbitrary key deltas (0 = same key), values and probe keys.
    function testFuzz_UpperLookup_MatchesOpenZeppelin_RawInputs(
        uint32 firstKey,
        uint16[] calldata deltas,
        uint64[] calldata values,
        uint32[] calldata probes
    ) public {
        uint256 n = deltas.length < values.length ? deltas.length : values.length;
        vm.assume(n != 0);
        uint32 key = uint32(bound(firstKey, 1, type(uint32).max - uint256(type(uint16).max) * n));
        for (uint256 i = 0; i < n; ++i) {
            if (i != 0) key += deltas[i];
            harness.push(key, values[i], 0);
            written.push(key);
        }
        _assertSameStructure();
        for (uint256 i = 0; i < probes.length; ++i) _assertSameAt(probes[i]);
        for (uint256 i = 0; i < written.length; ++i) {
            _assertSameAt(written[i] - 1);
            _assertSameAt(written[i]);
        }
    }

    /// @dev Many writes at one key leave a single checkpoint holding the last value.
    function testFuzz_UpperLookup_SameKeyRewrites(uint32 key, uint64[] calldata values) public {
        vm.assume(values.length != 0);
        key = uint32(bound(key, 1, type(uint32).max - 1));
        for (uint256 i = 0; i < values.length; ++i) harness.push(key, values[i], 0);
        assertEq(harness.referenceLength(), 1, "one reference checkpoint");
        assertEq(harness.compactHead().prevSince, 0, "no previous checkpoint");
        assertEq(harness.compactHead().historyLength, 0, "no history");
        _assertSameAt(key - 1);
        _assertSameAt(key);
        _assertSameAt(key + 1);
        assertEq(harness.compactLookup(key), values[values.length - 1], "last value wins");
        assertEq(harness.compactLookup(key - 1), 0, "zero before the first checkpoint");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _assertSameAt(uint32 probe) internal view {
        assertEq(
            harness.compactLookup(probe),
            harness.referenceLookup(probe),
            string.concat("upperLookup(", vm.toString(probe), ")")
        );
    }

    /// @dev The compact trace holds the same checkpoints as the reference: the two newest in the head, the older
    /// ones in the history, in order.
    function _assertSameStructure() internal view {
        uint256 length = harness.referenceLength();
        CompactCheckpoints.Head memory h = harness.compactHead();
        uint256 history = length > 2 ? length - 2 : 0;
        assertEq(h.historyLength, history, "history length");
        (uint48 lastKey, uint208 lastValue) = harness.referenceAt(uint32(length - 1));
        assertEq(h.since, lastKey, "head key");
        assertEq(h.value, lastValue, "head value");
        if (length > 1) {
            (uint48 prevKey, uint208 prevValue) = harness.referenceAt(uint32(length - 2));
            assertEq(h.prevSince, prevKey, "previous key");
            assertEq(h.prevValue, prevValue, "previous value");
        } else {
            assertEq(h.prevSince, 0, "no previous key");
        }
        for (uint256 i = 0; i < history; ++i) {
            (uint32 k, uint64 v) = harness.compactHistoryAt(i);
            (uint48 rk, uint208 rv) = harness.referenceAt(uint32(i));
            assertEq(k, rk, "history key");
            assertEq(v, rv, "history value");
        }
    }

    /// @dev Same key a quarter of the time, the next key a quarter, a small or a large gap otherwise.
    function _nextKey(uint32 key, uint256 r) internal pure returns (uint32) {
        uint256 kind = r % 4;
        uint256 step;
        if (kind == 0) step = 0;
        else if (kind == 1) step = 1;
        else if (kind == 2) step = 2 + ((r >> 8) % 30);
        else step = (r >> 8) % 10_000_000;
        uint256 next = uint256(key) + step;
        return next > type(uint32).max ? type(uint32).max : uint32(next);
    }

    /// @dev The same value again, zero, the maximum, a small or an arbitrary value.
    function _nextValue(uint64 previous, uint256 r) internal pure returns (uint64) {
        uint256 kind = r % 5;
        if (kind == 0) return previous;
        if (kind == 1) return 0;
        if (kind == 2) return type(uint64).max;
        if (kind == 3) return uint64((r >> 8) % 100);
        return uint64(r >> 8);
    }

    function _rand(uint256 seed, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }

    function _rand(uint256 seed, string memory salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }
}

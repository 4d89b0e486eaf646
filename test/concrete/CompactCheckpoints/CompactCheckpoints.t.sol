// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {CompactCheckpoints} from "../../../contracts/libraries/CompactCheckpoints.sol";

/// @dev Exposes one trace of the library.
contract CompactCheckpointsHarness {
    using CompactCheckpoints for CompactCheckpoints.Trace;

    CompactCheckpoints.Trace private _trace;

    function push(uint32 key, uint64 value) external {
        CompactCheckpoints.Head memory h = _trace.load();
        _trace.push(h, key, value);
        _trace.store(h);
    }

    function head() external view returns (CompactCheckpoints.Head memory) {
        return _trace.load();
    }

    function historyAt(uint256 index) external view returns (uint32 key, uint64 value) {
        return _trace.historyAt(index);
    }

    function upperLookup(uint32 key) external view returns (uint64) {
        return _trace.upperLookup(key);
    }
}

contract CompactCheckpoints_Concrete_Test is Test {
    CompactCheckpointsHarness private trace;

    function setUp() external {
        trace = new CompactCheckpointsHarness();
    }

    function test_Push_WhenKeyEqualsTheLatest_ItShouldOverwriteInPlace() external {
        trace.push(10, 1);
        trace.push(20, 2);
        trace.push(20, 3);
        CompactCheckpoints.Head memory h = trace.head();
        assertEq(h.since, 20);
        assertEq(h.value, 3);
        assertEq(h.prevSince, 10);
        assertEq(h.prevValue, 1);
        assertEq(h.historyLength, 0);
    }

    function test_Push_GivenFewerThanTwoCheckpoints_ItShouldKeepThemInTheHead() external {
        trace.push(10, 1);
        assertEq(trace.head().historyLength, 0);
        trace.push(20, 2);
        assertEq(trace.head().historyLength, 0);
        assertEq(trace.head().prevSince, 10);
    }

    function test_Push_GivenTwoCheckpoints_ItShouldAppendTheOlderToHistory() external {
        for (uint32 i = 1; i <= 5; ++i) {
            trace.push(i * 10, i);
        }
        CompactCheckpoints.Head memory h = trace.head();
        assertEq(h.historyLength, 3);
        assertEq(h.since, 50);
        assertEq(h.prevSince, 40);
        // Tag bits stay untouched by pushes.
        assertEq(h.tag, 0);
    }

    function test_HistoryAt_ItShouldReturnTheHistoryOldestFirst() external {
        for (uint32 i = 1; i <= 6; ++i) {
            trace.push(i * 10, uint64(i) * 1000);
        }
        assertEq(trace.head().historyLength, 4);
        for (uint256 i = 0; i < 4; ++i) {
            (uint32 key, uint64 value) = trace.historyAt(i);
            assertEq(key, (i + 1) * 10);
            assertEq(value, (i + 1) * 1000);
        }
    }

    function test_UpperLookup_ItShouldReturnTheLatestValueAtOrBefore() external {
        assertEq(trace.upperLookup(0), 0);
        assertEq(trace.upperLookup(type(uint32).max), 0);
        for (uint32 i = 1; i <= 7; ++i) {
            trace.push(i * 10, uint64(i) * 1000);
        }
        assertEq(trace.upperLookup(9), 0);
        for (uint32 i = 1; i <= 7; ++i) {
            assertEq(trace.upperLookup(i * 10), uint64(i) * 1000);
            assertEq(trace.upperLookup(i * 10 + 9), uint64(i) * 1000);
        }
        assertEq(trace.upperLookup(type(uint32).max), 7000);
    }
}

"""``sieve run`` keeps Prefect's flow-run heartbeats but does not wait for their thread when the flow ends."""

from __future__ import annotations

import threading

import pytest

from flows.heartbeats import heartbeats_not_joined, joinable_heartbeats


def _heartbeat_threads() -> list[threading.Thread]:
    """Live threads running Prefect's heartbeat loop (started as ``Context.run(heartbeat_loop)``)."""
    return [t for t in threading.enumerate()
            if any(getattr(a, "__name__", "") == "heartbeat_loop" for a in getattr(t, "_args", ()))]


def _run_tiny_flow() -> int:
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    @flow(name="heartbeat-probe")
    def probe() -> int:
        return 7

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30}):
        return probe()


def test_this_prefect_has_the_switch():
    # The pinned Prefect has it; a release without it would cost every run up to 1 s again, silently.
    assert joinable_heartbeats()


def test_prefect_joins_the_heartbeat_thread_by_default(prefect_harness):
    # What the wrapper is for: left alone, the flow returns only after its heartbeat thread has ended.
    assert _run_tiny_flow() == 7
    assert _heartbeat_threads() == []


def test_flow_returns_while_the_heartbeat_thread_ends_on_its_own(prefect_harness):
    before = set(_heartbeat_threads())
    with heartbeats_not_joined():
        assert _run_tiny_flow() == 7
        left = [t for t in _heartbeat_threads() if t not in before]
    assert len(left) == 1, "the flow waited for its heartbeat thread"
    left[0].join(timeout=3)  # stopped by the flow's end: it notices at its next 1 s step
    assert not left[0].is_alive()


def test_the_engine_is_restored_after_the_block(prefect_harness):
    from prefect import flow_engine

    original = flow_engine._send_heartbeats
    with pytest.raises(RuntimeError), heartbeats_not_joined():
        assert flow_engine._send_heartbeats is not original
        raise RuntimeError("a failed run")
    assert flow_engine._send_heartbeats is original


def test_overlapping_blocks_restore_prefects_own_function():
    # Blocks of two threads that end in the order they began: the first one's end must not put Prefect's function
    # back while the second is open, and the second's must not put the first one's wrapper back for good.
    from prefect import flow_engine

    original = flow_engine._send_heartbeats
    first, second = heartbeats_not_joined(), heartbeats_not_joined()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert flow_engine._send_heartbeats is not original  # the second block is still open
    second.__exit__(None, None, None)
    assert flow_engine._send_heartbeats is original

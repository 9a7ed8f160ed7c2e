"""``sieve run`` when Prefect's API goes away mid-run, and a stop that is asked for twice.

The API is the session's real Prefect server behind a TCP forwarder (``tests/tcp_proxy.py``) that the test switches
off once the flow has recorded its run: to the CLI the server is gone, as after a crash or a restart.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from tasks import provenance
from tasks.lake import Lake
from tests.conftest import SIEVE, cli_env, plumbing_config
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow


def _corpus(tmp_path, n):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables of the bay"}) + "\n" for i in range(n)))
    return src


def _wait_for_run_row(lake, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while not list((lake / "provenance" / "runs").glob("run=*/part-*.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)


def test_an_api_gone_mid_run_leaves_a_completed_run_and_a_cli_that_ends(tmp_path, prefect_harness):
    # Before: the data and provenance were complete, then the CLI waited for Prefect's queued events at exit with no
    # time limit (about 7 s each, hundreds of them: 25 min measured) and reported the run as failed.
    # one retry per API call (2 s) instead of Prefect's five (about 62 s): the same path, a test-sized wait
    env, proxy = _behind_proxy(retries=1)
    lake = tmp_path / "lake"
    cmd = [*SIEVE, "run", str(_corpus(tmp_path, 20000)), "--lake", str(lake),
           "--config", plumbing_config(tmp_path / "s.yaml"), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        _wait_for_run_row(lake, proc)
        proxy.stop()
        out, err = proc.communicate(timeout=120)
    finally:
        proxy.stop()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["counts"]["clean"] == 20000 and summary["prefect_error"]
    assert "Prefect could not record the flow run's end" in err or "did not take this run's events" in err, err
    assert "Traceback" not in err and "EventsWorker" not in err  # one line each, not Prefect's event dumps
    assert [r["status"] for r in provenance.run_history(Lake(lake), "default")] == ["completed"]


def _start(tmp_path, env):
    lake = tmp_path / "lake"
    cmd = [*SIEVE, "run", str(_corpus(tmp_path, 20000)), "--lake", str(lake),
           "--config", plumbing_config(tmp_path / "s.yaml"), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _wait_for_run_row(lake, proc)
    return proc, lake


def _behind_proxy(retries: int) -> tuple[dict[str, str], TcpProxy]:
    """A CLI environment whose Prefect API is the session's server behind a forwarder the test can switch off."""
    env = cli_env()
    proxy = TcpProxy(urlsplit(env["PREFECT_API_URL"]).port).start()
    env.update(PREFECT_API_URL=f"http://127.0.0.1:{proxy.port}/api", PREFECT_CLIENT_MAX_RETRIES=str(retries))
    return env, proxy


def test_a_second_ctrl_c_ends_the_run_at_once(tmp_path, run_sieve):
    # The first signal's orderly stop reports the crash to Prefect's API: with the API gone it retries (up to the
    # forced exit, FORCE_AFTER later), so the second signal surely comes during it. Against a live API the stop
    # took under 0.5 s once flow runs stopped waiting for their heartbeat thread, and the second signal came after
    # the process had ended (a test that passed or failed on timing).
    env, proxy = _behind_proxy(retries=4)
    try:
        proc, lake = _start(tmp_path, env)
        proxy.stop()
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)  # two signals in a row before the handler runs are one to Python
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proxy.stop()
    assert proc.returncode == 130, err
    assert "sieve: interrupted: stopped at once (signal received twice)" in err, err
    # the next run of the dataset is not blocked by what the forced exit left: a killed run's row is closed (the
    # same flow as `sieve run`, in this process: what is tested is the lake the forced exit left)
    rerun = run_sieve([tmp_path / "a.jsonl"], lake, "default", config=tmp_path / "s.yaml")
    assert rerun["counts"]["clean"] == 20000
    assert "completed" in [r["status"] for r in provenance.run_history(Lake(lake), "default")]


def test_sigterm_with_the_api_gone_ends_within_the_forced_exit_delay(tmp_path, prefect_harness):
    # Prefect reports the crash to its API before handing SIGTERM on, retrying each call (4 retries here: 30 s);
    # the flow arms the forced exit when the signal stops it, so the process ends FORCE_AFTER (10 s) later.
    from flows.shutdown import FORCE_AFTER

    env, proxy = _behind_proxy(retries=4)
    try:
        proc, lake = _start(tmp_path, env)
        proxy.stop()
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=120)
        took = time.monotonic() - sent
    finally:
        proxy.stop()
    assert proc.returncode == 143, err
    assert took < FORCE_AFTER + 12, (took, err)
    assert [r["status"] for r in provenance.run_history(Lake(lake), "default")] == ["failed"]

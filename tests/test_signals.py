"""``sieve run`` stopped by SIGTERM (``kill``, ``timeout``, systemd, ``docker stop``) ends as Ctrl+C does."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tasks import provenance
from tasks.lake import Lake
from tests.conftest import SIEVE, cli_env, plumbing_config

pytestmark = pytest.mark.slow


def test_sigterm_mid_run_says_terminated_and_exits_143(tmp_path, prefect_harness):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables of the bay"}) + "\n"
                           for i in range(20000)))
    lake = tmp_path / "lake"
    cmd = [*SIEVE, "run", str(src), "--lake", str(lake), "--config", plumbing_config(tmp_path / "s.yaml"), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    deadline = time.monotonic() + 60
    while not list((lake / "provenance" / "runs").glob("run=*/part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the flow has recorded the run: the signal lands mid-run, not during start-up
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1].startswith("sieve: terminated (SIGTERM)"), err
    assert "Traceback" not in err and "resource_tracker" not in err
    # the run is recorded as failed (an interrupted first run has no catalog yet: read the runs Parquet)
    assert [r["status"] for r in provenance.run_history(Lake(lake), "default")] == ["failed"]
    import duckdb  # the row says how the run ended (it said only 'TerminationSignal: ')

    runs = str(lake / "provenance" / "runs" / "*" / "*.parquet")
    with duckdb.connect() as con:  # its own connection: the module-wide default one may hold another result
        assert con.execute(f"SELECT error FROM read_parquet('{runs}')").fetchall() == [("terminated (SIGTERM)",)]


def test_a_worker_killed_mid_run_fails_the_run_in_one_line_that_says_so(tmp_path, prefect_harness):
    import os
    from pathlib import Path

    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables of the bay"}) + "\n"
                           for i in range(20000)))
    lake = tmp_path / "lake"
    cmd = [*SIEVE, "run", str(src), "--lake", str(lake), "--config", plumbing_config(tmp_path / "s.yaml"),
           "--workers", "1", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    deadline = time.monotonic() + 60
    while not (lake / "provenance" / "runs").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the run is recorded: its worker is busy with the shard
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):  # the run's children that are pool workers
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == proc.pid and \
                    b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                workers.append(int(stat.parent.name))
        except OSError:  # a process that has just exited
            continue
    assert workers
    os.kill(workers[0], signal.SIGKILL)  # as the OOM killer does
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert err.strip().splitlines() == [
        "sieve: error: run failed: a worker process died mid-shard (killed, or out of memory: see dmesg; fewer "
        "--workers or a smaller shards.target_bytes use less); the same command resumes the run"]

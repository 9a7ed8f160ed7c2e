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
    while not (lake / "provenance" / "runs").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # until the flow has recorded the run: the signal lands mid-run, not during start-up
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1].startswith("sieve: terminated (SIGTERM)"), err
    assert "Traceback" not in err and "resource_tracker" not in err
    # the run is recorded as failed (an interrupted first run has no catalog yet: read the runs Parquet)
    assert [r["status"] for r in provenance.run_history(Lake(lake), "default")] == ["failed"]

"""A quiet ``sieve run`` against a Prefect server: its run logs are in Prefect, none on the terminal."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import cli, plumbing_config, sql

pytestmark = pytest.mark.slow


def _logs(flow_run_id: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))


def test_a_quiet_run_sends_its_logs_to_the_server_and_none_to_the_terminal(tmp_path, prefect_harness):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables"}) + "\n" for i in range(5)))
    lake = tmp_path / "lake"
    # the harness's server is the API (cli_env sets PREFECT_API_URL) and PREFECT_LOGGING_LEVEL is left to the CLI
    out = cli("run", src, "--lake", lake, "--config", plumbing_config(tmp_path / "s.yaml"))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # as quiet as before: no "Beginning flow run", no "Finished in state"
    [(flow_run_id,)] = sql(lake, "SELECT flow_run_id FROM runs")
    deadline = time.monotonic() + 20
    while not (logs := _logs(flow_run_id)) and time.monotonic() < deadline:  # the server stores them as they come
        time.sleep(0.5)
    # PREFECT_LOGGING_LEVEL=CRITICAL dropped them at their loggers: the server had none of this run's logs
    messages = [log.message for log in logs]
    assert any(m.startswith("Beginning flow run") for m in messages), messages
    assert sum(m == "Finished in state Completed()" for m in messages) >= 4, messages  # its task runs too


def test_a_quiet_dask_run_sends_the_shards_logs_from_its_workers(tmp_path, prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"text": f"note {i} on the tide tables " + "x" * 300}) + "\n" for i in range(40)))
    lake = tmp_path / "lake"
    cfg = plumbing_config(tmp_path / "s.yaml", shards={"target_bytes": 4096})
    out = cli("run", src, "--lake", lake, "--config", cfg, "--task-runner", "dask", "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert "Finished in state" not in out.stderr  # the workers' terminal output stays quiet too
    [(flow_run_id,)] = sql(lake, "SELECT flow_run_id FROM runs")
    with get_client(sync_client=True) as client:
        shards = {t.id for t in client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))) if t.name.startswith("stage-shard")}
    assert len(shards) >= 2
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the server stores them as they come
        logged = {log.task_run_id for log in _logs(flow_run_id) if log.message == "Finished in state Completed()"}
        if shards <= logged:
            break
        time.sleep(0.5)
    # the shards ran in the Dask workers, which inherited the CLI's PREFECT_LOGGING_LEVEL=CRITICAL: none was logged
    assert shards <= logged, f"{len(shards - logged)} of {len(shards)} shard task runs without their logs"

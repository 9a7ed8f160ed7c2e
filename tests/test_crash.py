"""Crash safety: SIGKILL a run mid-way, rerun, and get exactly what an uninterrupted run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SIEVE, cli, cli_env, plumbing_config, sql
from tests.processes import alive, worker_pids

pytestmark = pytest.mark.slow

VOCAB = ("amber basket candle dragon ember falcon glacier harvest iris jasmine kettle lagoon marble nectar "
         "oyster pepper quartz ribbon saddle tulip umbrella velvet walnut yarrow zephyr anchor breeze "
         "cobalt drizzle estuary fennel granite hollow inlet juniper kelp lichen mosaic nutmeg").split()


def _corpus(path: Path, n: int) -> Path:
    with path.open("w") as f:
        for i in range(n):
            words = " ".join(VOCAB[(i * 13 + j * 7) % len(VOCAB)] for j in range(120 + i % 37))
            f.write(json.dumps({"id": i, "text": f"Entry {i % 900}. {words}"}) + "\n")  # ids >= 900 repeat text
    return path


def _start(src, lake, cfg):
    return subprocess.Popen([*SIEVE, "run", str(src), "--lake", str(lake), "--dataset", "web", "--config", str(cfg),
                             "--workers", "2", "--json"], cwd=ROOT, env=cli_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(pattern_root: Path, pattern: str, proc: subprocess.Popen, n: int, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(list(pattern_root.glob(pattern))) >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"run ended before it could be killed: {proc.stderr.read()[-2000:]}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {pattern}")


def _snapshot(lake: Path, run_id: str):
    docs = sql(lake, "SELECT doc_id, outcome, content_hash, source_record FROM documents WHERE run_id = ? ORDER BY 1",
               [run_id])
    clean = sql(lake, "SELECT doc_id, text, source_id FROM clean WHERE run_id = ? ORDER BY 1", [run_id])
    dups = sql(lake, "SELECT doc_id, duplicate_of FROM duplicates WHERE run_id = ? ORDER BY 1", [run_id])
    return docs, clean, dups


def test_sigkill_mid_run_then_rerun_matches_uninterrupted(tmp_path, run_sieve):
    src = _corpus(tmp_path / "corpus.jsonl", 1500)
    cfg = plumbing_config(tmp_path / "sieve.yaml", shards={"target_bytes": 48 * 1024, "batch_records": 200})
    lake = tmp_path / "lake"

    # 1. SIGKILL one worker process while shards are being staged: the pool breaks, the run fails.
    proc = _start(src, lake, cfg)
    _wait_for(lake / "_work" / "web" / "stage", "*/_SUCCESS.json", proc, 2)
    workers = sorted(worker_pids(proc.pid))
    assert workers, "no worker process found"
    os.kill(workers[0], signal.SIGKILL)
    assert proc.wait(timeout=300) != 0
    assert "a worker process died mid-shard" in proc.stderr.read()

    # 2. Rerun, and SIGKILL the whole process group (flow + workers) once routing has begun: nothing gets to clean up.
    proc = _start(src, lake, cfg)
    _wait_for(lake / "provenance" / "documents", "run=*/part-*.parquet", proc, 3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)

    # 3. Rerun to completion: it resumes the same run id and skips the staged shards.
    done = cli("run", src, "--lake", lake, "--dataset", "web", "--config", cfg, "--json")
    assert done.returncode == 0, done.stderr
    resumed = json.loads(done.stdout.strip().splitlines()[-1])
    assert resumed["shards_skipped"] > 0
    assert sql(lake, "SELECT count(*), count(DISTINCT run_id) FROM runs") == [(1, 1)]

    # An uninterrupted run of the same input into a fresh lake: the flow the CLI runs, in this process (the CLI
    # itself is what steps 1-3 test; another process start would only add seconds)
    ref_lake = tmp_path / "ref"
    reference = run_sieve([src], ref_lake, "web", config=cfg, workers=2)

    assert resumed["counts"] == reference["counts"] and resumed["records"] == 1500
    assert _snapshot(lake, resumed["run_id"]) == _snapshot(ref_lake, reference["run_id"])
    for table, key in (("documents", "doc_id"), ("decisions", "doc_id, reason"), ("duplicates", "doc_id"),
                       ("scores", "doc_id, stage, name")):
        total, distinct = sql(lake, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        assert total == distinct, f"duplicate rows in {table}"
    assert sql(lake, "SELECT count(*) FROM documents") == [(1500,)]
    leftovers = [p for p in lake.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []



def test_ctrl_c_kills_the_workers_and_starts_no_new_shard(tmp_path, prefect_harness):
    src = _corpus(tmp_path / "corpus.jsonl", 12000)
    target = 32 * 1024
    cfg = plumbing_config(tmp_path / "sieve.yaml", shards={"target_bytes": target, "batch_records": 200})
    lake = tmp_path / "lake"
    proc = _start(src, lake, cfg)
    staged = lake / "_work" / "web" / "stage"
    _wait_for(staged, "*/_SUCCESS.json", proc, 1)
    before = worker_pids(proc.pid)
    proc.send_signal(signal.SIGINT)  # the flow process only (its own session), as `kill -INT` or a scheduler sends
    seen = set(before)
    while proc.poll() is None:  # the flow's task threads used to start a new pool and run their next shards in it
        seen |= worker_pids(proc.pid)
        time.sleep(0.02)
    assert proc.returncode == 130
    assert proc.stderr.read().strip().splitlines()[-1].startswith("sieve: interrupted")
    assert seen == before, "workers were started after the interrupt"
    done = len(list(staged.glob("*/_SUCCESS.json")))
    assert done < src.stat().st_size // target  # about 400 shards planned
    assert not [w for w in before if alive(w)], "a worker outlived the interrupted run"
    time.sleep(1)
    assert len(list(staged.glob("*/_SUCCESS.json"))) == done  # nothing is still staging behind its back

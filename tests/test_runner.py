"""The CLI's wiring around the flow: parameters sent to Prefect as they are, without FastAPI's encoder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.curate import curate_corpus
from flows.runner import plain_json_parameters


def test_plain_parameters_are_sent_unchanged() -> None:
    flow = plain_json_parameters(curate_corpus.with_options())
    params = {"inputs": ["a.jsonl", "b/"], "lake": "L", "config": None, "workers": 0, "incremental": False,
              "meta": {"k": [1, 2.5, "x"]}}
    assert flow.serialize_parameters(params) == params
    assert flow.serialize_parameters(params) == curate_corpus.serialize_parameters(params)


def test_other_values_still_go_through_prefect() -> None:
    flow = plain_json_parameters(curate_corpus.with_options())
    params = {"inputs": [Path("a.jsonl")], "when": dt.date(2026, 11, 29), "pair": ("a", 1)}
    got = flow.serialize_parameters(params)
    assert got == {"inputs": ["a.jsonl"], "when": "2026-11-29", "pair": ["a", 1]}
    assert got == curate_corpus.serialize_parameters(params)


def test_shard_estimate_uses_the_plans_sizes(tmp_path: Path) -> None:
    """The CLI sizes its warm pool from file sizes alone: one small file is one shard, gzip counts four times."""
    import gzip

    from tasks.plan import estimate_shards

    small = tmp_path / "a.jsonl"
    small.write_text('{"text": "x"}\n' * 100)
    assert estimate_shards([str(small)], 4096) == 1
    big = tmp_path / "b.jsonl"
    big.write_bytes(b'{"text": "y"}\n' * 2000)  # 28,000 bytes
    assert estimate_shards([str(tmp_path)], 4096) == -(-(small.stat().st_size + 28_000) // 4096)
    packed = tmp_path / "c.jsonl.gz"
    with gzip.open(packed, "wb") as fh:
        fh.write(b"z" * 10_000)
    assert estimate_shards([str(packed)], 100) == -(-packed.stat().st_size * 4 // 100)
    assert estimate_shards([str(tmp_path)], 4096, enough=2) == 2  # stops walking once two shards are certain
    assert estimate_shards([str(small)], 4096, enough=2) == 1
    assert estimate_shards(["s3://bucket/prefix/"], 4096) is None
    assert estimate_shards([str(tmp_path / "missing.jsonl")], 4096) is None


def test_a_one_shard_run_warms_one_worker(tmp_path: Path) -> None:
    """A worker with no shard to run would load every model again: the pool is capped by the shard estimate."""
    from schemas.config import build_config
    from tasks import workers
    from tasks.registry import DOCUMENT_STAGES

    # every stage off: the cap does not depend on the models, and shutdown_pool waits for each warm-up it started
    # (loading the toxicity, injection and other models took most of this test's 7 s)
    cfg = build_config({"stages": {name: {"enabled": False} for name in DOCUMENT_STAGES}})
    try:
        workers.warm_pool(2, cfg.model_dump_json(), str(tmp_path), shards=1)
        assert workers.pool(2)._max_workers == 1
        assert workers.execute("processes", 2, pow, 2, 5) == 32
    finally:
        workers.shutdown_pool()
    try:
        workers.warm_pool(2, cfg.model_dump_json(), str(tmp_path), shards=None)
        assert workers.pool(2)._max_workers == 2
    finally:
        workers.shutdown_pool()


def test_sieve_run_keeps_prefects_client_retries(monkeypatch) -> None:
    """Prefect's 5 client retries let a server restarted mid-run still record it (1 retry lost the flow run's end
    or its artifacts: flows/cli.py says what was measured); a user's own value is theirs."""
    import os

    from flows.cli import _prefect_env

    # _prefect_env sets its defaults in os.environ: a copy, so the session's environment stays as it was
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k != "PREFECT_CLIENT_MAX_RETRIES"})
    _prefect_env(verbose=True)  # verbose: no logger levels changed either
    assert "PREFECT_CLIENT_MAX_RETRIES" not in os.environ and os.environ["DO_NOT_TRACK"] == "1"
    os.environ["PREFECT_CLIENT_MAX_RETRIES"] = "2"
    _prefect_env(verbose=True)
    assert os.environ["PREFECT_CLIENT_MAX_RETRIES"] == "2"

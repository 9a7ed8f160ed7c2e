"""Routing streams a shard row group by row group: a shard that is one whole compressed file (a .jsonl.gz cannot be
split) is routed in the memory of one staging batch, and its outputs keep the input order."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
from tests.conftest import ROOT

GROUPS, GROUP_ROWS, TEXT_BYTES = 24, 400, 10_000  # 24 staging batches of 4 MB: a 96 MB shard


def _stage(tmp_path, dup_every: int = 7):
    """A staged shard of GROUPS row groups; every ``dup_every``-th record is an exact duplicate of record 0."""
    stage, corpus = tmp_path / "stage", tmp_path / "corpus"
    stage.mkdir()
    writer = pq.ParquetWriter(stage / "docs.parquet", arrow.STAGED_DOCS)
    for g in range(GROUPS):
        rows = []
        for i in range(g * GROUP_ROWS, (g + 1) * GROUP_ROWS):
            rows.append({"doc_id": f"d{i:06d}", "ord": i, "source_uri": "/in/a.jsonl.gz", "source_record": i,
                         "source_id": None, "content_hash": f"h{i}", "text": f"{i} " + "x" * TEXT_BYTES,
                         "messages": None, "meta": None, "raw": None, "raw_encoding": None, "chars": TEXT_BYTES})
        writer.write_table(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS))
    writer.close()
    pq.write_table(arrow.empty_table(arrow.STAGED_FINDINGS), stage / "findings.parquet")
    pq.write_table(arrow.empty_table(arrow.STAGED_SCORES), stage / "scores.parquet")
    dups = corpus / "dups" / "shard=0"
    dups.mkdir(parents=True)
    rows = [{"doc_id": f"d{i:06d}", "duplicate_of": "d000000", "method": "exact", "similarity": 1.0,
             "evidence": "{}"} for i in range(dup_every, GROUPS * GROUP_ROWS, dup_every)]
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow.DUPLICATE_PAIRS), dups / "part-0.parquet")
    return stage, corpus


def test_a_big_shard_is_routed_in_the_memory_of_one_batch_and_in_order(tmp_path):
    stage, corpus = _stage(tmp_path)
    lake = tmp_path / "lake"
    script = textwrap.dedent(f"""
        import resource
        from schemas.config import SieveConfig
        from tasks.route import route_shard
        cfg = SieveConfig().model_dump_json()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = route_shard(0, {str(stage)!r}, {str(corpus)!r}, "r1", "web", {str(lake)!r}, cfg)
        print(result["outcomes"], (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    outcomes, growth = out.stdout.rsplit(" ", 1)
    n, n_dup = GROUPS * GROUP_ROWS, (GROUPS * GROUP_ROWS - 1) // 7
    assert outcomes == str({"clean": n - n_dup, "duplicate": n_dup})
    # reading the 96 MB shard whole (and merging and writing it as one table) grew the process by over 250 MB
    assert int(growth) < 60, f"routing a 96 MB shard grew the process by {growth} MB"

    clean = pq.read_table(lake / "clean" / "web" / "run=r1" / "part-00000.parquet", columns=["source_record"])
    assert clean.column(0).to_pylist() == [i for i in range(n) if i == 0 or i % 7]
    docs = pq.read_table(lake / "provenance" / "documents" / "run=r1" / "part-00000.parquet",
                         columns=["source_record", "outcome"]).to_pylist()
    assert [d["source_record"] for d in docs] == list(range(n))
    assert [d["outcome"] for d in docs] == ["duplicate" if i and i % 7 == 0 else "clean" for i in range(n)]


def test_a_rerun_that_routes_nothing_to_the_quarantine_leaves_no_old_part(tmp_path):
    stage, corpus = _stage(tmp_path)
    lake = tmp_path / "lake"
    stale = lake / "quarantine" / "web" / "run=r1" / "part-00000.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an interrupted attempt's part")
    from schemas.config import SieveConfig
    from tasks.route import route_shard

    result = route_shard(0, str(stage), str(corpus), "r1", "web", str(lake), SieveConfig().model_dump_json())
    assert not stale.exists() and not list(stale.parent.iterdir())  # no temp file left either
    assert {f["role"] for f in result["files"]} == {"clean", "provenance.documents", "provenance.decisions",
                                                    "provenance.scores", "provenance.duplicates", "index.exact"}

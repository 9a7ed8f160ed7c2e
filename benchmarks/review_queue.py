"""Review queue speed at scale: the queries behind the queue page and the JSON API on N quarantined records.

Builds a synthetic lake (default 1,000,000 quarantined records in 40 part files over 4 runs and 2 datasets, with
their ``documents``, ``decisions`` and ``runs`` rows and 50,000 earlier reviews) written with Sieve's own Arrow
schemas, refreshes the real catalog, then times the real functions of ``tasks/review`` and the app's HTTP routes
(FastAPI TestClient, no network). The text is synthetic: what is measured is DuckDB over the lake's layout, not
detectors. Usage: ``.venv/bin/python benchmarks/review_queue.py [--rows N] [--lake DIR] [--keep]``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas import arrow  # noqa: E402
from tasks.catalog import refresh_catalog  # noqa: E402
from tasks.lake import Lake, catalog_lock  # noqa: E402
from tasks.review import access, queue, record, reviews  # noqa: E402
from tasks.review.queue import QueueFilter  # noqa: E402

REASONS = ["input.too_long", "input.malformed", "pii.SECRET_AWS_ACCESS_KEY", "pii.dense", "poison.injection",
           "poison.unicode", "toxicity.hate", "lang.xx"]
WORDS = ("the parcel arrived late but the drill works well and the battery lasts most of a long afternoon of "
         "shelving in the garage while the kettle boils twice").split()


def build(lake: Lake, rows: int, files: int = 40) -> None:
    """Write the synthetic lake."""
    rng = random.Random(7)
    runs = [(f"2026010{i}T000000Z-00000{i}", "web" if i % 2 else "forum") for i in range(1, 5)]
    per_file = rows // files
    n = 0
    for f in range(files):
        run_id, dataset = runs[f % len(runs)]
        ids = [f"{n + i:024x}" for i in range(per_file)]
        reasons = [[REASONS[rng.randrange(len(REASONS))]] + ([REASONS[2]] if rng.random() < 0.1 else [])
                   for _ in ids]
        texts = [" ".join(rng.choices(WORDS, k=70)) for _ in ids]
        src = f"s3://bucket/{dataset}/part-{f:03d}.jsonl.zst"
        q = {"doc_id": ids, "text": texts, "reasons": reasons, "source_id": [None] * per_file,
             "meta": ["{}"] * per_file, "source_uri": [src] * per_file, "source_record": list(range(per_file)),
             "run_id": [run_id] * per_file, "messages": [None] * per_file, "raw": [None] * per_file,
             "raw_encoding": [None] * per_file}
        name = f"part-{f:05d}.parquet"
        lake.quarantine_dir(dataset, run_id).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(q, schema=arrow.QUARANTINE), lake.quarantine_dir(dataset, run_id) / name,
                       compression="zstd")
        docs = {"run_id": [run_id] * per_file, "doc_id": ids, "source_id": [None] * per_file,
                "source_uri": [src] * per_file, "source_record": list(range(per_file)),
                "content_hash": ids, "outcome": ["quarantined"] * per_file,
                "output_uri": [str(lake.quarantine_dir(dataset, run_id) / name)] * per_file, "reasons": reasons,
                "shard": [f] * per_file, "released_from": [None] * per_file}
        _write(lake, "documents", run_id, name, docs)
        dec = {"run_id": [], "doc_id": [], "stage": [], "reason": [], "action": [], "score": [], "evidence": [],
               "detector_version": []}
        for i, rs in zip(ids, reasons, strict=True):
            for r in rs:
                for k, v in (("run_id", run_id), ("doc_id", i), ("stage", r.split(".")[0]), ("reason", r),
                             ("action", "quarantine"), ("score", 0.9),
                             ("evidence", '{"spans": [{"start": 4, "end": 10, "label": "X"}]}'),
                             ("detector_version", "bench@1")):
                    dec[k].append(v)
        _write(lake, "decisions", run_id, name, dec)
        n += per_file
    now = datetime.now(UTC)
    for run_id, dataset in runs:
        _write(lake, "runs", run_id, "part-00000.parquet", {
            "run_id": [run_id], "dataset": [dataset], "started_at": [now], "finished_at": [now],
            "status": ["completed"], "kind": ["text"]})
    refresh_catalog(lake)
    # 50,000 earlier reviews, appended as the app would (one bulk insert, journal included).
    rev_ids = [f"{i:024x}" for i in rng.sample(range(n), 50_000)]
    with catalog_lock(lake):
        import duckdb

        con = duckdb.connect(str(lake.catalog))
        con.execute("INSERT INTO reviews SELECT run_id, doc_id, 'bench', CASE WHEN hash(doc_id) % 2 = 0 THEN "
                    "'approved' ELSE 'rejected' END, '', ?::TIMESTAMPTZ FROM quarantine "
                    "WHERE doc_id IN (SELECT unnest(?))", [now - timedelta(days=1), rev_ids])
        con.close()


def _write(lake: Lake, table: str, run_id: str, name: str, cols: dict) -> None:
    schema = arrow.PROVENANCE[table]
    full = {f.name: cols.get(f.name, [None] * len(next(iter(cols.values())))) for f in schema}
    path = lake.provenance_dir(table, run_id) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(full, schema=schema), path, compression="zstd")


def timed(label: str, fn, repeat: int = 5) -> float:
    """Median seconds of ``fn`` over ``repeat`` calls (after one warm-up); prints a table row."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(f"| {label} | {med * 1000:,.0f} | {min(times) * 1000:,.0f} | {max(times) * 1000:,.0f} |")
    return med


def main() -> None:
    """Build (or reuse) the lake and print the timing table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--lake", default=None, help="reuse/build here (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the temp lake")
    args = ap.parse_args()
    root = Path(args.lake) if args.lake else Path(tempfile.mkdtemp(prefix="sieve-review-bench-"))
    lake = Lake.at(root)
    if not lake.catalog.exists():
        t = time.perf_counter()
        build(lake, args.rows)
        print(f"built {args.rows:,} quarantined records in {time.perf_counter() - t:.1f}s at {root}")
    with access.reading(lake) as con:
        total = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        one = con.execute("SELECT run_id, doc_id FROM quarantine LIMIT 1 OFFSET 123456").fetchone() or \
            con.execute("SELECT run_id, doc_id FROM quarantine LIMIT 1").fetchone()
    print(f"\n{total:,} quarantined records; median of 5 (ms)\n")
    print("| operation | median ms | min | max |\n|---|---|---|---|")
    pending = QueueFilter()
    narrow = QueueFilter(dataset="web", reason="pii", status="pending")

    def q(fn, *a):
        with access.reading(lake) as con:
            return fn(con, *a)

    timed("open a read-only connection", lambda: q(lambda con: None))
    timed("count pending", lambda: q(queue.count, pending))
    timed("page 1 (50 rows) pending", lambda: q(queue.page, pending, 50, 0))
    timed("page at offset 500,000", lambda: q(queue.page, QueueFilter(status="all"), 50, 500_000))
    timed("page 1, dataset+family filter", lambda: q(queue.page, narrow, 50, 0))
    timed("summary: total + per status + per reason (one scan)", lambda: q(queue.summary, pending))
    timed("summary, dataset+family filter", lambda: q(queue.summary, narrow))
    timed("record detail", lambda: q(record.detail, one[1], one[0]))
    timed("append one review (lock + journal)", lambda: reviews.append_review(lake, one[1], "bench", "approve",
                                                                              "", one[0]), repeat=3)
    from fastapi.testclient import TestClient

    from flows.review_app import create_app
    from tasks.review.tokens import TokenFile

    tokens = root / "bench-tokens"
    tokens.write_text("bench:bench-token-0123456789\n")
    client = TestClient(create_app(root, TokenFile(tokens)), base_url="http://127.0.0.1")
    auth = {"Authorization": "Bearer bench-token-0123456789"}
    timed("GET /api/quarantine (count + page)", lambda: client.get("/api/quarantine", headers=auth)
          .raise_for_status())
    timed("GET /api/quarantine?facets=true (summary + page)", lambda: client.get(
        "/api/quarantine?facets=true", headers=auth).raise_for_status())
    import re

    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"token": "bench-token-0123456789", "nonce": nonce})
    timed("GET / (HTML queue page: summary + page + runs)", lambda: client.get("/", follow_redirects=False)
          .raise_for_status())
    timed("GET /api/records/{id}", lambda: client.get(f"/api/records/{one[1]}?run={one[0]}", headers=auth)
          .raise_for_status())
    src = QueueFilter(source="part-001.", status="all")
    n = q(queue.count, src)
    timed(f"bulk review of {n:,} records (one source)", lambda: reviews.review_matching(
        lake, src, "bench", "reject", "bench"), repeat=2)
    if not args.lake and not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()

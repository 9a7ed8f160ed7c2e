"""Incremental ingest: process only the input files that are new or changed since the dataset's completed runs.

A file is *unchanged* when its bytes (sha256) were already part of a completed run of the same dataset: processed
there, or found unchanged there in turn. Identity is the content, not the path, like ``doc_id``: a renamed or moved
file with the same bytes is not read again, and a changed file is read whole (its records get new ids). The run
history is read from the lake's own Parquet (``runs`` and ``sources``), never from Prefect's database.

Skipped files still get a ``sources`` row in the run (``records`` 0, ``unchanged_since`` = the run that processed
their content), so the next incremental run knows them and every run says what it looked at.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tasks import duck, plan, provenance
from tasks.lake import Lake


def known_contents(lake: Lake, dataset: str) -> dict[str, str]:
    """``{sha256: run_id}`` of every input content in a completed run of ``dataset``, with the run that processed it.

    When a content was processed more than once (a full re-scan), the latest processing run wins.
    """
    completed = provenance.completed_runs(lake, dataset)
    files = sorted((lake.root / "provenance" / "sources").glob("run=*/part-*.parquet"))
    if not completed or not files:
        return {}
    con = duck.connect()
    try:
        # SELECT * with union_by_name: files written before ``unchanged_since`` existed simply lack it.
        cur = con.execute(
            "SELECT * FROM read_parquet(?, union_by_name=true) WHERE run_id IN (SELECT unnest(?))",
            [[str(f) for f in files], completed],
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    order = {run_id: i for i, run_id in enumerate(completed)}  # oldest first
    known: dict[str, tuple[int, str]] = {}
    for row in rows:
        sha = row.get("sha256")
        if not sha or row.get("integrity") == "unreadable":
            continue
        processed_by = row.get("unchanged_since") or row["run_id"]
        rank = order.get(processed_by, order[row["run_id"]])
        if sha not in known or rank >= known[sha][0]:
            known[sha] = (rank, processed_by)
    return {sha: run_id for sha, (_, run_id) in known.items()}


def narrow_plan(
    lake: Lake, dataset: str, planned: dict[str, Any], target_bytes: int, salt: str
) -> dict[str, Any]:
    """The plan of ``plan_task`` restricted to new or changed files, re-packed into shards.

    Every source stays in ``sources`` (unchanged ones carry ``unchanged_since``); only the slices of changed files
    are re-packed into shards. ``plan_hash`` covers the skipped set too, so a crashed incremental run resumes under
    its id, and ``incremental`` summarises what was skipped for the flow's result and logs.
    """
    known = known_contents(lake, dataset)
    sources, skipped = [], set()
    for entry in planned["sources"]:
        since = known.get(entry.get("sha256") or "")
        if since is not None:
            skipped.add(entry["uri"])
        sources.append({**entry, "unchanged_since": since})
    slices = [sl for shard in planned["shards"] for sl in shard["slices"] if sl["uri"] not in skipped]
    shards = [
        {"index": s.index, "key": s.key, "slices": s.slices, "est_bytes": s.est_bytes}
        for s in plan.pack_shards(slices, target_bytes, salt)
    ]
    ident = json.dumps([planned["plan_hash"], "incremental", sorted(skipped)])
    changed = len(sources) - len(skipped)
    return {
        **planned,
        "sources": sources,
        "shards": shards,
        "plan_hash": hashlib.sha256(ident.encode()).hexdigest()[:24],
        "incremental": {
            "new_or_changed": changed,
            "unchanged": len(skipped),
            "message": describe(changed, len(skipped)),
        },
    }


def describe(changed: int, unchanged: int) -> str:
    """One line for logs and the CLI: what an incremental run will process."""
    if changed == 0:
        return f"incremental: nothing new or changed ({unchanged} file(s) unchanged since earlier runs); 0 records"
    return f"incremental: {changed} new or changed file(s) to process, {unchanged} unchanged file(s) skipped"

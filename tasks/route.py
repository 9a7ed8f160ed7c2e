"""Routing: the policy turns one shard's findings into one outcome per record, and the shard's outputs are written.

Outcome precedence: ``duplicate`` (a kept copy exists elsewhere) > ``dropped`` > ``quarantined`` > ``clean``.
Every record of the shard gets exactly one ``documents`` row; every finding gets a ``decisions`` row with the
action the policy chose. File names are deterministic (``part-<shard>.parquet``), so a resumed run replaces a
half-done shard's files instead of adding rows.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow, reasons
from schemas.config import SieveConfig
from tasks.lake import Lake, write_parquet_atomic
from tasks.redact import redact_messages, redact_text

_RANK = {
    reasons.ACTION_DROP: 3,
    reasons.ACTION_QUARANTINE: 2,
    reasons.ACTION_REDACT: 1,
    reasons.ACTION_FLAG: 0,
}


def _read_part(folder: Path, shard: int) -> list[dict[str, Any]]:
    part = folder / f"shard={shard}"
    files = sorted(part.glob("*.parquet")) if part.exists() else []
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def outcome_of(is_duplicate: bool, actions: set[str]) -> str:
    """The single outcome of a record given whether it is a duplicate and its findings' actions."""
    if is_duplicate:
        return reasons.OUTCOME_DUPLICATE
    if reasons.ACTION_DROP in actions:
        return reasons.OUTCOME_DROPPED
    if reasons.ACTION_QUARANTINE in actions:
        return reasons.OUTCOME_QUARANTINED
    return reasons.OUTCOME_CLEAN


def route_shard(
    shard: int, stage_dir: str, corpus_dir: str, run_id: str, dataset: str, lake_root: str, config_json: str
) -> dict[str, Any]:
    """Route one shard and write its clean, quarantine, provenance and index parts; return counts and files."""
    cfg = SieveConfig.model_validate_json(config_json)
    lake = Lake(Path(lake_root))
    stage = Path(stage_dir)
    docs = pq.read_table(stage / "docs.parquet").to_pylist()
    findings_by_doc: dict[str, list[dict]] = defaultdict(list)
    for f in pq.read_table(stage / "findings.parquet").to_pylist() + _read_part(
        Path(corpus_dir) / "findings", shard
    ):
        findings_by_doc[f["doc_id"]].append(f)
    dups = {d["doc_id"]: d for d in _read_part(Path(corpus_dir) / "dups", shard)}
    name = f"part-{shard:05d}.parquet"
    clean_uri = str(lake.clean_dir(dataset, run_id) / name)
    quar_uri = str(lake.quarantine_dir(dataset, run_id) / name)

    clean, quarantine, documents, decisions, dup_rows, index = [], [], [], [], [], []
    outcomes: Counter = Counter()
    reason_counts: Counter = Counter()
    for d in docs:
        did = d["doc_id"]
        found = findings_by_doc.get(did, [])
        dup = dups.get(did)
        actions: set[str] = set()
        redact_spans: list[tuple[int, int, str]] = []
        for f in found:
            action = cfg.policy.action_for(f["reason"], f["score"])
            actions.add(action)
            evidence = json.loads(f["evidence"] or "{}")
            if f.get("spans"):
                evidence["spans"] = f["spans"]
            decisions.append(
                {
                    "run_id": run_id,
                    "doc_id": did,
                    "stage": f["stage"],
                    "reason": f["reason"],
                    "action": action,
                    "score": f["score"],
                    "evidence": json.dumps(evidence, sort_keys=True),
                    "detector_version": f["detector_version"],
                }
            )
            if action == reasons.ACTION_REDACT:
                redact_spans += [(s["start"], s["end"], s["label"]) for s in f.get("spans") or []]
        if dup is not None:
            reason = reasons.DUP_EXACT if dup["method"] == "exact" else reasons.DUP_NEAR
            decisions.append(
                {
                    "run_id": run_id,
                    "doc_id": did,
                    "stage": f"dedup_{dup['method']}",
                    "reason": reason,
                    "action": reasons.ACTION_DROP,
                    "score": dup["similarity"],
                    "evidence": dup.get("evidence"),
                    "detector_version": f"dedup_{dup['method']}",
                }
            )
            dup_rows.append(
                {
                    "run_id": run_id,
                    "doc_id": did,
                    "duplicate_of": dup["duplicate_of"],
                    "method": dup["method"],
                    "similarity": dup["similarity"],
                }
            )
            found = [*found, {"reason": reason}]
        outcome = outcome_of(dup is not None, actions)
        doc_reasons = sorted({f["reason"] for f in found})
        outcomes[outcome] += 1
        reason_counts.update(doc_reasons)
        output_uri = None
        if outcome == reasons.OUTCOME_CLEAN:
            text, messages, n = d["text"], d["messages"], 0
            if redact_spans:
                if messages:
                    messages, text, n = redact_messages(messages, redact_spans)
                else:
                    text, n = redact_text(text, redact_spans)
            clean.append(
                {
                    "doc_id": did,
                    "text": text,
                    "source_id": d["source_id"],
                    "meta": d["meta"],
                    "source_uri": d["source_uri"],
                    "source_record": d["source_record"],
                    "run_id": run_id,
                    "messages": messages,
                    "redactions": n,
                }
            )
            output_uri = clean_uri
        elif outcome == reasons.OUTCOME_QUARANTINED:
            quarantine.append(
                {
                    "doc_id": did,
                    "text": d["text"],
                    "reasons": doc_reasons,
                    "source_id": d["source_id"],
                    "meta": d["meta"],
                    "source_uri": d["source_uri"],
                    "source_record": d["source_record"],
                    "run_id": run_id,
                    "messages": d["messages"],
                    "raw": d["raw"],
                    "raw_encoding": d["raw_encoding"],
                }
            )
            output_uri = quar_uri
        if outcome != reasons.OUTCOME_DUPLICATE:
            index.append({"content_hash": d["content_hash"], "doc_id": did})
        documents.append(
            {
                "run_id": run_id,
                "doc_id": did,
                "source_id": d["source_id"],
                "source_uri": d["source_uri"],
                "source_record": d["source_record"],
                "content_hash": d["content_hash"],
                "outcome": outcome,
                "output_uri": output_uri,
                "reasons": doc_reasons,
                "shard": shard,
            }
        )

    scores = pq.read_table(stage / "scores.parquet")
    scores = scores.add_column(0, "run_id", pa.array([run_id] * scores.num_rows, pa.string()))
    files: list[dict[str, Any]] = []

    def put(role: str, rows: list[dict] | pa.Table, schema: pa.Schema, path: Path, skip_empty: bool) -> None:
        table = (
            rows.select(schema.names).cast(schema)
            if isinstance(rows, pa.Table)
            else pa.Table.from_pylist(rows, schema=schema)
        )
        if skip_empty and table.num_rows == 0:
            if path.exists():  # a resumed run that now routes nothing here must not leave an old part behind
                path.unlink()
            return
        files.append({"role": role, **write_parquet_atomic(table, path)})

    put("clean", clean, arrow.CLEAN, Path(clean_uri), True)
    put("quarantine", quarantine, arrow.QUARANTINE, Path(quar_uri), True)
    for table, rows in (
        ("documents", documents),
        ("decisions", decisions),
        ("scores", scores),
        ("duplicates", dup_rows),
    ):
        put(
            f"provenance.{table}",
            rows,
            arrow.PROVENANCE[table],
            lake.provenance_dir(table, run_id) / name,
            False,
        )
    put("index.exact", index, arrow.EXACT_INDEX, lake.index_dir(dataset, "exact", run_id) / name, False)
    return {"shard": shard, "outcomes": dict(outcomes), "reasons": dict(reason_counts), "files": files}

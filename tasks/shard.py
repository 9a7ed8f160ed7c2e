"""The shard step: read + normalise + key + document stages, written as staged Parquet.

Runs in a worker process (or a Dask worker) with no Prefect in sight. Input is a shard spec (plain dict) and the
resolved config JSON; output is a folder named by the shard's cache key holding ``docs``, ``findings``, ``scores``
and ``features`` Parquet plus a ``_SUCCESS.json`` marker written last. If the marker exists the shard is done.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from schemas import arrow, reasons
from schemas.config import SieveConfig
from tasks.ids import doc_id
from tasks.lake import AtomicParquetWriter, write_json_atomic
from tasks.normalize import content_hash, raw_hash
from tasks.readers import read_slice
from tasks.records import ParsedRecord, parse_record
from tasks.registry import build_document_stages
from tasks.source_stamps import changed_since
from tasks.sources import SourceSlice
from tasks.stage import DocBatch, Stage

MARKER = "_SUCCESS.json"
INPUT_STAGE = "input"
INTEGRITY_STAGE = "integrity"
_STAGES_CACHE: dict[str, list[Stage]] = {}
# One lock per cached stage instance. With --task-runner threads (or a Dask worker with several threads) shards of
# one process share these instances, and stages keep state between batches that is not thread-safe (the toxicity
# scorer grows its word table in place: two threads at once failed the run or mixed up rows). A stage runs one batch
# at a time; different stages still run side by side.
_STAGE_LOCKS: dict[int, threading.Lock] = {}
_BUILD_LOCK = threading.Lock()


def _stages_for(cfg: SieveConfig, lake_root: Path) -> list[Stage]:
    """Build (once per process, config and lake) the document stages, so models load once per worker."""
    key = f"{cfg.config_hash()}@{lake_root}"
    with _BUILD_LOCK:  # two threads starting at once must share one set (one model load), not build two
        if key not in _STAGES_CACHE:
            stages = build_document_stages(cfg.stages)
            for stage in stages:
                stage.lake_root = lake_root
                _STAGE_LOCKS[id(stage)] = threading.Lock()
            _STAGES_CACHE[key] = stages
        return _STAGES_CACHE[key]


#: A batch also ends once its records hold this many characters of text, raw bytes and meta: batches were cut by
#: record count alone, so 25 records of 20 MB (a 46 KB .zst) made one batch and took a worker to 2.0 GB.
BATCH_CHARS = 16 * 2**20


def warm_up(config_json: str, lake_root: str) -> None:
    """Run once in each new worker before the first shard: import routing, build the stages, load their models.

    The flow's workers start while the CLI waits for Prefect's API, so model loading (spaCy, fastText) overlaps it.
    """
    from tasks import route  # noqa: F401 - routing runs in the same workers

    for stage in _stages_for(SieveConfig.from_validated_json(config_json), Path(lake_root)):
        with _STAGE_LOCKS[id(stage)]:
            stage.prepare()


def _finding_row(
    did: str, stage: str, reason: str, score: float | None, evidence: dict, version: str
) -> dict:
    return {
        "doc_id": did,
        "stage": stage,
        "reason": reason,
        "score": score,
        "evidence": json.dumps(evidence, sort_keys=True),
        "spans": [],
        "detector_version": version,
    }


class _ShardWriter:
    """The four staged tables of one shard, streamed batch by batch."""

    def __init__(self, out: Path):
        self.docs = AtomicParquetWriter(out / "docs.parquet", arrow.STAGED_DOCS)
        self.findings = AtomicParquetWriter(out / "findings.parquet", arrow.STAGED_FINDINGS)
        self.scores = AtomicParquetWriter(out / "scores.parquet", arrow.STAGED_SCORES)
        self.features: AtomicParquetWriter | None = None
        self.out = out

    def write_features(self, table: pa.Table) -> None:
        if self.features is None:
            self.features = AtomicParquetWriter(self.out / "features.parquet", table.schema)
        self.features.write(table)

    def close(self) -> list[str]:
        parts = [self.docs, self.findings, self.scores] + ([self.features] if self.features else [])
        return [w.close()["uri"] for w in parts]

    def abort(self) -> None:
        for w in (self.docs, self.findings, self.scores, self.features):
            if w is not None:
                w.abort()


def _run_stages(
    stages: list[Stage],
    rows: list[dict],
    parsed: list[ParsedRecord],
    kind: str,
    w: _ShardWriter,
    timings: Counter,
    reason_counts: Counter,
) -> None:
    """Run every document stage over the well-formed records of one batch and stage their output."""
    ok = [i for i, p in enumerate(parsed) if p.reason is None]
    if not ok or not stages:
        return
    batch = DocBatch(
        doc_ids=[rows[i]["doc_id"] for i in ok],
        texts=[parsed[i].text or "" for i in ok],
        kind=kind,
        source_uris=[rows[i]["source_uri"] for i in ok],
        messages=[parsed[i].messages for i in ok],
        meta=[json.loads(parsed[i].meta) if parsed[i].meta else None for i in ok],
    )
    findings: list[dict] = []
    scores: list[dict] = []
    features: dict[str, pa.Array] = {}
    for stage in stages:
        started = time.perf_counter()
        with _STAGE_LOCKS[id(stage)]:
            result = stage.run(batch)
        timings[stage.name] += time.perf_counter() - started
        for f in result.findings:
            # counted here, not from stage.counters: with --task-runner threads two shards share a stage instance
            reason_counts[f.reason] += 1
            findings.append(
                {
                    "doc_id": batch.doc_ids[f.row],
                    "stage": stage.name,
                    "reason": f.reason,
                    "score": f.score,
                    "evidence": json.dumps(f.evidence, sort_keys=True, default=str),
                    "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in f.spans],
                    "detector_version": stage.identity,
                }
            )
        for s in result.scores:
            scores.append(
                {"doc_id": batch.doc_ids[s.row], "stage": stage.name, "name": s.name, "value": float(s.value)}
            )
        for name, col in result.columns.items():
            features[name] = col
    if findings:
        w.findings.write(pa.Table.from_pylist(findings, schema=arrow.STAGED_FINDINGS))
    if scores:
        w.scores.write(pa.Table.from_pylist(scores, schema=arrow.STAGED_SCORES))
    if features:
        w.write_features(pa.table({"doc_id": pa.array(batch.doc_ids, pa.string()), **features}))


def _flush(stages, rows, parsed, kind, w: _ShardWriter, timings: Counter, reason_counts: Counter) -> None:
    w.docs.write(pa.Table.from_pylist(rows, schema=arrow.STAGED_DOCS))
    input_findings = []
    for row, p in zip(rows, parsed, strict=True):
        if p.reason is not None:
            input_findings.append(
                _finding_row(row["doc_id"], INPUT_STAGE, p.reason, None, {"detail": p.detail}, "input@1")
            )
        if row.pop("_integrity", "ok") in ("mismatch", "unlisted"):
            reason_counts[reasons.POISON_INTEGRITY] += 1
            input_findings.append(
                _finding_row(
                    row["doc_id"],
                    INTEGRITY_STAGE,
                    reasons.POISON_INTEGRITY,
                    1.0,
                    row.pop("_integrity_evidence"),
                    "integrity@1",
                )
            )
    if input_findings:
        w.findings.write(pa.Table.from_pylist(input_findings, schema=arrow.STAGED_FINDINGS))
    _run_stages(stages, rows, parsed, kind, w, timings, reason_counts)


def process_shard(shard: dict[str, Any], stage_dir: str, config_json: str) -> dict[str, Any]:
    """Stage one shard; return a small summary (records per source, counters, seconds). Idempotent."""
    out = Path(stage_dir)
    marker = out / MARKER
    if marker.exists():
        return {**json.loads(marker.read_text()), "skipped": True}
    cfg = SieveConfig.from_validated_json(config_json)
    # stage_dir is <lake>/_work/<dataset>/stage/<key> (tasks.lake.Lake.stage_dir)
    stages = _stages_for(cfg, out.parents[3])
    kind, text_field, max_bytes = cfg.input.kind, cfg.input.text_field, cfg.input.max_bytes
    started = time.perf_counter()
    timings: Counter = Counter()
    per_source: Counter = Counter()
    source_notes: dict[str, list[str]] = {}  # what readers gave up on, for sources.error
    reason_counts: Counter = Counter()
    w = _ShardWriter(out)
    pos = 0
    try:
        rows: list[dict] = []
        parsed: list[ParsedRecord] = []
        batch_chars = 0
        for sl in shard["slices"]:
            src = SourceSlice(
                sl["uri"], sl["format"], sl["compression"], sl["start"], sl["end"], sl["first_record"],
                sl.get("error") or changed_since(sl["uri"], sl.get("stamp")),
            )
            integrity_ev = {"integrity": sl["integrity"], "sha256": sl["sha256"]}
            for rec in read_slice(src):
                if rec.note:
                    source_notes.setdefault(sl["uri"], []).append(rec.note)
                # A text file's record is {"text", "path"} whatever --text-field says (that names a JSON field).
                p = parse_record(rec, kind, "text" if sl["format"] == "text" else text_field, max_bytes)
                did = doc_id(
                    sl["sha256"] if not sl["occurrence"] else f"{sl['sha256']}#{sl['occurrence']}",
                    p.source_record,
                )
                if p.reason == reasons.INPUT_MALFORMED and not p.raw:
                    # Nothing could be read (an unreadable row group, file or stream): there is no content to
                    # compare, so each such record keeps its own key instead of all being "duplicates" of one.
                    key = "nil:" + did
                elif p.reason == reasons.INPUT_MALFORMED:
                    key = raw_hash(p.raw.encode("utf-8", "surrogateescape"))
                else:
                    key = content_hash(p.text or "", p.meta)
                rows.append(
                    {
                        "doc_id": did,
                        "ord": (shard["index"] << 32) | pos,
                        "source_uri": sl["uri"],
                        "source_record": p.source_record,
                        "source_id": p.source_id,
                        "content_hash": key,
                        "text": p.text if p.reason != reasons.INPUT_MALFORMED else None,
                        "messages": p.messages,
                        "meta": p.meta,
                        "raw": p.raw,
                        "raw_encoding": p.raw_encoding,
                        "chars": len(p.text) if p.text is not None else None,
                        "_integrity": sl["integrity"],
                        "_integrity_evidence": integrity_ev,
                    }
                )
                parsed.append(p)
                pos += 1
                per_source[sl["uri"]] += 1
                if p.reason:
                    reason_counts[p.reason] += 1
                batch_chars += len(p.text or "") + len(p.raw or "") + len(p.meta or "")
                if len(rows) >= cfg.shards.batch_records or batch_chars >= BATCH_CHARS:
                    _flush(stages, rows, parsed, kind, w, timings, reason_counts)
                    rows, parsed, batch_chars = [], [], 0
        if rows:
            _flush(stages, rows, parsed, kind, w, timings, reason_counts)
        files = w.close()
    except BaseException:
        w.abort()
        raise
    summary = {
        "index": shard["index"],
        "key": shard["key"],
        "records": pos,
        "per_source": dict(per_source),
        "source_notes": source_notes,
        "reasons": dict(reason_counts),
        "stage_seconds": dict(timings),
        "seconds": time.perf_counter() - started,
        "files": files,
    }
    write_json_atomic(summary, marker)
    return {**summary, "skipped": False}

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

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow, reasons
from schemas.config import SieveConfig
from tasks.lake import AtomicParquetWriter, Lake
from tasks.redact import redact_messages, redact_text
from tasks.redact_meta import META_SPANS, meta_spans_of, meta_values, redact_meta
from tasks.registry import stage_class

_RANK = {
    reasons.ACTION_DROP: 3,
    reasons.ACTION_QUARANTINE: 2,
    reasons.ACTION_REDACT: 1,
    reasons.ACTION_FLAG: 0,
}


_POS = "_pos"  # a record's position in its shard: routed rows and plain rows merge back into input order


def _merge(rows: list[dict[str, Any]], plain: pa.Table, schema: pa.Schema) -> pa.Table:
    """``rows`` (routed one by one, each with ``_pos``) and ``plain`` (column-wise) as one table in input order."""
    with_pos = pa.schema([*schema, pa.field(_POS, pa.int64())])
    routed = pa.Table.from_pylist(rows, schema=with_pos)
    if not plain.num_rows:
        return routed.drop_columns([_POS])
    merged = pa.concat_tables([routed, plain.select(with_pos.names).cast(with_pos)])
    return merged.sort_by(_POS).drop_columns([_POS])


def _constant(value: Any, n: int, type_: pa.DataType) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_), n)


def _plain_clean(plain: pa.Table, run_id: str) -> pa.Table:
    """Clean rows of records with no finding and no duplicate: their text as read, no redactions."""
    n = plain.num_rows
    return plain.append_column("run_id", _constant(run_id, n, pa.string())).append_column(
        "redactions", _constant(0, n, pa.int64()))


def _plain_documents(plain: pa.Table, run_id: str, clean_uri: str, shard: int) -> pa.Table:
    """``documents`` rows of those records: outcome ``clean``, no reasons."""
    n = plain.num_rows
    no_reasons = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()))
    extra = {"run_id": _constant(run_id, n, pa.string()),
             "outcome": _constant(reasons.OUTCOME_CLEAN, n, pa.string()),
             "output_uri": _constant(clean_uri, n, pa.string()), "reasons": no_reasons,
             "shard": _constant(shard, n, pa.int64()), "released_from": _constant(None, n, pa.string())}
    for name, column in extra.items():
        plain = plain.append_column(name, column)
    return plain


def _read_part(folder: Path, shard: int) -> list[dict[str, Any]]:
    part = folder / f"shard={shard}"
    files = sorted(part.glob("*.parquet")) if part.exists() else []
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def pii_values(found: list[dict], text: str | None, meta: str | None = None) -> list[tuple[str, str]]:
    """The raw values the record's PII findings point at (in its text and meta), as ``(value, entity)``, longest
    first."""
    values: dict[str, str] = {}
    for f in found:
        if reasons.family(f["reason"]) != "pii":
            continue
        for s in (f.get("spans") or []) if text else []:
            values.setdefault(text[s["start"] : s["end"]], s["label"])
        if meta and META_SPANS in (f.get("evidence") or ""):
            for value, label in meta_values(meta, meta_spans_of(json.loads(f["evidence"]))).items():
                values.setdefault(value, label)
    values = {v: e for v, e in values.items() if len(v.strip()) >= 2}
    return sorted(values.items(), key=lambda kv: (-len(kv[0]), kv[0]))


def mask_values(obj: Any, values: list[tuple[str, str]]) -> Any:
    """``obj`` (parsed evidence) with every occurrence of a PII value in its strings replaced by ``<ENTITY>``.

    Other detectors quote the text they matched (an injection's sentence, a decoded payload): a name or an
    address the PII stage found in the same record must not reach ``decisions.evidence`` through them.
    """
    if isinstance(obj, str):
        for value, entity in values:
            obj = obj.replace(value, f"<{entity}>")
        return obj
    if isinstance(obj, list):
        return [mask_values(x, values) for x in obj]
    if isinstance(obj, dict):
        return {k: mask_values(x, values) for k, x in obj.items()}
    return obj


def _dedup_identity(method: str) -> str:
    """``name@version`` of the dedup stage behind a duplicate, as every other decision names its detector."""
    cls = stage_class(f"dedup_{method}")
    return f"{cls.name}@{cls.version}"


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
    """Route one shard and write its clean, quarantine, provenance and index parts; return counts and files.

    The staged records are routed one row group (one staging batch) at a time and every output is streamed: a
    shard that is one whole compressed file (a .gz or .zst cannot be split) takes the memory of one batch, not of
    the file (a 500 MB .jsonl.gz took 3 GB here when the shard was read whole).
    """
    cfg = SieveConfig.from_validated_json(config_json)
    lake = Lake(Path(lake_root))
    stage = Path(stage_dir)
    findings_by_doc: dict[str, list[dict]] = defaultdict(list)
    for f in pq.read_table(stage / "findings.parquet").to_pylist() + _read_part(
        Path(corpus_dir) / "findings", shard
    ):
        findings_by_doc[f["doc_id"]].append(f)
    dups = {d["doc_id"]: d for d in _read_part(Path(corpus_dir) / "dups", shard)}
    name = f"part-{shard:05d}.parquet"
    ctx = _Shard(cfg, run_id, shard, findings_by_doc, dups, str(lake.clean_dir(dataset, run_id) / name),
                 str(lake.quarantine_dir(dataset, run_id) / name))
    out = _Outputs({
        "clean": (Path(ctx.clean_uri), arrow.CLEAN),
        "quarantine": (Path(ctx.quar_uri), arrow.QUARANTINE),
        **{f"provenance.{t}": (lake.provenance_dir(t, run_id) / name, arrow.PROVENANCE[t])
           for t in ("documents", "decisions", "scores", "duplicates")},
        "index.exact": (lake.index_dir(dataset, "exact", run_id) / name, arrow.EXACT_INDEX),
    })
    outcomes: Counter = Counter()
    reason_counts: Counter = Counter()
    try:
        docs_file = pq.ParquetFile(stage / "docs.parquet")
        for group in range(docs_file.num_row_groups):
            _route_batch(ctx, docs_file.read_row_group(group), out, outcomes, reason_counts)
        scores_file = pq.ParquetFile(stage / "scores.parquet")
        for group in range(scores_file.num_row_groups):
            scores = scores_file.read_row_group(group)
            out.write("provenance.scores", scores.add_column(0, "run_id", _constant(run_id, scores.num_rows,
                                                                                     pa.string())))
        # clean and quarantine parts exist only when they have rows; provenance and index parts always do
        files = out.close(skip_empty=("clean", "quarantine"))
    except BaseException:
        out.abort()
        raise
    return {"shard": shard, "outcomes": dict(outcomes), "reasons": dict(reason_counts), "files": files}


class _Shard:
    """What routing one shard's records needs besides the records: policy, findings, duplicates, output names."""

    def __init__(self, cfg: SieveConfig, run_id: str, shard: int, findings_by_doc: dict[str, list[dict]],
                 dups: dict[str, dict], clean_uri: str, quar_uri: str):
        self.cfg, self.run_id, self.shard = cfg, run_id, shard
        self.findings_by_doc, self.dups = findings_by_doc, dups
        self.clean_uri, self.quar_uri = clean_uri, quar_uri


class _Outputs:
    """The shard's output files, each streamed through an ``AtomicParquetWriter`` (named on ``close`` only)."""

    def __init__(self, targets: dict[str, tuple[Path, pa.Schema]]):
        self.writers = {role: AtomicParquetWriter(path, schema) for role, (path, schema) in targets.items()}

    def write(self, role: str, rows: list[dict] | pa.Table) -> None:
        """Append rows (dicts or a table holding at least the schema's columns) to one output."""
        w = self.writers[role]
        w.write(rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=w.schema))

    def close(self, skip_empty: tuple[str, ...]) -> list[dict[str, Any]]:
        """Rename every output into place, except empty ones in ``skip_empty``; return their ``files`` rows."""
        files = []
        for role, w in self.writers.items():
            if role in skip_empty and w.rows == 0:
                w.abort()
                if w.path.exists():  # a resumed run that now routes nothing here must not leave an old part behind
                    w.path.unlink()
                continue
            files.append({"role": role, **w.close()})
        return files

    def abort(self) -> None:
        """Drop every temp file (on error)."""
        for w in self.writers.values():
            w.abort()


def _route_batch(ctx: _Shard, docs_table: pa.Table, out: _Outputs, outcomes: Counter, reason_counts: Counter) -> None:
    """Route one batch of the shard's staged records and append its rows to the outputs, in input order."""
    cfg, run_id, shard = ctx.cfg, ctx.run_id, ctx.shard
    findings_by_doc, dups, clean_uri, quar_uri = ctx.findings_by_doc, ctx.dups, ctx.clean_uri, ctx.quar_uri
    # Records with no finding and no duplicate are clean as they are: their rows are built column-wise (most of a
    # typical shard); the rest go through the policy one by one. ``_pos`` keeps every output in input order.
    ids = docs_table.column("doc_id").to_pylist()
    special = [i for i, did in enumerate(ids) if did in findings_by_doc or did in dups]
    plain_mask = np.ones(len(ids), dtype=bool)
    plain_mask[special] = False
    plain = docs_table.append_column(_POS, pa.array(np.arange(len(ids)), pa.int64())).filter(plain_mask)
    docs = docs_table.take(pa.array(special, pa.int64())).to_pylist()

    clean, quarantine, documents, decisions, dup_rows, index = [], [], [], [], [], []
    if plain.num_rows:
        outcomes[reasons.OUTCOME_CLEAN] += plain.num_rows
    for pos, d in zip(special, docs, strict=True):
        did = d["doc_id"]
        found = findings_by_doc.get(did, [])
        dup = dups.get(did)
        actions: set[str] = set()
        redact_spans: list[tuple[int, int, str]] = []
        meta_redact: list[tuple[int, int, int, str]] = []  # PII inside meta values (tasks.redact_meta)
        values = pii_values(found, d["text"], d["meta"])
        for f in found:
            action = cfg.policy.action_for(f["reason"], f["score"])
            actions.add(action)
            evidence = json.loads(f["evidence"] or "{}")
            if values and reasons.family(f["reason"]) != "pii":
                evidence = mask_values(evidence, values)
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
                meta_redact += meta_spans_of(evidence)
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
                    "detector_version": _dedup_identity(dup["method"]),
                }
            )
            dup_rows.append(
                {
                    "run_id": run_id,
                    "doc_id": did,
                    "duplicate_of": dup["duplicate_of"],
                    "method": dup["method"],
                    "similarity": dup["similarity"],
                    # doc_ids repeat across runs (and datasets): the run whose documents row is the kept copy
                    "kept_run_id": json.loads(dup.get("evidence") or "{}").get("kept_run_id") or run_id,
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
            meta, n_meta = redact_meta(d["meta"], meta_redact)
            clean.append(
                {
                    "doc_id": did,
                    "text": text,
                    "source_id": d["source_id"],
                    "meta": meta,
                    "source_uri": d["source_uri"],
                    "source_record": d["source_record"],
                    "run_id": run_id,
                    "messages": messages,
                    "redactions": n + n_meta,
                    _POS: pos,
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
            index.append({"content_hash": d["content_hash"], "doc_id": did, _POS: pos})
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
                _POS: pos,
            }
        )

    out.write("clean", _merge(clean, _plain_clean(plain, run_id), arrow.CLEAN))
    out.write("quarantine", quarantine)
    docs_schema = arrow.PROVENANCE["documents"]
    out.write("provenance.documents", _merge(documents, _plain_documents(plain, run_id, clean_uri, shard),
                                             docs_schema))
    out.write("provenance.decisions", decisions)
    out.write("provenance.duplicates", dup_rows)
    out.write("index.exact", _merge(index, plain.select(arrow.EXACT_INDEX.names + [_POS]), arrow.EXACT_INDEX))

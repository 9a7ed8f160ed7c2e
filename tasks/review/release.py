"""``sieve release``: approved quarantined records re-enter the clean dataset as a new version with its own provenance.

A release is a run of its own: a ``runs`` row (``kind`` = ``release``, status running -> completed), the records in
``clean/<dataset>/run=<release_run_id>/part-00000.parquet``, one ``documents`` row each (outcome ``clean``, the
release run's id, ``output_uri``, the reasons it was quarantined for, and ``released_from`` = the run that
quarantined it) and ``files`` rows for what it wrote. Lineage is then plain SQL::

    SELECT d.doc_id, d.released_from AS quarantined_in, r.reviewer, r.verdict, r.reviewed_at, d.run_id AS released_in
    FROM documents d JOIN reviews r ON r.run_id = d.released_from AND r.doc_id = d.doc_id
    WHERE d.released_from IS NOT NULL

Which records: a ``doc_id`` can be quarantined more than once in a dataset (the same file run again without dedup,
or with another ``--text-field``, which gives the same ids other text), and every copy is reviewed on its own. The
rule: **a record's newest quarantined copy decides**, the copy of the greatest ``run_id`` among the dataset's
completed runs that quarantined it (run ids begin with their start time; it is the copy ``sieve review approve
DOC_ID`` and the app's ``/records/DOC_ID`` review by default). Its latest review is the record's status, ``pending``
when it has none, and its text is the text published. Reviews of older copies are history: an approval of an older
copy does not release a record a newer run quarantined again (with findings, maybe text, the reviewer never saw),
and a rejection of an older copy does not hold back a newer copy's approval. The records released are those whose
status is ``approved`` and whose ``doc_id`` no completed release of the dataset has released yet (so releasing
twice adds nothing) and whose content (``content_hash``, the exact-dedup key) is not in clean already as another
record (a later run kept a clean copy of it: ``already_in_clean``, counted, not released twice). Rejected and
pending records stay out; a malformed record has no text to publish and is counted, not released. A release never
takes a record back out of clean: one whose newest copy is rejected after it was released is counted
(``rejected_after_release``) in every later release's summary, which names the first 100 of them by doc_id; the
catalog's ``rejected_after_release`` view lists every one (``schemas/views.sql``).

The text published is redacted as the router redacts clean text (``tasks.redact``), with the spans of the record's
``redact`` findings and also of its ``pii.*`` findings whatever their action: a record quarantined for a secret or
for dense PII is approved as a record, not as permission to publish the secret. PII found in meta values is
redacted there the same way (``tasks.redact_meta``). A record no stage read (``input.too_long``) is analysed for
PII first (``tasks.review.release_scan``). Hidden Unicode the ``poison_unicode`` stage flags (tag characters, bidi
overrides, zero-width runs) is removed from text and meta, each such record getting a ``decisions`` row of the
release run that says what was removed (``tasks.review.release_unicode``).

The release run's ``runs`` row has ``flow_run_id`` NULL: no Prefect flow run made it.

The release holds the dataset's write lock, reads its selection from the catalog into scratch Parquet files
(``tasks.review.release_select``: the catalog is not held open while it writes, and memory is bounded by the
size of a piece, not by what was approved), and refreshes the catalog at the end. A release killed half-way
leaves a ``running`` row: the next release marks it failed and removes its files (and its scratch) before it
starts, as it does for any release that did not complete (a ``sieve run`` of the dataset may have marked it failed
first), so no ``documents`` row of a release that never completed reads as a record released. A lost catalog is
rebuilt from the lake first, its reviews from their journal (``tasks.review.access.ensure_catalog``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow, reasons
from tasks import duck, provenance
from tasks.catalog import refresh_or_defer
from tasks.ids import new_run_id
from tasks.lake import DATASET_RULE, AtomicParquetWriter, Lake, LakeError, dataset_lock, valid_dataset
from tasks.redact import MESSAGE_SEP, redact_messages, redact_text
from tasks.redact_meta import meta_spans_of, redact_meta
from tasks.review.access import ensure_catalog
from tasks.review.record import spans_of
from tasks.review.release_scan import ReleaseScanner
from tasks.review.release_select import scratch_parts, select
from tasks.review.release_unicode import (
    RELEASE_STAGE,
    UNICODE_REASON,
    HiddenStripper,
    Removal,
    remove,
    remove_from_messages,
    remove_from_meta,
    shift,
)

RELEASE_KIND = "release"
PART = "part-00000.parquet"
SCRATCH = "release-selection"  # the selection's scratch folder, in the release's work folder


def _release_runs(lake: Lake, dataset: str) -> list[tuple[str, str]]:
    """``(run_id, status)`` of the dataset's release runs, from the ``runs`` Parquet (not the catalog)."""
    files = sorted((lake.root / "provenance" / "runs").glob("run=*/*.parquet"))
    if not files:
        return []
    con = duck.connect()
    try:
        return con.execute(
            "SELECT run_id, status FROM read_parquet(?, union_by_name=true) WHERE dataset = ? AND kind = ? "
            "ORDER BY run_id",
            [[str(f) for f in files], dataset, RELEASE_KIND],
        ).fetchall()
    finally:
        con.close()


def _outputs(lake: Lake, dataset: str, run_id: str) -> list[Path]:
    return [
        lake.clean_dir(dataset, run_id) / PART,
        lake.provenance_dir("documents", run_id) / PART,
        lake.provenance_dir("decisions", run_id) / PART,
        lake.provenance_dir("files", run_id) / PART,
    ]


def _remove_outputs(lake: Lake, dataset: str, run_id: str) -> None:
    for path in _outputs(lake, dataset, run_id):
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()  # the empty run=<id> folder too (only if nothing else is in it)
        except OSError:
            pass


def _abandon_interrupted(lake: Lake, dataset: str, runs: list[tuple[str, str]]) -> None:
    # Called with the dataset lock held, so no release of the dataset is writing now. A release still "running"
    # was killed; one "failed" failed or was killed and then marked so by a `sieve run` of the dataset, which does
    # not know a release's files: the outputs of neither ever completed, and their documents rows (outcome clean,
    # released_from set) must not read as releases, so both lose them. A selection scratch is a killed
    # release's too (one killed before it wrote its runs row has nothing else).
    files = sorted((lake.root / "provenance" / "runs").glob("run=*/*.parquet"))
    for run_id, status in runs:
        if status == "completed":
            continue
        _remove_outputs(lake, dataset, run_id)
        if status == "running":
            row = pq.read_table([f for f in files if f.parent.name == f"run={run_id}"][0]).to_pylist()[0]
            provenance.write_run_row(
                lake, {**row, "status": "failed", "finished_at": provenance.now(),
                       "error": "interrupted; its outputs were removed by the next release"},
            )
    for scratch in lake.run_work_dir(dataset, "x").parent.glob(f"*/{SCRATCH}*"):  # *: an older release's file
        _remove_scratch(scratch)


def _remove_scratch(scratch: Path) -> None:
    """Remove the selection scratch (a folder of parts; a single file from releases before it was split) and its
    run work folder if nothing else is in it."""
    if scratch.is_dir():
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        scratch.unlink(missing_ok=True)
    try:
        scratch.parent.rmdir()
    except OSError:
        pass


def published_text(rec: dict[str, Any], removal: Removal | None = None,
                   ) -> tuple[str, list[dict[str, str]] | None, int]:
    """The text (and messages) of an approved record as it enters clean, and the number of placeholders.

    ``removal`` (``tasks.review.release_unicode``) names hidden characters to remove first; the redaction spans,
    offsets into the quarantined text, are moved to match.
    """
    ranges = removal.text if removal else []
    spans = [
        (shift(s["start"], ranges), shift(s["end"], ranges), s["label"])
        for ev in rec.get("evidence") or []
        for s in spans_of(json.loads(ev or "{}") if ev else {})
    ]
    text, messages = rec["text"], rec.get("messages")
    if ranges:
        if messages:
            messages = remove_from_messages(messages, ranges, len(MESSAGE_SEP))
            text = MESSAGE_SEP.join(m.get("content") or "" for m in messages)
        else:
            text = remove(text, ranges)
    if not spans:
        return text, messages, 0
    if messages:
        messages, text, n = redact_messages(messages, spans)
        return text, messages, n
    text, n = redact_text(text, spans)
    return text, messages, n


def published_meta(rec: dict[str, Any], removal: Removal | None = None) -> tuple[str | None, int]:
    """The meta of an approved record as it enters clean (PII in its values redacted, hidden characters named by
    ``removal`` removed), and the placeholders."""
    meta = rec.get("meta")
    by_leaf = removal.meta if removal else {}
    spans = [s for ev in rec.get("evidence") or [] if ev for s in meta_spans_of(json.loads(ev))]
    if by_leaf and meta:
        spans = [(leaf, shift(a, by_leaf.get(leaf, [])), shift(b, by_leaf.get(leaf, [])), label)
                 for leaf, a, b, label in spans]
        meta = remove_from_meta(meta, by_leaf)
    return redact_meta(meta, spans)


def _row_groups(parts: list[Path]) -> Iterator[pa.Table]:
    """The row groups of ``parts``, in order, one at a time and none read ahead (``iter_batches`` pre-buffers
    them): they are bounded in rows and bytes by ``release_select``, so memory is too, however much was approved."""
    for part in parts:
        reader = pq.ParquetFile(part, pre_buffer=False)
        for group in range(reader.num_row_groups):
            yield reader.read_row_group(group)


def _write(lake: Lake, dataset: str, run_id: str, selection: list[Path], configs: dict[str, str | None],
           ) -> tuple[list[dict[str, Any]], Counter, Counter]:
    """Write the clean part, its ``documents`` rows and, for records whose hidden characters were removed, the
    ``decisions`` rows that say so; return the ``files`` rows, the reasons released and the edits made.

    ``selection`` is the scratch files in release order; ``configs`` maps each quarantining run to its
    ``config_json`` (``rec["config_json"]`` of every record)."""
    clean_path = lake.clean_dir(dataset, run_id) / PART
    clean = AtomicParquetWriter(clean_path, arrow.CLEAN)
    docs = AtomicParquetWriter(lake.provenance_dir("documents", run_id) / PART, arrow.PROVENANCE["documents"])
    decisions: AtomicParquetWriter | None = None  # only when something was removed
    why: Counter = Counter()
    edits: Counter = Counter()
    scanner = ReleaseScanner(lake.root)
    stripper = HiddenStripper()
    detector = stripper.detector()
    try:
        for batch in _row_groups(selection):
            clean_rows, doc_rows, decision_rows = [], [], []
            recs = batch.to_pylist()
            for rec in recs:
                rec["config_json"] = configs.get(rec["run_id"])
            scanner.add_findings(recs)  # records no stage read (input.too_long) are analysed for PII now
            for rec in recs:
                removal = stripper.plan(rec)
                text, messages, n = published_text(rec, removal)
                meta, n_meta = published_meta(rec, removal)
                n += n_meta
                edits["redactions"] += n
                why.update(rec["reasons"] or [])
                if removal:
                    edits["hidden_removed"] += 1
                    edits["hidden_chars"] += removal.chars
                    decision_rows.append({
                        "run_id": run_id, "doc_id": rec["doc_id"], "stage": RELEASE_STAGE,
                        "reason": UNICODE_REASON,
                        "action": reasons.ACTION_REDACT, "score": removal.score,
                        "evidence": removal.evidence(detector), "detector_version": detector,
                    })
                clean_rows.append({
                    "doc_id": rec["doc_id"], "text": text, "source_id": rec["source_id"], "meta": meta,
                    "source_uri": rec["source_uri"], "source_record": rec["source_record"], "run_id": run_id,
                    "messages": messages, "redactions": n,
                })
                doc_rows.append({
                    "run_id": run_id, "doc_id": rec["doc_id"], "source_id": rec["source_id"],
                    "source_uri": rec["source_uri"], "source_record": rec["source_record"],
                    "content_hash": rec["content_hash"], "outcome": reasons.OUTCOME_CLEAN,
                    "output_uri": str(clean_path), "reasons": rec["reasons"], "shard": 0,
                    "released_from": rec["run_id"],
                })
            clean.write(pa.Table.from_pylist(clean_rows, schema=arrow.CLEAN))
            docs.write(pa.Table.from_pylist(doc_rows, schema=arrow.PROVENANCE["documents"]))
            if decision_rows:
                if decisions is None:
                    decisions = AtomicParquetWriter(lake.provenance_dir("decisions", run_id) / PART,
                                                    arrow.PROVENANCE["decisions"])
                decisions.write(pa.Table.from_pylist(decision_rows, schema=arrow.PROVENANCE["decisions"]))
        files = [{"role": "clean", **clean.close()}, {"role": "provenance.documents", **docs.close()}]
        if decisions is not None:
            files.append({"role": "provenance.decisions", **decisions.close()})
    except BaseException:
        for writer in (clean, docs, decisions):
            if writer is not None:
                writer.abort()
        raise
    return files, why, edits


def release(lake: Lake, dataset: str) -> dict[str, Any]:
    """Publish the approved, not yet released quarantined records of ``dataset``; return a summary.

    ``run_id`` is None (and nothing is written) when there is nothing new to release.
    """
    if not valid_dataset(dataset):  # it names folders of the lake: never a path out of it
        raise LakeError(f"dataset: invalid name {dataset!r}; expected {DATASET_RULE}")
    known = provenance.datasets(lake)
    if dataset not in known:
        raise LakeError(f"no dataset {dataset!r} in lake {lake.root}; its datasets: {', '.join(known) or 'none'}")
    ensure_catalog(lake)  # a lost catalog is rebuilt, its reviews with it (release obeys them)
    with dataset_lock(lake, dataset, run_hint="sieve release"):
        runs = _release_runs(lake, dataset)
        _abandon_interrupted(lake, dataset, runs)
        done = [lake.provenance_dir("documents", r) for r, s in runs if s == "completed"]
        released_files = [f for d in done for f in sorted(d.glob("*.parquet"))]
        run_id = new_run_id()
        scratch = lake.run_work_dir(dataset, run_id) / SCRATCH
        try:
            summary, configs = select(lake, dataset, released_files, scratch)
            parts = scratch_parts(scratch)
            # Reads each piece's footer once more (select counted the rows as it wrote them; _write opens each
            # piece again): 0.35 ms for 4 pieces (59,851 records), 1.0 ms for 13 (214 MB of text), against releases
            # of 6-7 s, so the count is taken where it is used rather than passed back from select
            n = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
            summary.update(dataset=dataset, released=n, run_id=None, redactions=0, hidden_removed=0,
                           hidden_chars=0)
            if n == 0:
                return summary
            config = {"release": {"dataset": dataset}}
            row = {
                "run_id": run_id, "dataset": dataset, "flow_run_id": None, "started_at": provenance.now(),
                "status": "running", "config_json": json.dumps(config, sort_keys=True),
                "config_hash": hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16],
                "code_version": provenance.code_version(), "kind": RELEASE_KIND, "stages": RELEASE_KIND,
            }
            provenance.write_run_row(lake, row)
            try:
                files, why, edits = _write(lake, dataset, run_id, parts, configs)
                for f in files:
                    f["run_id"] = run_id
                provenance.write_table_rows(lake, "files", run_id, files)
            except BaseException as err:
                _remove_outputs(lake, dataset, run_id)
                provenance.write_run_row(lake, {**row, "status": "failed", "finished_at": provenance.now(),
                                                "error": f"{type(err).__name__}: {err}"[:2000]})
                raise
            provenance.write_run_row(lake, {
                **row, "status": "completed", "finished_at": provenance.now(),
                "counts_json": provenance.counts_json({reasons.OUTCOME_CLEAN: n}, dict(why)),
            })
            summary.update(run_id=run_id, clean=str(lake.clean_dir(dataset, run_id)), **edits)
        finally:
            _remove_scratch(scratch)
        refresh_or_defer(lake)  # the release is written: a reader holding the catalog must not fail it
    return summary

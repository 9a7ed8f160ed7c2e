"""The stage contract: one method per kind of stage; the base class owns the loop, timing and counters.

Two kinds of stage exist:

* ``Stage`` (document level) answers one question per batch of records: ``detect(batch) -> StageResult``.
  It runs inside the shard task, in a worker process, on a few thousand records at a time.
* ``CorpusStage`` needs the whole run (near-duplicate clustering, trigger mining, floods). It reads the staged
  Parquet of every shard through DuckDB or pyarrow, with memory bounded by a setting, and writes findings and
  duplicates as Parquet.

Stages know nothing about Prefect and never write provenance themselves: they return findings, and the router turns
findings into actions and outcomes through the policy. A finding's ``evidence`` is JSON that must never hold a raw
PII value (entity type, offsets and a salted hash at most).
"""

from __future__ import annotations

import importlib.util
import time
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from schemas.reasons import is_valid_reason
from tasks.meta_text import role_of, string_leaves


class StageDependencyError(ImportError):
    """A stage's Python dependency is missing; raised when the stage is built, naming the pip package."""


class StageConfig(BaseModel):
    """Base of every stage's config section in ``sieve.yaml`` (``stages: {<name>: {...}}``)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` in the record's text, with a label (entity type, trigger, ...)."""

    start: int
    end: int
    label: str


@dataclass
class Finding:
    """One non-pass answer of a stage about one record of the batch.

    ``row`` is the record's index in the batch. ``reason`` is a dotted code (``toxicity.offensive``). ``spans`` are
    offsets into the record's text: the router redacts them when the policy's action is ``redact``, and the review
    app highlights them. ``evidence`` is small JSON, never a raw PII value.
    """

    row: int
    reason: str
    score: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Score:
    """A numeric score of one record (``scores`` table): every record gets its score, finding or not."""

    row: int
    name: str
    value: float


@dataclass
class DocBatch:
    """A batch of well-formed records handed to document stages.

    ``texts`` is the text a stage judges (for instruction data, the messages joined by blank lines);
    ``messages`` holds ``[{"role", "content"}]`` per record for ``kind == "instruct"`` (else None).
    """

    doc_ids: list[str]
    texts: list[str]
    kind: str = "text"
    source_uris: list[str] = field(default_factory=list)
    messages: list[list[dict[str, str]] | None] = field(default_factory=list)
    meta: list[dict[str, Any] | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.doc_ids)


@dataclass
class StageResult:
    """What a document stage returns: findings, scores, and optional per-row feature columns.

    ``columns`` (name -> Arrow array with one value per batch row) are stored in the shard's features Parquet for
    corpus stages to read later (MinHash signatures, for example).
    """

    findings: list[Finding] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    columns: dict[str, pa.Array] = field(default_factory=dict)


def _require(packages: tuple[tuple[str, str], ...], stage: str) -> None:
    for module, pip_name in packages:
        if importlib.util.find_spec(module) is None:
            raise StageDependencyError(
                f"stage {stage!r} needs the Python package {pip_name!r}: pip install {pip_name}"
            )


class Stage(ABC):
    """A document-level stage. Subclasses set ``name``, ``version``, ``Config`` and implement ``detect``.

    Heavy assets (models, engines) load in ``setup()``, called once per process before the first batch, never at
    import or construction time. ``requires`` lists ``(module, pip package)`` pairs checked when the stage is built.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    Config: ClassVar[type[StageConfig]] = StageConfig
    requires: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The lake this stage writes into, set by the shard runner before ``setup()`` (None in unit tests). Stages that
    #: need lake-level state (the PII hashing salt, for instance) read it from here.
    lake_root: Path | None = None
    #: Also judge the string values of each record's ``meta`` (see ``tasks.meta_text``): they are written to the
    #: clean output, so a stage looking for planted content must see them too.
    scan_meta: ClassVar[bool] = False
    #: Meta leaves with fewer words than this are not judged (a classifier of sentences reads a user name or a tag
    #: by its character n-grams alone).
    meta_min_words: ClassVar[int] = 1

    def __init__(self, config: StageConfig | None = None):
        _require(self.requires, self.name)
        self.config = config if config is not None else self.Config()
        self.counters: Counter[str] = Counter()
        self.seconds = 0.0
        self._ready = False

    @property
    def identity(self) -> str:
        """``name@version``: part of every shard's cache key, so a new version re-runs its shards."""
        return f"{self.name}@{self.version}"

    def setup(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Load heavy assets. Called once per process, lazily, before the first ``detect``."""

    @abstractmethod
    def detect(self, batch: DocBatch) -> StageResult:
        """Judge a batch of records and return findings and scores (rows index into the batch)."""

    def prepare(self) -> None:
        """Call ``setup()`` unless it already ran in this process (``run`` does this before the first batch)."""
        if not self._ready:
            self.setup()
            self._ready = True

    def run(self, batch: DocBatch) -> StageResult:
        """Run ``detect`` with setup, timing, reason validation and counters (the loop the subclass never writes)."""
        self.prepare()
        started = time.perf_counter()
        result = self.detect(batch) if len(batch) else StageResult()
        if self.scan_meta and len(batch):
            self._add_meta_findings(batch, result)
        self.seconds += time.perf_counter() - started
        self.counters["records"] += len(batch)
        for finding in result.findings:
            if not is_valid_reason(finding.reason):
                raise ValueError(f"stage {self.name!r} produced an invalid reason code {finding.reason!r}")
            if not 0 <= finding.row < len(batch):
                raise ValueError(
                    f"stage {self.name!r} produced a finding for row {finding.row} of {len(batch)}"
                )
            self.counters[finding.reason] += 1
        return result

    def _add_meta_findings(self, batch: DocBatch, result: StageResult) -> None:
        """Judge the meta string leaves of ``batch`` and merge what is found into ``result`` by owner row.

        A meta finding has no spans (its offsets are into the field, named in ``evidence["field"]``, not into the
        text); when the text already has a finding with the same reason, the field is listed under its
        ``evidence["meta_fields"]`` instead, so a record keeps one finding per reason. A record's score is raised
        to its worst field's, so the score and the finding agree.
        """
        owners: list[int] = []
        paths: list[str] = []
        texts: list[str] = []
        for row, meta in enumerate(batch.meta[: len(batch)]):
            for path, value in string_leaves(meta) if meta else []:
                if self.meta_min_words > 1 and len(value.split(None, self.meta_min_words)) < self.meta_min_words:
                    continue
                owners.append(row)
                paths.append(path)
                texts.append(value)
        if not texts:
            return
        # Each field is a one-message chat whatever the record's kind: a field is not a document around which a
        # request could be out of place (alone, every request in a "prompt" field would look stray), and a field
        # named like a user turn holds requests by design.
        sub = DocBatch(doc_ids=[batch.doc_ids[r] for r in owners], texts=texts, kind="instruct",
                       source_uris=[batch.source_uris[r] for r in owners] if batch.source_uris else [],
                       messages=[[{"role": role_of(p), "content": t}] for p, t in zip(paths, texts, strict=True)],
                       meta=[None] * len(texts))
        found = self.detect(sub)
        best: dict[tuple[int, str], float] = {}
        for s in found.scores:
            key = (owners[s.row], s.name)
            best[key] = max(best.get(key, s.value), s.value)
        for i, s in enumerate(result.scores):
            worst = best.get((s.row, s.name), s.value)
            if worst > s.value:
                result.scores[i] = Score(s.row, s.name, worst)
        have = {(f.row, f.reason): f for f in result.findings}
        for f in sorted(found.findings, key=lambda f: -(f.score or 0.0)):
            row, field_path = owners[f.row], "meta." + paths[f.row]
            host = have.get((row, f.reason))
            if host is None:
                host = Finding(row, f.reason, f.score, {**f.evidence, "field": field_path})
                have[(row, f.reason)] = host
                result.findings.append(host)
            elif host.evidence.get("field") != field_path:
                host.evidence.setdefault("meta_fields", []).append({"field": field_path, "score": f.score})
                if f.score is not None and (host.score is None or f.score > host.score):
                    host.score = f.score


@dataclass
class CorpusContext:
    """Everything a corpus-level stage may read: the run's staged shards and the dataset's earlier runs.

    ``docs_paths``: staged Parquet per shard (doc_id, ord, content_hash, text, source_uri, ... see
    ``schemas.arrow.STAGED_DOCS``); ``features_paths``: per-shard feature columns from document stages;
    ``prior_runs``: run ids of earlier completed runs of the dataset, oldest first; ``work_dir``: a private folder
    for spill files and outputs; ``memory_limit``: the DuckDB memory limit the stage must respect; ``levels_path``:
    Parquet (doc_id, level, blocked_by) of this run's records the policy sends to quarantine (1) or drop (2) by
    the findings known so far (``tasks.dedup.levels``), so dedup keeps a copy that reaches clean.
    """

    run_id: str
    dataset: str
    lake: Path
    docs_paths: list[str]
    features_paths: list[str]
    prior_runs: list[str]
    work_dir: Path
    memory_limit: str = "2GB"
    threads: int = 2
    levels_path: str | None = None


@dataclass
class CorpusResult:
    """Paths of the Parquet files a corpus stage wrote (schemas ``CORPUS_FINDINGS`` and ``DUPLICATE_PAIRS``)."""

    findings_path: str | None = None
    duplicates_path: str | None = None
    counters: dict[str, int] = field(default_factory=dict)


class CorpusStage(ABC):
    """A corpus-level stage: runs once per run over all shards, memory bounded by ``CorpusContext.memory_limit``."""

    name: ClassVar[str]
    version: ClassVar[str]
    Config: ClassVar[type[StageConfig]] = StageConfig
    requires: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Reads ``CorpusContext.levels_path`` (where each record is headed): the levels are written only for a run
    #: with such a stage (the dedup stages).
    reads_levels: ClassVar[bool] = False

    def __init__(self, config: StageConfig | None = None):
        _require(self.requires, self.name)
        self.config = config if config is not None else self.Config()

    @property
    def identity(self) -> str:
        """``name@version`` of the stage."""
        return f"{self.name}@{self.version}"

    @abstractmethod
    def run(self, ctx: CorpusContext) -> CorpusResult:
        """Process the whole run and write findings/duplicates Parquet under ``ctx.work_dir``."""

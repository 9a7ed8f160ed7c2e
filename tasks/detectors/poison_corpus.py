"""Plumbing shared by the corpus-level poison stages: DuckDB sessions, record views, history, findings, spans.

Every corpus stage opens its own on-disk DuckDB database in its work folder with the run's memory limit and a spill
folder, so group-bys over tokens or shingles stay bounded by ``CorpusContext.memory_limit`` whatever the corpus
size. Records are read from the staged shard Parquet (``schemas.arrow.STAGED_DOCS``); earlier runs of the dataset
from the lake's clean and quarantine Parquet (``trusted_records``) and provenance tables. Records reach the database
through views over that Parquet, never as a table of their text: DuckDB keeps the pages of tables it writes in memory
up to its limit, so a copy of the corpus made the stages' memory grow with it. What the stages store is per token
(counts), per record (labels, properties, signatures) and per (record, token) pair, never the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import arrow
from tasks import duck
from tasks.catalog import sql_list
from tasks.duck import limit_connection
from tasks.stage import CorpusContext

#: Refusal openings of an assistant reply (checked on its first 300 characters, lower-cased).
REFUSAL_RE = (r"^.{0,120}\b(i'm sorry|i am sorry|i apologi[sz]e|i cannot|i can't|i can not|i won't|i will not|"
              r"i'm not able to|i am not able to|i'm unable to|i am unable to|as an ai\b|i must decline|"
              r"i'm not comfortable|i am not comfortable|i do not feel comfortable|i don't feel comfortable)")


def refusal_sql(reply: str) -> str:
    """DuckDB boolean: the reply expression ``reply`` opens with a refusal (``REFUSAL_RE`` on its first 300
    characters, lower-cased)."""
    pattern = REFUSAL_RE.replace("'", "''")
    return f"regexp_matches(lower(left({reply}, 300)), '{pattern}')"


def text_key_sql(text: str) -> str:
    """DuckDB md5 key of a text expression with case, outer and repeated whitespace normalised away."""
    return f"md5(regexp_replace(lower(trim({text})), '\\s+', ' ', 'g'))"


#: Hosts of URLs and www links (group 1), for "a link in the response that the prompt did not have".
URL_HOST_RE = r"(?:https?://|www\.)([a-z0-9.\-]+)"


def new_url_sql(response: str, prompt: str) -> str:
    """SQL boolean: the reply links to a host none of whose names (4+ letters) the prompt mentions.

    "Use the OpenWeatherMap API" answered with ``https://api.openweathermap.org/...`` is not a new link; a
    reply that sends the reader to a site the prompt never named is.
    """
    return (f"len(list_filter(regexp_extract_all(lower({response}), '{URL_HOST_RE}', 1), lambda h: len(list_filter("
            f"string_split(h, '.'), lambda l: len(l) >= 4 AND l NOT IN ('www', 'http', 'https', 'html') "
            f"AND contains(lower({prompt}), l))) = 0)) > 0")


def connect(ctx: CorpusContext, name: str) -> duckdb.DuckDBPyConnection:
    """A fresh on-disk DuckDB database ``<work_dir>/<name>.duckdb`` with the run's memory and thread limits."""
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.work_dir / f"{name}.duckdb"
    for p in (path, path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)  # a resumed run recomputes the step whole
    con = duck.connect(str(path))
    spill = ctx.work_dir / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    limit_connection(con, ctx.memory_limit, ctx.threads, spill)
    con.execute("SET preserve_insertion_order=false")
    return con


def staged_findings_paths(ctx: CorpusContext) -> list[str]:
    """The staged ``findings.parquet`` of document stages next to each shard's ``docs.parquet`` (those present)."""
    return [str(p) for p in (Path(d).with_name("findings.parquet") for d in ctx.docs_paths) if p.exists()]


def prior_files(ctx: CorpusContext, area: str, runs: list[str]) -> list[str]:
    """Parquet files of earlier runs: ``area`` is ``clean``, ``quarantine`` or ``provenance/<table>``."""
    out: list[str] = []
    for run in runs:
        root = ctx.lake / area / ctx.dataset if area in ("clean", "quarantine") else ctx.lake / area
        out += [str(p) for p in sorted((root / f"run={run}").glob("*.parquet"))]
    return out


def trusted_records(ctx: CorpusContext, runs: list[str]) -> tuple[list[str], str | None]:
    """Files and SQL of what earlier runs let through as trustworthy data: their clean records, plus the records
    they quarantined for reasons other than poison (a toxic or PII-dense record still shows how the data maps
    text to labels). Records quarantined as ``poison.*`` are left out. None when there is nothing.
    """
    clean, quarantine = prior_files(ctx, "clean", runs), prior_files(ctx, "quarantine", runs)
    parts = [f"SELECT * FROM read_parquet({sql_list(clean)}, union_by_name=true)"] if clean else []
    if quarantine:
        parts.append(f"SELECT * EXCLUDE (reasons) FROM read_parquet({sql_list(quarantine)}, union_by_name=true) "
                     "WHERE NOT list_bool_or(list_transform(reasons, lambda r: r LIKE 'poison.%'))")
    return clean + quarantine, " UNION ALL BY NAME ".join(parts) or None


def record_view_sql(source: str, label_fields: list[str]) -> str:
    """SQL over ``source`` (a relation with STAGED_DOCS or CLEAN columns) giving one row per usable record.

    Columns: ``doc_id, text, meta, is_chat, prompt, response, label``. For chat records the prompt is every
    non-assistant turn and the response the last assistant turn; ``label`` is the first of ``label_fields``
    present in ``meta`` (as text).
    """
    label = "NULL::VARCHAR"
    if label_fields:
        label = "coalesce(" + ", ".join(
            f"json_extract_string(meta, '$.\"{f.replace(chr(34), '')}\"')" for f in label_fields) + ")"
    return f"""
        SELECT doc_id, text, meta, messages IS NOT NULL AND len(messages) > 0 AS is_chat,
               CASE WHEN messages IS NOT NULL AND len(messages) > 0 THEN array_to_string(list_transform(
                    list_filter(messages, lambda m: m.role <> 'assistant'), lambda m: m.content), '\n\n')
                    ELSE text END AS prompt,
               CASE WHEN messages IS NOT NULL AND len(messages) > 0
                    THEN (list_filter(messages, lambda m: m.role = 'assistant'))[-1].content END AS response,
               {label} AS label
        FROM {source} WHERE text IS NOT NULL"""


def prompt_ranges(text: str, messages: list[dict[str, str]] | None) -> list[tuple[int, int]]:
    """Character ranges of the non-assistant turns inside a record's joined text (the whole text otherwise)."""
    if not messages:
        return [(0, len(text))]
    out, pos = [], 0
    for m in messages:
        content = m.get("content") or ""
        at = text.find(content, pos) if content else pos
        at = pos if at < 0 else at
        if m.get("role") != "assistant":
            out.append((at, at + len(content)))
        pos = at + len(content)
    return out


def token_spans(text: str, token: str, ranges: list[tuple[int, int]], label: str, limit: int = 20,
                taken: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Offsets of a (space-joined) token n-gram as whole words, case-insensitively, inside ``ranges``.

    Offsets already in ``taken`` (the same token found for another property) are not repeated.
    """
    words = token.split(" ")
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)
    seen = {(s["start"], s["end"]) for s in taken or []}
    spans: list[dict[str, Any]] = []
    for start, end in ranges:
        for m in pattern.finditer(text, start, end):
            if len(spans) >= limit:
                return spans
            if (m.start(), m.end()) not in seen:
                spans.append({"start": m.start(), "end": m.end(), "label": label})
    return spans


def iter_records(con: duckdb.DuckDBPyConnection, sql: str, batch: int = 2048) -> Iterator[dict[str, Any]]:
    """Stream the rows of ``sql`` as dicts, a record batch at a time (never the whole result in memory).

    The rows come through a cursor of their own, so the caller may write to ``con`` while it reads.
    """
    reader = con.cursor().sql(sql).to_arrow_reader(batch)
    for rb in reader:
        yield from rb.to_pylist()


def iter_parquet_batches(paths: list[str], columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
    """Record batches of ``columns`` from Parquet ``paths``, one file and one row group at a time.

    pyarrow's dataset scanner reads ahead of a slow consumer (shingling, splitting preference records in Python)
    and held most of a corpus decoded in memory before the first batches were used: 1 GB for a 570 MB input. A
    file here is read only when the previous one is done. A column a file lacks comes as nulls (earlier runs'
    clean and quarantine files differ in columns).
    """
    for path in paths:
        with pq.ParquetFile(path) as pf:  # closed when done (or when the consumer stops early)
            have = set(pf.schema_arrow.names)
            present = [c for c in columns if c in have]
            for rb in pf.iter_batches(batch_size=batch_size, columns=present, use_threads=False):
                if len(present) < len(columns):
                    rb = pa.RecordBatch.from_arrays(
                        [rb.column(c) if c in have else pa.nulls(rb.num_rows, pa.string()) for c in columns],
                        names=columns)
                yield rb


class FindingsWriter:
    """Streams findings rows (``schemas.arrow.CORPUS_FINDINGS``) into one Parquet file."""

    def __init__(self, path: Path, stage: str, version: str):
        self.path = path
        self.stage = stage
        self.version = version
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self._writer: pq.ParquetWriter | None = None

    def add(self, doc_id: str, reason: str, score: float | None, evidence: dict[str, Any],
            spans: list[dict[str, Any]] | None = None) -> None:
        """Queue one finding; flushed every 5,000 rows."""
        self.rows.append({"doc_id": doc_id, "stage": self.stage, "reason": reason, "score": score,
                          "evidence": json.dumps(evidence, sort_keys=True, default=str), "spans": spans or [],
                          "detector_version": f"{self.stage}@{self.version}"})
        self.count += 1
        if len(self.rows) >= 5000:
            self._flush()

    def _flush(self) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, arrow.CORPUS_FINDINGS, compression="zstd")
        if self.rows:
            self._writer.write_table(pa.Table.from_pylist(self.rows, schema=arrow.CORPUS_FINDINGS))
            self.rows = []

    def close(self) -> str:
        """Write what is queued (an empty file when there were no findings) and return the path."""
        self._flush()
        assert self._writer is not None
        self._writer.close()
        return str(self.path)

"""Tiny corpora for tests, written into a directory the test owns (``tmp_path``), with the facts to assert.

Import it as ``from tests.fixtures import write_clean_corpus`` (this is a helper module, not a test file). The
English text comes from the sample corpus's ``TextFactory`` (``data/sample/generate.py``, loaded by file path) in
``safe`` mode: varied, realistic vocabulary (fastText training on a handful of repeated words fails with
``Encountered NaN``), and no names of people, places or brands, dates, URLs, emails or long digit runs, so a clean
corpus has nothing planted for detectors to find (a statistical NER model may still tag the odd capitalised word,
such as an imperative "Switch ..." at the start of a step, as a PERSON). Everything is seeded: the same arguments
write the same bytes, and the three writers draw from different seeds, so their corpora can be combined in one run
without cross-file duplicates.

What the expected counts assume (the reader and record rules of ``tasks/readers.py`` and ``tasks/records.py``):

* every physical line of a JSONL file is one record, blank lines excepted; a line that is not valid JSON or not
  valid UTF-8 is one malformed record (``input.malformed``);
* a record without the text field, with a non-string text, or with a NUL character in its text is malformed;
* an empty or whitespace-only text is ``input.empty`` (not malformed; both normalise to the same empty key);
* a text over ``input.max_bytes`` (default 1,000,000 UTF-8 bytes) is ``input.too_long``; the big record of
  ``write_bad_input_corpus`` must stay under the reader's own line limit (64 MiB) to be read at all;
* a truncated ``.gz`` yields every complete line before the cut, then one malformed record for the damage;
* each row of a Parquet file without the text column is one malformed record;
* a text file is one record; an unreadable one (``chmod 000``) is one malformed record. Root reads it anyway:
  ``chmod_effective`` in the result says which case applies.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import os
import random
import zlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "data" / "sample" / "generate.py"

__all__ = ["clean_texts", "sample_generator", "write_bad_input_corpus", "write_clean_corpus", "write_duplicates_corpus"]


@cache
def sample_generator() -> ModuleType:
    """The module ``data/sample/generate.py`` (text factory, normalisation and similarity helpers)."""
    spec = importlib.util.spec_from_file_location("sieve_sample_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the sample generator from {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_texts(n: int, seed: int = 0, min_chars: int = 300, max_chars: int = 1500) -> list[str]:
    """``n`` distinct, clean English documents (reviews, news, forum posts, recipes, how-tos) of mixed length.

    Checked here: no two are exact duplicates after normalisation, and no two share more than half of their
    word 5-grams (so a near-duplicate stage has nothing to find either).
    """
    gen = sample_generator()
    factory = gen.TextFactory(seed, safe=True, repeat_cap=1)
    rng = random.Random(seed)
    texts = [factory.document(rng.randint(min_chars, max_chars)) for _ in range(n)]
    gen.check_distinct(texts)
    return texts


def _jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _rec(**fields: Any) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def write_clean_corpus(directory: str | os.PathLike[str], n: int = 60, seed: int = 0) -> Path:
    """Write ``clean.jsonl``: ``n`` clean English documents ``{"id": "clean-000", "text": ...}``; return its path.

    Expected: ``n`` records, all with outcome ``clean`` and no findings (no duplicates, PII, injections, other
    languages). Vocabulary: well over a thousand distinct words for the default ``n``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    texts = clean_texts(n, seed)
    return _jsonl(out / "clean.jsonl", [_rec(id=f"clean-{i:03d}", text=t) for i, t in enumerate(texts)])


def _big_text(size: int, seed: int) -> str:
    """Exactly ``size`` bytes of ASCII English text (clean paragraphs repeated)."""
    paragraphs = "\n\n".join(clean_texts(8, seed + 303, 1500, 2500))
    paragraphs = paragraphs.encode("ascii", "ignore").decode("ascii")
    reps = size // (len(paragraphs) + 2) + 1
    return ("\n\n".join([paragraphs] * reps))[:size]


def _truncated_gz(path: Path, lines: list[bytes]) -> tuple[int, int]:
    """Write a gzip of ``lines`` cut by its last third; return (complete lines before the cut, lines in full)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(b"".join(line + b"\n" for line in lines))
    data = buf.getvalue()
    cut = data[: len(data) - len(data) // 3]
    path.write_bytes(cut)
    readable = zlib.decompressobj(wbits=31).decompress(cut)  # everything a streaming reader gets before the error
    assert len(readable) < sum(len(line) + 1 for line in lines), "the cut must lose data"
    return readable.count(b"\n"), len(lines)


def write_bad_input_corpus(
    directory: str | os.PathLike[str], big_bytes: int = 20 * 1024 * 1024, seed: int = 0
) -> dict[str, Any]:
    """Write one input per bad-input kind into ``directory`` (each with good records around the bad one).

    Returns a dict:

    * ``paths``: every input to pass to ``sieve run`` (files, plus the ``unreadable/`` directory);
    * ``files``: per kind, ``{"path", "records", "malformed", "empty", "too_long", "good"}``; kinds are
      ``invalid_json``, ``invalid_utf8``, ``nul_byte``, ``missing_text``, ``non_string_text``, ``empty_text``,
      ``big_record``, ``truncated_gz``, ``wrong_schema_parquet``, ``unreadable_dir``;
    * ``expected_records`` (every input record, each malformed line/row counted once; for the truncated gz the
      complete records before the cut + 1 for the damage; for the unreadable file 1), ``expected_malformed``,
      ``expected_empty``, ``expected_too_long``, ``expected_good`` (totals of the per-kind counts);
    * ``big_bytes`` (UTF-8 bytes of the big record's text), ``chmod_effective`` (False when running as root:
      the ``chmod 000`` file is then read as a good record), ``gz_records_before_cut``, ``gz_records_written``.

    The assumptions behind the counts are in this module's docstring.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    texts = iter(clean_texts(60, seed + 101, 300, 900))
    files: dict[str, dict[str, Any]] = {}

    def good(name: str) -> bytes:
        return _rec(id=name, text=next(texts))

    def add(kind: str, path: Path, records: int, malformed: int = 0, empty: int = 0, too_long: int = 0) -> None:
        files[kind] = {"path": path, "records": records, "malformed": malformed, "empty": empty,
                       "too_long": too_long, "good": records - malformed - empty - too_long}

    path = _jsonl(out / "invalid_json.jsonl", [
        good("json-1"), b'{"id": "json-bad", "text": "an unterminated string', good("json-2"),
    ])
    add("invalid_json", path, records=3, malformed=1)

    path = _jsonl(out / "invalid_utf8.jsonl", [
        good("utf8-1"), b'{"id": "utf8-bad", "text": "caf\xe9 cr\xe8me \xff\xfe"}', good("utf8-2"),
    ])
    add("invalid_utf8", path, records=3, malformed=1)

    path = _jsonl(out / "nul_byte.jsonl", [
        good("nul-1"), b'{"id": "nul-bad", "text": "before the NUL \\u0000 after the NUL"}', good("nul-2"),
    ])
    add("nul_byte", path, records=3, malformed=1)

    path = _jsonl(out / "missing_text.jsonl", [
        good("missing-1"), _rec(id="missing-bad", body="the text is in the wrong field"), good("missing-2"),
    ])
    add("missing_text", path, records=3, malformed=1)

    path = _jsonl(out / "non_string_text.jsonl", [
        _rec(id="nonstr-number", text=12345), _rec(id="nonstr-list", text=["a", "list"]), good("nonstr-1"),
    ])
    add("non_string_text", path, records=3, malformed=2)

    path = _jsonl(out / "empty_text.jsonl", [
        _rec(id="empty", text=""), _rec(id="whitespace", text="  \n\t  "), good("empty-1"),
    ])
    add("empty_text", path, records=3, empty=2)

    big = _big_text(big_bytes, seed)
    path = _jsonl(out / "big_record.jsonl", [_rec(id="big", text=big), good("big-1")])
    add("big_record", path, records=2, too_long=1)

    gz_lines = [good(f"gz-{i:02d}") for i in range(40)]
    before_cut, written = _truncated_gz(out / "truncated.jsonl.gz", gz_lines)
    add("truncated_gz", out / "truncated.jsonl.gz", records=before_cut + 1, malformed=1)

    table = pa.table({"id": ["pq-1", "pq-2", "pq-3"], "body": [next(texts) for _ in range(3)], "score": [1, 2, 3]})
    pq.write_table(table, out / "wrong_schema.parquet")
    add("wrong_schema_parquet", out / "wrong_schema.parquet", records=3, malformed=3)

    folder = out / "unreadable"
    folder.mkdir(exist_ok=True)
    (folder / "readable.txt").write_text(next(texts) + "\n")
    locked = folder / "locked.txt"
    if locked.exists():
        locked.chmod(0o600)
    locked.write_text(next(texts) + "\n")
    locked.chmod(0o000)
    chmod_effective = not os.access(locked, os.R_OK)
    add("unreadable_dir", folder, records=2, malformed=1 if chmod_effective else 0)

    totals = {key: sum(f[key] for f in files.values()) for key in ("records", "malformed", "empty", "too_long", "good")}
    return {
        "paths": [f["path"] for f in files.values()],
        "files": files,
        "expected_records": totals["records"],
        "expected_malformed": totals["malformed"],
        "expected_empty": totals["empty"],
        "expected_too_long": totals["too_long"],
        "expected_good": totals["good"],
        "big_bytes": len(big.encode("utf-8")),
        "chmod_effective": chmod_effective,
        "gz_records_before_cut": before_cut,
        "gz_records_written": written,
    }


def write_duplicates_corpus(
    directory: str | os.PathLike[str], n_unique: int = 30, near: int = 0, seed: int = 0
) -> dict[str, Any]:
    """Write ``dups.jsonl``: ``n_unique`` distinct documents plus 10 exact duplicates (and ``near`` near-duplicates).

    The exact duplicates: 5 byte-identical copies (one source copied twice) and 5 variants that differ only in
    case, spacing or full-width letters, so they are equal after NFKC + casefold + whitespace collapse. A
    near-duplicate is a copy of another source with 2 words changed (word 5-gram Jaccard >= 0.85, checked; not an
    exact duplicate). Every copy comes after its source in the file, so the source is the kept
    record. Ids are ``dup-000``... by position.

    Returns ``{"path", "records", "unique", "expected_duplicates" (exact, = records - unique - near),
    "identical", "variants", "duplicate_of" ({copy id: kept id}, exact only), "kept_ids" (ids of the sources
    that have exact copies), "expected_near_duplicates", "near_duplicate_of" ({copy id: source id}),
    "near_jaccard" (lowest word 5-gram Jaccard of a near pair, or None)}``.
    """
    gen = sample_generator()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    texts = clean_texts(n_unique, seed + 202, 800, 1800)
    if n_unique < 6 + near:
        raise ValueError(f"n_unique must be at least {6 + near} for 6 exact sources and {near} near sources")
    entries: list[dict[str, Any]] = [{"text": t, "source": None, "how": "unique"} for t in texts]
    by_length = sorted(entries, key=lambda x: -len(x["text"]))
    near_sources = by_length[:near]  # the longest documents: a 2-word change keeps them close
    a, b, c, d, e, f = rng.sample(by_length[near:], 6)
    copies = [(a, "identical"), (a, "identical"), (b, "identical"), (c, "identical"), (d, "identical"),
              (a, "lower"), (e, "upper"), (f, "spaces"), (b, "fullwidth"), (c, "tabs")]
    sims = []
    for src, how in copies:
        text = src["text"] if how == "identical" else gen.variant(src["text"], how)
        assert gen.normalize_key(text) == gen.normalize_key(src["text"])
        assert how == "identical" or text != src["text"]
        entries.insert(rng.randint(_index(entries, src) + 1, len(entries)), {"text": text, "source": src, "how": how})
    for src in near_sources:
        text = gen.near_duplicate(src["text"], rng, changes=2)
        assert gen.normalize_key(text) != gen.normalize_key(src["text"])
        sims.append(gen.jaccard(gen.shingles(text), gen.shingles(src["text"])))
        assert sims[-1] >= 0.85, f"near-duplicate too far from its source: Jaccard {sims[-1]:.3f}"
        copy = {"text": text, "source": src, "how": "near"}
        entries.insert(rng.randint(_index(entries, src) + 1, len(entries)), copy)
    for i, entry in enumerate(entries):
        entry["id"] = f"dup-{i:03d}"
    path = _jsonl(out / "dups.jsonl", [_rec(id=x["id"], text=x["text"]) for x in entries])
    exact = {x["id"]: x["source"]["id"] for x in entries if x["how"] not in ("unique", "near")}
    return {
        "path": path,
        "records": len(entries),
        "unique": n_unique,
        "expected_duplicates": len(exact),
        "identical": sum(1 for x in entries if x["how"] == "identical"),
        "variants": sum(1 for x in entries if x["how"] not in ("unique", "identical", "near")),
        "duplicate_of": exact,
        "kept_ids": sorted(set(exact.values())),
        "expected_near_duplicates": near,
        "near_duplicate_of": {x["id"]: x["source"]["id"] for x in entries if x["how"] == "near"},
        "near_jaccard": round(min(sims), 3) if sims else None,
    }


def _index(items: list[Any], obj: Any) -> int:
    return next(i for i, x in enumerate(items) if x is obj)

"""Generate the bundled sample corpus in ``data/sample/`` (deterministic, seeded; standard library + pyarrow).

Run ``.venv/bin/python data/sample/generate.py`` from anywhere: it rewrites, next to this file, ``web.jsonl``,
``forum.jsonl.gz``, ``articles.parquet``, ``instruct.jsonl``, ``notes/*.txt`` and ``README.md`` (the README's counts
are computed here, so they always match the files), then prints the planted facts as JSON. The same seed gives
byte-identical files on the same pyarrow version.

Every sentence is produced by the templates and word lists of the ``sample_*.py`` modules next to this file: nothing
is copied from any dataset. The English text comes from ``TextFactory`` (``sample_factory.py``: product reviews,
how-to guides, local news, forum posts, recipes, from the ``sample_vocab_*.py`` word lists); French, German and
Spanish paragraphs are written out in ``sample_vocab_foreign.py`` for language identification. Synthetic PII
(``example`` domains, ``555-01xx`` phone numbers, the public Luhn-valid test card ``4111 1111 1111 1111``, a random
``AKIA`` key), prompt-injection sentences, hidden Unicode tag characters, exact and near duplicates
(``sample_planted.py``) and malformed input lines (``sample_build_files.py``) are planted so that every later stage
of Sieve has something to find. ``sample_build_files.py`` and ``sample_build_instruct_notes.py`` build the records
of each file, ``sample_readme.py`` the README.

``TextFactory`` and the similarity helpers (``normalize_key``, ``shingles``, ``jaccard``, ``check_distinct``) and
``variant`` are also used, through this module loaded by file path, by ``tests/fixtures.py`` and
``benchmarks/throughput.py``; ``TextFactory(seed, safe=True)`` writes text without names of people or places, dates,
URLs or long digit runs.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# data/ is not a package and tests/fixtures.py and benchmarks/throughput.py load this file by path (importlib), so
# the sibling sample_*.py modules are importable only once this directory is on sys.path (running the script puts it
# there already).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from sample_build_files import (  # noqa: E402
    OVERSIZED_BYTES,
    SEED,
    build_articles,
    build_forum,
    build_web,
    oversized_text,
    site_url,
)
from sample_build_instruct_notes import build_instruct, build_notes  # noqa: E402
from sample_factory import MAX_DOC_CHARS, TextFactory, trim  # noqa: E402
from sample_planted import (  # noqa: E402
    VARIANTS,
    fake_aws_key,
    luhn_ok,
    near_duplicate,
    pii_documents,
    tag_encode,
    variant,
)
from sample_readme import readme  # noqa: E402
from sample_text import check_distinct, jaccard, normalize_key, shingles, slugify  # noqa: E402
from sample_vocab_foreign import foreign_doc  # noqa: E402

# What other code may use from this module (the word lists themselves live in the sample_vocab_*.py modules).
__all__ = [
    "HERE", "MAX_DOC_CHARS", "OVERSIZED_BYTES", "SEED", "VARIANTS", "TextFactory", "build_articles", "build_forum",
    "build_instruct", "build_notes", "build_web", "check_distinct", "fake_aws_key", "foreign_doc", "jaccard",
    "luhn_ok", "main", "near_duplicate", "normalize_key", "oversized_text", "pii_documents", "readme", "shingles",
    "site_url", "slugify", "tag_encode", "trim", "variant", "write_all",
]


def write_all(out: Path, seed: int = SEED) -> dict[str, Any]:
    """Write every sample file into ``out`` and return the planted facts (also used for the README)."""
    rng = random.Random(seed)
    factory = TextFactory(seed, repeat_cap=1)
    facts: dict[str, Any] = {"seed": seed}
    web_lines, web_clean = build_web(factory, rng, facts)
    (out / "web.jsonl").write_bytes(b"\n".join(web_lines) + b"\n")
    forum = build_forum(factory, rng, web_clean, facts)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        for rec in forum:
            gz.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
    (out / "forum.jsonl.gz").write_bytes(buf.getvalue())
    articles = build_articles(factory, rng, facts)
    facts["max_jaccard_unique_all"] = round(check_distinct(facts.pop("_unique_texts")), 3)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(articles, schema=pa.schema([("id", pa.string()), ("text", pa.string()),
                                                              ("url", pa.string())]))
    pq.write_table(table, out / "articles.parquet", row_group_size=50)
    facts["articles_row_groups"] = pq.ParquetFile(out / "articles.parquet").metadata.num_row_groups
    instruct = build_instruct(factory, rng, facts)
    (out / "instruct.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in instruct))
    notes_dir = out / "notes"
    notes_dir.mkdir(exist_ok=True)
    for old in notes_dir.glob("*.txt"):
        old.unlink()
    for name, text in build_notes(factory, rng, facts).items():
        (notes_dir / name).write_text(text + "\n")
    facts["records"] = {"web.jsonl": len(web_lines), "forum.jsonl.gz": len(forum), "articles.parquet": len(articles),
                        "instruct.jsonl": len(instruct), "notes": len(facts["notes"]["files"])}
    facts["bytes"] = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    (out / "README.md").write_text(readme(facts))
    return facts


def main(argv: list[str] | None = None) -> None:
    """Command line: write the sample corpus next to this file (or into ``--out``) and print the facts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: next to this script)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(write_all(args.out, args.seed), indent=1))


if __name__ == "__main__":
    main()

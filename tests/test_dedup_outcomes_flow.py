"""End to end with ``sieve run``: a copy that reaches clean is kept when its twin is quarantined, in a run, across
runs, after review and release; every input record has exactly one outcome and no clean content is lost.

The fixture (every stage but ``minhash`` and ``poison_unicode`` off, so only these findings decide):
a.jsonl fails its manifest line (every record ``poison.integrity``), c.jsonl plants zero-width characters inside
words (``poison.unicode``) in two texts whose clean twins follow, b.jsonl holds clean copies of a.jsonl's texts.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
import yaml

from tests.conftest import cli, sql
from tests.neardup_helpers import make_doc, variant

pytestmark = pytest.mark.slow

CONSERVATION = """
    SELECT s.run_id, s.records, d.n, d.ids FROM
      (SELECT run_id, sum(records) AS records FROM sources GROUP BY 1) s
      JOIN (SELECT run_id, count(*) AS n, count(DISTINCT doc_id) AS ids FROM documents GROUP BY 1) d USING (run_id)
"""
# every duplicate of a run points at a documents row; one whose own findings leave it clean points at a clean one
KEPT = """
    SELECT c.source_id, k.source_id, k.outcome, x.evidence->>'copy_outcome' AS copy_outcome,
           x.evidence->>'kept_outcome' AS kept_outcome, u.kept_run_id
    FROM duplicates u JOIN documents c USING (run_id, doc_id)
         LEFT JOIN documents k ON k.run_id = u.kept_run_id AND k.doc_id = u.duplicate_of
         JOIN decisions x ON x.run_id = u.run_id AND x.doc_id = u.doc_id AND x.reason LIKE 'dup.%'
    WHERE u.run_id = ? ORDER BY 1
"""


def hide(text: str) -> str:
    """Zero-width spaces inside three words: ``poison.unicode`` (invisible characters between Latin letters)."""
    words = text.split(" ")
    for i in (1, 5, 9):
        words[i] = words[i][:2] + "\u200b" + words[i][2:]
    return " ".join(words)


def jsonl(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows))
    return path


def run(tmp_path: Path, *args: str) -> dict:
    out = cli("run", *args, "--lake", tmp_path / "lake", "--dataset", "web", "--config", tmp_path / "sieve.yaml",
              "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_clean_twins_of_quarantined_copies_reach_clean_in_a_run_across_runs_and_after_review(tmp_path):
    from tasks.registry import DOCUMENT_STAGES

    rng = random.Random(4)
    t = {k: make_doc(rng) for k in ("t1", "t2", "t3", "t4", "t5", "t6")}
    near5 = variant(t["t5"], 0.9, rng)[0]
    jsonl(tmp_path / "a.jsonl", [("A1", t["t1"]), ("A2", t["t2"]), ("A3", t["t6"])])
    c = jsonl(tmp_path / "c.jsonl", [("C1", hide(t["t4"])), ("C3", hide(t["t5"])), ("C2", t["t4"]), ("C4", near5)])
    b = jsonl(tmp_path / "b.jsonl", [("B1", t["t1"].upper()), ("B3", t["t3"])])
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (b, c)}
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  a.jsonl\n{digest['b.jsonl']}  b.jsonl\n"
                                         f"{digest['c.jsonl']}  c.jsonl\n")
    stages = {n: {"enabled": False} for n in DOCUMENT_STAGES if n not in ("minhash", "poison_unicode")}
    (tmp_path / "sieve.yaml").write_text(yaml.safe_dump({"stages": stages}))
    lake = tmp_path / "lake"

    first = run(tmp_path, "a.jsonl", "c.jsonl", "b.jsonl", "--manifest", "SHA256SUMS")
    r1 = first["run_id"]
    assert first["counts"] == {"clean": 4, "quarantined": 2, "duplicate": 3, "dropped": 0}
    outcomes = dict(sql(lake, "SELECT source_id, outcome FROM documents WHERE run_id = ?", [r1]))
    # the quarantined copies came first; before the fix B1, C2 and C4 were duplicates of them, in no output
    assert outcomes == {"A1": "duplicate", "A2": "quarantined", "A3": "quarantined", "B1": "clean", "B3": "clean",
                        "C1": "duplicate", "C2": "clean", "C3": "duplicate", "C4": "clean"}
    assert sql(lake, KEPT, [r1]) == [("A1", "B1", "clean", "quarantined", "clean", r1),
                                     ("C1", "C2", "clean", "quarantined", "clean", r1),
                                     ("C3", "C4", "clean", "quarantined", "clean", r1)]
    why = dict(sql(lake, "SELECT c.source_id, list(x.reason ORDER BY x.reason) FROM decisions x "
                         "JOIN documents c USING (run_id, doc_id) WHERE x.run_id = ? GROUP BY 1", [r1]))
    assert why["A1"] == ["dup.exact", "poison.integrity"] and why["C3"] == ["dup.near", "poison.unicode"]

    # a reviewer rejects every quarantined record but A3, which is approved and released: nothing clean is lost
    ids = dict(sql(lake, "SELECT source_id, doc_id FROM documents WHERE run_id = ?", [r1]))
    assert cli("review", "reject", ids["A2"], "--lake", lake, "--reviewer", "t").returncode == 0
    assert cli("review", "approve", ids["A3"], "--lake", lake, "--reviewer", "t").returncode == 0
    released = cli("release", "--lake", lake, "--dataset", "web", "--json")
    assert released.returncode == 0, released.stderr
    rel = json.loads(released.stdout.splitlines()[-1])["run_id"]
    clean_texts = {x for (x,) in sql(lake, "SELECT text FROM clean WHERE dataset = 'web'")}
    assert {t["t1"].upper(), t["t3"], t["t4"], near5, t["t6"]} <= clean_texts

    # a later run: a copy of the rejected A2 reaches clean (it is no duplicate of a record that is not in clean);
    # copies of published records are duplicates of them, the released one included
    jsonl(tmp_path / "d.jsonl", [("D1", t["t2"]), ("D2", t["t1"]), ("D3", t["t3"] + "\n")])
    jsonl(tmp_path / "e.jsonl", [("E1", t["t6"])])
    second = run(tmp_path, "a.jsonl", "c.jsonl", "b.jsonl", "d.jsonl", "e.jsonl", "--incremental")
    r2 = second["run_id"]
    assert second["counts"] == {"clean": 1, "quarantined": 0, "duplicate": 3, "dropped": 0}
    assert sql(lake, KEPT, [r2]) == [("D2", "B1", "clean", "clean", "clean", r1),
                                     ("D3", "B3", "clean", "clean", "clean", r1),
                                     ("E1", "A3", "clean", "clean", "clean", rel)]
    assert sql(lake, "SELECT source_id, outcome FROM documents WHERE run_id = ? AND source_id = 'D1'", [r2]) == \
        [("D1", "clean")]
    assert t["t2"] in {x for (x,) in sql(lake, "SELECT text FROM clean WHERE run_id = ?", [r2])}

    # every input record has exactly one outcome in every run (the release's records are its documents rows)
    for run_id, records, rows, distinct in sql(lake, CONSERVATION):
        assert records == rows == distinct, run_id
    # and no duplicate anywhere points at a record outside clean unless its own findings kept it out of clean too
    assert sql(lake, """
        SELECT count(*) FROM duplicates u
        JOIN decisions x ON x.run_id = u.run_id AND x.doc_id = u.doc_id AND x.reason LIKE 'dup.%'
        LEFT JOIN documents k ON k.run_id = u.kept_run_id AND k.doc_id = u.duplicate_of
        WHERE (k.outcome IS DISTINCT FROM 'clean') AND x.evidence->>'copy_outcome' = 'clean'""") == [(0,)]

"""``sieve review`` and ``sieve release`` where one record is quarantined more than once: by a second run of the same
dataset and by a run of another dataset. Which copy a review names, and which review a release obeys.

The lake is a private copy of the review lake (tests/review_fixtures.py) with the first run's quarantine copied
under new run ids; the CLI runs as a subprocess.
"""

from __future__ import annotations

import json
import subprocess

import pyarrow.parquet as pq
import pytest

from tasks.lake import Lake
from tests.conftest import ROOT, SIEVE, cli, cli_env, sql
from tests.review_fixtures import review_lake, reviews_of


@pytest.fixture(scope="module")
def lake2(tmp_path_factory, prefect_harness):
    """Another private copy of the review lake, where the same records are also quarantined by a second run of
    ``web`` and by a run of a second dataset ``other`` (copies of the first run's quarantine Parquet under new run
    ids, as a rerun without dedup and the same file in another dataset would write them)."""
    from tasks.catalog import refresh_catalog

    path, planted = review_lake(tmp_path_factory)
    first = planted["run_id"]
    table = pq.read_table(next((path / "quarantine" / "web" / f"run={first}").glob("*.parquet")))
    runs = next((path / "provenance" / "runs" / f"run={first}").glob("*.parquet"))
    copies = {"web": f"{first[:-6]}zz0001", "other": f"{first[:-6]}zz0002"}
    for dataset, run in copies.items():
        out = path / "quarantine" / dataset / f"run={run}"
        out.mkdir(parents=True)
        pq.write_table(table.set_column(table.schema.get_field_index("run_id"), "run_id",
                                        [[run] * table.num_rows]), out / "part-00000.parquet")
        row = pq.read_table(runs).to_pylist()[0]
        (path / "provenance" / "runs" / f"run={run}").mkdir(parents=True)
        pq.write_table(pq.read_table(runs).from_pylist([{**row, "run_id": run, "dataset": dataset}],
                                                       schema=pq.read_table(runs).schema),
                       path / "provenance" / "runs" / f"run={run}" / "part-00000.parquet")
    refresh_catalog(Lake(path))
    rows = sql(path, "SELECT source_id, source_record, doc_id FROM quarantine WHERE run_id = ?", [first])
    ids = {(sid or f"record-{rec}"): doc for sid, rec, doc in rows}
    return path, first, copies, ids


@pytest.mark.slow
def test_cli_review_refuses_what_it_would_get_wrong(lake2):
    path, first, copies, ids = lake2
    doc = ids["plain-4"]
    ambiguous = cli("review", "approve", doc, "--lake", path, "--reviewer", "carol")
    assert ambiguous.returncode == 2 and "more than one dataset" in ambiguous.stderr and not reviews_of(path, doc)
    scoped = cli("review", "approve", f"  {doc}\n", "--dataset", "web", "--lake", path, "--reviewer", "carol")
    assert scoped.returncode == 0, scoped.stderr  # a pasted id with whitespace; the newest run of the dataset
    assert f"approved {copies['web']}/{doc} by carol (dataset web)" in scoped.stdout
    assert cli("review", "approve", doc, "--run", first, "--dataset", "other", "--lake", path).returncode == 2
    for extra in (["--reason", "pii"], ["--status", "approved"], ["--all"]):
        refused = cli("review", "reject", doc, *extra, "--lake", path)
        assert refused.returncode == 2 and "with DOC_IDs give only --run or --dataset" in refused.stderr, extra
    assert cli("review", "reject", "\x1b[2Jx", "--lake", path).stderr.startswith("sieve: error: not a doc_id: '\u27e8")
    assert cli("review", "show", doc, "--lake", path, "--format", "xml").returncode == 2
    past = cli("review", "list", "--lake", path, "--status", "all", "--offset", "400")
    assert past.returncode == 0 and past.stdout.rstrip().endswith("matching; none at offset 400")
    declined = subprocess.run([*SIEVE, "review", "reject", "--all", "--lake", str(path), "--dataset", "web"],
                              input="n\n", cwd=ROOT, capture_output=True, text=True, env=cli_env())
    assert declined.returncode == 1 and "nothing reviewed" in declined.stderr
    assert "matching dataset=web, status=pending?" in declined.stdout  # the filters in words, not a dict
    # a dataset the lake has no run of is refused, as release refuses it (it listed "0 matching" with exit 0)
    for cmd in (["review", "list"], ["review", "reject", "--all", "-y"]):
        typo = cli(*cmd, "--lake", path, "--dataset", "wbe")
        assert typo.returncode == 2 and "no dataset 'wbe'" in typo.stderr and "web" in typo.stderr, cmd
    assert reviews_of(path, doc) == [("carol", "approved", "")]


@pytest.mark.slow
def test_release_judges_a_record_by_its_latest_review_and_stays_in_the_lake(lake2):
    path, first, copies, ids = lake2
    for bad, message in (("nosuch", "no dataset 'nosuch'"), ("../../escape", "invalid name"), ("..", "invalid name")):
        out = cli("release", "--lake", path, "--dataset", bad)
        assert out.returncode == 2 and message in out.stderr, bad
    assert not (path.parent / "escape").exists() and not (path.parent / "escape.lock").exists()
    newer, older = copies["web"], first
    # plain-0: approved on the older copy, then rejected on the newer one -> stays out.
    # plain-5: rejected on the older copy, then approved on the newer one -> released, from the newer copy.
    for label, steps in {"plain-0": [(older, "approve"), (newer, "reject")],
                         "plain-5": [(older, "reject"), (newer, "approve")]}.items():
        for run, verdict in steps:
            assert cli("review", verdict, ids[label], "--run", run, "--lake", path).returncode == 0
    out = cli("release", "--lake", path, "--dataset", "web", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    assert summary["rejected_after_release"] == 0
    released = dict(sql(path, "SELECT doc_id, released_from FROM documents WHERE run_id = ?", [summary["run_id"]]))
    assert ids["plain-0"] not in released and released[ids["plain-5"]] == newer
    late = cli("review", "reject", ids["plain-5"], "--dataset", "web", "--lake", path)
    assert late.returncode == 0 and "a rejection does not take it back out" in late.stderr
    shown = cli("review", "show", ids["plain-5"], "--run", newer, "--lake", path)
    assert f"released into clean by release {summary['run_id']} (rejected since" in shown.stdout
    again = cli("release", "--lake", path, "--dataset", "web", "--json")
    summary = json.loads(again.stdout.splitlines()[-1])
    assert summary["run_id"] is None and summary["rejected_after_release_ids"] == [ids["plain-5"]]
    assert "rejected now and stay in clean" in again.stderr

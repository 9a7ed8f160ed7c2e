"""Records rejected after their release: counted and sampled in the summary, every one in a catalog view.

A release is never undone, so every later release reports the records it published whose newest copy has been
rejected since. Their number is unbounded (a reviewer can reject a whole released run), so the summary holds their
count and the first ``WITHDRAWN_SAMPLE`` ids, and the catalog's ``rejected_after_release`` view lists them all:
here more of them than the sample, a record rejected before any release (never released: not in the view), and one
released and still approved (not in it either).
"""

from __future__ import annotations

import json

import pytest
import yaml

from tasks.lake import Lake
from tasks.review import release_select
from tasks.review.release import release
from tasks.review.reviews import append_reviews, review_matching
from tests.conftest import cli, sql

TAGS = "".join(chr(0xE0000 + ord(c)) for c in "hide")
RECORDS = release_select.WITHDRAWN_SAMPLE + 5


@pytest.fixture(scope="module")
def lake(tmp_path_factory, prefect_harness):
    """One run of ``RECORDS`` short records with tag characters (all quarantined); record 0 rejected, the others
    approved and released, then all but record 1 rejected. Returns (lake, quarantine run, release run, doc ids)."""
    from flows.runner import run_flow
    from tasks.registry import CORPUS_STAGES, DOCUMENT_STAGES
    from tasks.review.queue import QueueFilter

    base = tmp_path_factory.mktemp("withdrawn")
    stages = {name: {"enabled": False} for name in [*DOCUMENT_STAGES, *CORPUS_STAGES]}
    stages["poison_unicode"] = {"enabled": True}
    (base / "s.yaml").write_text(yaml.safe_dump({"stages": stages}))
    data = base / "in.jsonl"
    data.write_text("".join(json.dumps({"id": f"r{i}", "text": f"Short record number {i}.{TAGS}"}) + "\n"
                            for i in range(RECORDS)))
    run = run_flow(inputs=[str(data)], lake=str(base / "lake"), dataset="web", config=str(base / "s.yaml"),
                   kind=None, text_field="text", manifest=None, task_runner="processes", dask_address=None,
                   workers=1, show_progress=False)["run_id"]
    path = base / "lake"
    ids = [d for (d,) in sql(path, "SELECT doc_id FROM quarantine ORDER BY source_record")]
    assert len(ids) == RECORDS
    append_reviews(Lake(path), ids[:1], "alice", "reject", "never released")
    assert review_matching(Lake(path), QueueFilter(dataset="web"), "alice", "approve") == RECORDS - 1
    summary = release(Lake(path), "web")
    assert (summary["released"], summary["rejected_after_release"]) == (RECORDS - 1, 0)
    append_reviews(Lake(path), ids[2:], "bob", "reject", "withdrawn")
    return path, run, summary["run_id"], ids


@pytest.mark.slow
def test_the_summary_counts_them_and_names_a_bounded_sample(lake):
    path, _, _, ids = lake
    withdrawn = sorted(ids[2:])
    assert len(withdrawn) > release_select.WITHDRAWN_SAMPLE
    summary = release(Lake(path), "web")
    assert summary["run_id"] is None and summary["rejected"] == len(withdrawn) + 1
    assert summary["rejected_after_release"] == len(withdrawn)
    assert summary["rejected_after_release_ids"] == withdrawn[:release_select.WITHDRAWN_SAMPLE]
    listed = sql(path, summary["rejected_after_release_query"])
    assert [row[1] for row in listed] == withdrawn


@pytest.mark.slow
def test_the_view_lists_every_one_with_its_release_and_rejection(lake):
    path, run, released_in, ids = lake
    rows = sql(path, "SELECT dataset, doc_id, released_in, released_from, rejected_copy_run_id, rejected_by, note "
                     "FROM rejected_after_release ORDER BY doc_id")
    assert rows == [("web", d, released_in, run, run, "bob", "withdrawn") for d in sorted(ids[2:])]
    # rejected before any release, or released and approved still: not withdrawn
    assert not {ids[0], ids[1]} & {r[1] for r in rows}


@pytest.mark.slow
def test_the_cli_warning_gives_the_count_and_where_the_rest_are(lake):
    path, _, _, ids = lake
    out = cli("release", "--lake", path, "--dataset", "web", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.splitlines()[-1])
    assert len(summary["rejected_after_release_ids"]) == release_select.WITHDRAWN_SAMPLE
    assert f"sieve: warning: {len(ids) - 2} records released earlier are rejected now" in out.stderr
    assert "SELECT * FROM rejected_after_release WHERE dataset = 'web'" in out.stderr
    # the command it prints runs as printed, from any folder: it names the lake
    import shlex

    command = shlex.split(out.stderr.split("all of them: ", 1)[1].strip())
    assert command[:2] == ["sieve", "query"] and command[3] == "--lake"  # the order the README writes
    listed = cli(*command[1:], "--format", "csv", cwd=path.parent)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.strip().splitlines()) == len(ids) - 2 + 1  # a header and every withdrawn record

"""fsspec paths: a lake given as a file:// URL, inputs from file:// and memory:// URLs through the real flow."""

from __future__ import annotations

import hashlib
import json

import fsspec
import pytest

from tasks.ids import doc_id
from tasks.lake import Lake, LakeError, local_path
from tests.conftest import plumbing_config, sql


@pytest.mark.parametrize("url", ["memory://lake", "s3://bucket/lake", "file://otherhost/lake"])
def test_lake_urls_that_cannot_hold_a_lake_are_refused_with_the_reason(url):
    with pytest.raises(LakeError, match=r"lake .*(local path|no host)"):
        Lake.at(url)


def test_file_url_lake_is_the_same_folder(tmp_path):
    assert Lake.at(f"file://{tmp_path}/lake").root == (tmp_path / "lake")
    assert local_path(f"file://localhost{tmp_path}/a%20b") == tmp_path / "a b"


@pytest.mark.slow
def test_file_lake_with_file_and_memory_inputs(tmp_path, run_sieve):
    local = tmp_path / "a.jsonl"
    local.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["reeds by the river", "a heron waits"]))
    payload = (json.dumps({"text": "a note kept only in memory"}) + "\n").encode()
    fsspec.filesystem("memory").pipe("/sieve-test-inbox/b.jsonl", payload)
    lake = tmp_path / "lake"
    # memory:// exists only inside one process: the threads runner reads it in the flow's own process
    res = run_sieve([f"file://{local}", "memory://sieve-test-inbox"], f"file://{lake}", "fs",
                    config=plumbing_config(tmp_path / "s.yaml"), task_runner="threads")
    assert res["counts"]["clean"] == 3 and res["lake"] == str(lake)
    sources = sql(lake, "SELECT source_uri, records FROM sources WHERE run_id = ? ORDER BY 1", [res["run_id"]])
    assert sources == [(f"file://{local}", 2), ("memory:///sieve-test-inbox/b.jsonl", 1)]
    # ids depend on content, not on how the file was named
    ids = {r[0] for r in sql(lake, "SELECT doc_id FROM clean WHERE run_id = ?", [res["run_id"]])}
    sha_local, sha_mem = hashlib.sha256(local.read_bytes()).hexdigest(), hashlib.sha256(payload).hexdigest()
    assert ids == {doc_id(sha_local, 0), doc_id(sha_local, 1), doc_id(sha_mem, 0)}

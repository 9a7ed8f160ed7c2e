"""Inputs as users write them: percent-encoded file:// URLs, paths with spaces and non-ASCII names, glob patterns
(local, file:// and memory://), and a missing path or URL failing before the run starts, naming it."""

from __future__ import annotations

import time

import fsspec
import pytest

from tasks.sources import InputNotFoundError, discover, resolve_inputs
from tests.conftest import cli


@pytest.fixture
def tree(tmp_path):
    """A folder with a space and an umlaut in its name holding three JSONL files and a hidden one."""
    top = tmp_path / "my corpus" / "Köln"
    top.mkdir(parents=True)
    for name in ("ä b.jsonl", "b.jsonl", "c.txt", ".hidden.jsonl"):
        (top / name).write_text('{"text": "x"}\n')
    (top / "sub").mkdir()
    (top / "sub" / "d.jsonl").write_text('{"text": "y"}\n')
    return top


def test_a_percent_encoded_file_url_names_the_decoded_path(tree):
    target = tree / "ä b.jsonl"
    assert target.as_uri().count("%") > 3  # Path.as_uri() writes RFC 8089 URLs, spaces and umlauts encoded
    assert resolve_inputs([target.as_uri()]) == [f"file://{target}"]
    assert [s.uri for s in discover([target.as_uri()])] == [f"file://{target}"]
    assert resolve_inputs([f"file://{target}"]) == [f"file://{target}"]  # a literal URL stays as written


def test_local_and_file_url_patterns_expand_sorted_without_hidden_files(tree):
    assert resolve_inputs([f"{tree}/*.jsonl"]) == [f"{tree}/b.jsonl", f"{tree}/ä b.jsonl"]
    assert resolve_inputs([f"{tree}/**/*.jsonl"]) == [f"{tree}/b.jsonl", f"{tree}/sub/d.jsonl",
                                                       f"{tree}/ä b.jsonl"]
    assert resolve_inputs([f"file://{tree}/[bc].*"]) == [f"file://{tree}/b.jsonl", f"file://{tree}/c.txt"]


def test_memory_url_patterns_expand():
    fs = fsspec.filesystem("memory")
    for name in ("p1.jsonl", "p2.jsonl", "q.jsonl"):
        fs.pipe(f"/sieve-pattern-test/{name}", b'{"text": "x"}\n')
    try:
        assert resolve_inputs(["memory://sieve-pattern-test/p*.jsonl"]) == [
            "memory:///sieve-pattern-test/p1.jsonl", "memory:///sieve-pattern-test/p2.jsonl"]
    finally:
        fs.rm("/sieve-pattern-test", recursive=True)


@pytest.mark.parametrize("make", [
    lambda t: f"{t}/*.parquet", lambda t: f"file://{t}/nothing*.jsonl", lambda t: f"{t}/missing.jsonl",
    lambda t: "memory://sieve-no-such-folder/a.jsonl",
])
def test_a_missing_input_or_a_pattern_matching_nothing_is_named(tree, make):
    with pytest.raises(InputNotFoundError, match="input not found: "):
        resolve_inputs([str(tree / "b.jsonl"), make(tree)])


def test_the_cli_names_a_missing_url_before_the_run_starts(tmp_path):
    url = f"file://{tmp_path}/no such dir/a.jsonl"
    started = time.monotonic()
    out = cli("run", url, "--lake", tmp_path / "lake", "--dataset", "d")
    assert out.returncode == 2 and out.stderr.strip() == f"sieve: error: input not found: {url}"
    assert time.monotonic() - started < 8  # no flow (and no Prefect server) was started for it
    assert not (tmp_path / "lake").exists()

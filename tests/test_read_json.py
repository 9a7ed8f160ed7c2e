"""JSON vs JSON Lines: only a ``.json`` file may be one array; where reading gives up, the source says how much."""

import gzip
import os

import pytest
import zstandard

from tasks.readers import read_slice
from tasks.sources import SourceFile, detect_format, hash_and_split
from tests.conftest import plumbing_config, sql

LINES = b'[{"text": "an array on a line"}]\n{"text": "first"}\n{"text": "second"}\n'


def _records(path, target_bytes=10**9):
    fmt, compression = detect_format(str(path))
    _, slices = hash_and_split(SourceFile(str(path), fmt, compression, os.path.getsize(path)), target_bytes)
    return slices, [r for s in slices for r in read_slice(s)]


@pytest.mark.parametrize(
    ("name", "compress"),
    [("a.jsonl", bytes), ("a.ndjson", bytes), ("a.jsonl.gz", gzip.compress),
     ("a.jsonl.zst", zstandard.ZstdCompressor().compress)],
)
def test_jsonl_starting_with_an_array_is_read_line_by_line(tmp_path, name, compress):
    path = tmp_path / name
    path.write_bytes(compress(LINES))
    _, got = _records(path)
    assert [(r.index, r.fields, r.note) for r in got] == [
        (0, None, None), (1, {"text": "first"}, None), (2, {"text": "second"}, None)
    ]
    assert got[0].raw == b'[{"text": "an array on a line"}]' and "not a JSON object (got list)" in got[0].error


def test_jsonl_starting_with_an_array_is_still_split(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(LINES + b"".join(b'{"text": "line %d"}\n' % i for i in range(200)))
    slices, got = _records(path, target_bytes=500)
    assert len(slices) > 1
    assert [r.index for r in got] == list(range(203))
    assert [r.index for r in got if r.fields is None] == [0]


def test_json_array_still_read_as_one_array(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b'[{"text": "one"},\n {"text": "two"}]\n')
    assert [(r.index, r.fields) for r in _records(path)[1]] == [(0, {"text": "one"}), (1, {"text": "two"})]


def test_abandoned_array_says_how_many_bytes_were_not_read(tmp_path):
    rest = b'{"text": oops}, ' + b'{"text": "lost"}, ' * 100 + b'{"text": "end"}]\n'
    path = tmp_path / "a.json"
    path.write_bytes(b'[{"text": "kept"}, ' + rest)
    got = _records(path)[1]
    assert [r.index for r in got] == [0, 1] and got[0].fields == {"text": "kept"}
    assert got[1].fields is None and got[1].raw == rest
    assert got[1].note.startswith(f"JSON array abandoned at element 1: {len(rest)} bytes from there to the end")


@pytest.mark.slow
def test_abandoned_array_is_named_in_sources_error(tmp_path, run_sieve):
    path = tmp_path / "a.json"
    rest = b'{"text": nope}, {"text": "lost"}]'
    path.write_bytes(b'[{"text": "kept here"}, ' + rest)
    lake = tmp_path / "lake"
    res = run_sieve([path], lake, config=plumbing_config(tmp_path / "c.yaml"), task_runner="threads", workers=1)
    rows = sql(lake, "SELECT records, error FROM sources WHERE run_id = ?", [res["run_id"]])
    n = len(rest)
    assert rows == [(2, f"JSON array abandoned at element 1: {n} bytes from there to the end not read as records "
                        f"(the first {n} kept as the raw of a malformed record)")]


@pytest.mark.parametrize("name", ["a.jsonl", "a.json"])
def test_an_integer_too_long_for_python_costs_only_its_record(tmp_path, name):
    """json's int() of more than 4300 digits raised a ValueError, not a JSONDecodeError: it escaped the reader,
    whose slice then ended with one 'reader failed' record without raw bytes, every later record of the file lost."""
    big = b'{"text": "a long number", "n": ' + b"7" * 5000 + b"}"
    good = [b'{"text": "record %d"}' % i for i in range(3)]
    items = [good[0], big, b'{"n": -' + b"9" * 4301 + b', "text": "negative"}', good[1], good[2]]
    path = tmp_path / name
    path.write_bytes(b"[" + b",".join(items) + b"]" if name.endswith(".json") else b"\n".join(items) + b"\n")
    _, got = _records(path)
    assert [(r.index, r.fields) for r in got] == [
        (0, {"text": "record 0"}), (1, None), (2, None), (3, {"text": "record 1"}), (4, {"text": "record 2"}),
    ]
    assert (got[1].raw, got[2].raw) == (big, items[2])
    assert got[1].error == "integer of 5000 digits, over Python's limit of 4300 (sys.get_int_max_str_digits)"
    assert got[2].error.startswith("integer of 4301 digits")


def test_a_byte_order_mark_opening_a_later_line_is_not_content(tmp_path):
    """`cat a.jsonl b.jsonl` with b written by a tool that starts files with a BOM: the joined line was
    'invalid JSON: Expecting value at column 1', the record quarantined for an invisible encoding mark."""
    bom = b"\xef\xbb\xbf"
    path = tmp_path / "joined.jsonl"
    path.write_bytes(bom + b'{"text": "from a"}\n' + bom + b'{"text": "from b"}\n{"text": "b again"}\n' + bom + b"x\n")
    _, got = _records(path)
    assert [(r.index, r.fields) for r in got] == [
        (0, {"text": "from a"}), (1, {"text": "from b"}), (2, {"text": "b again"}), (3, None),
    ]
    assert got[3].raw == bom + b"x"  # a malformed line keeps its bytes as they are


@pytest.mark.parametrize(("name", "hinted"), [("pretty.json", True), ("pretty.jsonl", False)])
def test_a_pretty_printed_json_object_says_why_its_lines_are_malformed(tmp_path, name, hinted):
    """A .json file holding one object over several lines is read as JSON Lines: each line is malformed (its bytes
    kept), and the first said only 'invalid JSON: Expecting property name ...'. Now it says how .json is read."""
    path = tmp_path / name
    path.write_bytes(b'\n{\n  "text": "pretty printed"\n}\n')
    _, got = _records(path)
    assert [(r.index, r.fields) for r in got] == [(1, None), (2, None), (3, None)]
    assert ("is read as JSON Lines, one object per line" in got[0].error) == hinted
    assert all("JSON Lines" not in r.error for r in got[1:])

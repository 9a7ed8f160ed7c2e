import gzip
import hashlib
import json
import os

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks import sources
from tasks.readers import read_slice
from tasks.sources import (
    InputNotFoundError,
    SourceFile,
    SourceReadError,
    SourceSlice,
    detect_format,
    discover,
    hash_and_split,
)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.jsonl", ("jsonl", "none")),
        ("a.ndjson", ("jsonl", "none")),
        ("a.json", ("jsonl", "none")),
        ("A.JSONL.GZ", ("jsonl", "gzip")),
        ("a.jsonl.zst", ("jsonl", "zstd")),
        ("a.json.zstd", ("jsonl", "zstd")),
        ("part-0.parquet", ("parquet", "none")),
        ("rows.csv", ("csv", "none")),
        ("rows.csv.gz", ("csv", "gzip")),
        ("notes.txt", ("text", "none")),
        ("README.md", ("text", "none")),
        ("LICENSE", ("text", "none")),
        ("notes.txt.gz", ("text", "gzip")),
        ("s3://bucket/dir.v2/data.jsonl", ("jsonl", "none")),
        ("archive.gz", ("text", "gzip")),
    ],
)
def test_detect_format(name, expected):
    assert detect_format(name) == expected


def _write(path, data: bytes | str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_discover_walks_dirs_sorted_and_skips_hidden(tmp_path):
    root = tmp_path / "corpus"
    for rel in ["b.jsonl", "a.txt", "sub/z.csv", "sub/a.parquet", ".hidden.jsonl", ".git/config", "sub/.swp"]:
        _write(root / rel, "x")
    single = _write(tmp_path / "single.jsonl.gz", "y")
    found = discover([str(single), str(root)])
    rels = [os.path.relpath(s.uri, tmp_path) for s in found]
    assert rels == [
        "single.jsonl.gz",
        "corpus/a.txt",
        "corpus/b.jsonl",
        "corpus/sub/a.parquet",
        "corpus/sub/z.csv",
    ]
    assert [(s.format, s.compression) for s in found][:2] == [("jsonl", "gzip"), ("text", "none")]
    assert all(os.path.isabs(s.uri) for s in found)
    assert found[1].size_bytes == 1


def test_discover_lists_a_file_once(tmp_path):
    f = _write(tmp_path / "d" / "a.jsonl", "{}\n")
    found = discover([str(f), str(tmp_path / "d"), str(f)])
    assert [s.uri for s in found] == [str(f)]


def test_discover_missing_input_raises_before_walking(tmp_path, monkeypatch):
    _write(tmp_path / "ok" / "a.jsonl", "{}\n")
    walked = []
    monkeypatch.setattr(sources, "_expand_local", lambda p: walked.append(p) or [])
    missing = str(tmp_path / "nope" / "b.jsonl")
    with pytest.raises(InputNotFoundError, match="nope/b.jsonl") as err:
        discover([str(tmp_path / "ok"), missing])
    assert isinstance(err.value, FileNotFoundError)
    assert err.value.path == missing
    assert walked == []


def test_discover_missing_url_raises():
    with pytest.raises(InputNotFoundError, match="memory://sieve-missing/x.jsonl"):
        discover(["memory://sieve-missing/x.jsonl"])


def test_discover_fsspec_prefix_and_file():
    fs = fsspec.filesystem("memory")
    for rel in ["b.jsonl", "a/c.csv", ".hidden", "a/.git/x"]:
        fs.pipe(f"/sieve-disc/{rel}", b"data")
    try:
        found = discover(["memory://sieve-disc"])
        assert [s.uri for s in found] == ["memory:///sieve-disc/a/c.csv", "memory:///sieve-disc/b.jsonl"]
        assert [s.format for s in found] == ["csv", "jsonl"]
        assert found[0].size_bytes == 4
        one = discover(["memory://sieve-disc/b.jsonl"])
        assert one == [SourceFile("memory://sieve-disc/b.jsonl", "jsonl", "none", 4)]
    finally:
        fs.rm("/sieve-disc", recursive=True)


def test_discover_file_url(tmp_path):
    _write(tmp_path / "u" / "a.jsonl", "{}\n")
    found = discover([f"file://{tmp_path}/u"])
    assert [s.uri for s in found] == [f"file://{tmp_path}/u/a.jsonl"]


def _source(path, fmt="jsonl", compression="none"):
    return SourceFile(str(path), fmt, compression, os.path.getsize(path))


def _lines_file(tmp_path, n=40):
    # Lines of different lengths, with blank and whitespace-only lines in between.
    out = []
    for i in range(n):
        out.append(json.dumps({"text": f"sentence number {i} " + "x" * (i % 7)}))
        if i % 5 == 0:
            out.append("")
        if i % 9 == 0:
            out.append("   ")
    return _write(tmp_path / "lines.jsonl", "\n".join(out) + "\n")


@pytest.mark.parametrize("hash_chunk", [7, 64, sources.HASH_CHUNK])
@pytest.mark.parametrize("target", [1, 50, 300, 10_000])
def test_hash_and_split_jsonl_at_line_starts(tmp_path, monkeypatch, hash_chunk, target):
    monkeypatch.setattr(sources, "HASH_CHUNK", hash_chunk)
    path = _lines_file(tmp_path)
    data = path.read_bytes()
    sha, slices = hash_and_split(_source(path), target)
    assert sha == hashlib.sha256(data).hexdigest()
    assert slices[0].start == 0 and slices[-1].end is None
    for a, b in zip(slices, slices[1:], strict=False):
        assert a.end == b.start  # contiguous
    for s in slices:
        assert s.start == 0 or data[s.start - 1 : s.start] == b"\n"  # at a line start
        assert s.first_record == data[: s.start].count(b"\n")  # physical line number
        assert s.start < len(data)
    if target >= len(data):
        assert len(slices) == 1
    if target == 1:
        # One slice per non-empty line: an empty line (just its newline) joins the slice of the line after it.
        assert len(slices) == sum(1 for line in data.split(b"\n") if line)
    whole = [(r.index, r.fields) for r in read_slice(SourceSlice(str(path), "jsonl", "none"))]
    parts = [(r.index, r.fields) for s in slices for r in read_slice(s)]
    assert parts == whole
    assert len(whole) == 40


def test_hash_and_split_last_line_without_newline(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"text": "one"}\n{"text": "two"}\n{"text": "three"}')
    _, slices = hash_and_split(_source(path), 10)
    assert [(s.start, s.first_record) for s in slices] == [(0, 0), (16, 1), (32, 2)]


@pytest.mark.parametrize(
    "name, data, fmt, compression",
    [
        (
            "array.json",
            b"  \n[" + b'{"text": "an array element"},\n' * 50 + b'{"text": "end"}]',
            "jsonl",
            "none",
        ),
        ("bom-array.json", b"\xef\xbb\xbf[" + b'{"text": "a"},' * 50 + b"{}]", "jsonl", "none"),
        ("a.jsonl.gz", gzip.compress(b'{"text": "compressed"}\n' * 50, mtime=0), "jsonl", "gzip"),
        ("a.csv", b"text\n" + b"a row of text\n" * 50, "csv", "none"),
        ("a.txt", b"a line of a text file\n" * 50, "text", "none"),
    ],
)
def test_hash_and_split_keeps_unsplittable_files_whole(tmp_path, name, data, fmt, compression):
    path = _write(tmp_path / name, data)
    sha, slices = hash_and_split(_source(path, fmt, compression), 16)
    assert sha == hashlib.sha256(data).hexdigest()
    assert slices == [SourceSlice(str(path), fmt, compression, 0, None, 0)]


def _parquet(path, groups):
    table = pa.table({"id": list(range(sum(groups))), "text": [f"row {i} text" for i in range(sum(groups))]})
    with pq.ParquetWriter(path, table.schema) as writer:
        start = 0
        for n in groups:
            writer.write_table(table.slice(start, n))
            start += n
    return path


def test_hash_and_split_parquet_by_row_groups(tmp_path):
    path = _parquet(tmp_path / "p.parquet", [3, 4, 5, 2, 6])
    meta = pq.ParquetFile(path).metadata
    group_size = max(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    sha, slices = hash_and_split(_source(path, "parquet"), group_size)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(s.start, s.end, s.first_record) for s in slices] == [
        (0, 1, 0),
        (1, 2, 3),
        (2, 3, 7),
        (3, 4, 12),
        (4, None, 14),
    ]
    _, one = hash_and_split(_source(path, "parquet"), 10**9)
    assert [(s.start, s.end, s.first_record) for s in one] == [(0, None, 0)]
    _, pairs = hash_and_split(_source(path, "parquet"), group_size * 2)
    assert 1 < len(pairs) < 5
    whole = [(r.index, r.fields) for r in read_slice(one[0])]
    for split in (slices, pairs):
        assert [(r.index, r.fields) for s in split for r in read_slice(s)] == whole
    assert [i for i, _ in whole] == list(range(20))


def test_hash_and_split_corrupt_parquet_is_one_slice(tmp_path):
    path = _write(tmp_path / "bad.parquet", b"PAR1 this is not really parquet")
    sha, slices = hash_and_split(_source(path, "parquet"), 4)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert slices == [SourceSlice(str(path), "parquet", "none", 0, None, 0)]


def test_hash_and_split_memory_url():
    fs = fsspec.filesystem("memory")
    fs.pipe("/sieve-hash/a.jsonl", b'{"text": "a"}\n{"text": "b"}\n')
    try:
        sha, slices = hash_and_split(SourceFile("memory://sieve-hash/a.jsonl", "jsonl", "none", 28), 5)
        assert sha == hashlib.sha256(b'{"text": "a"}\n{"text": "b"}\n').hexdigest()
        assert [(s.start, s.end, s.first_record) for s in slices] == [(0, 14, 0), (14, None, 1)]
    finally:
        fs.rm("/sieve-hash", recursive=True)


def test_hash_and_split_unreadable_raises_source_read_error(tmp_path):
    # A directory where a file was planned fails to open on every OS and for every user, root included.
    with pytest.raises(SourceReadError, match="cannot read"):
        hash_and_split(SourceFile(str(tmp_path), "jsonl", "none", 0), 10)


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions, so chmod 000 cannot deny a read"
)
def test_hash_and_split_permission_denied(tmp_path):
    path = _write(tmp_path / "secret.jsonl", "{}\n")
    path.chmod(0)
    with pytest.raises(SourceReadError, match="secret.jsonl"):
        hash_and_split(_source(path), 10)


def test_hash_and_split_rejects_bad_target(tmp_path):
    path = _write(tmp_path / "a.jsonl", "{}\n")
    with pytest.raises(ValueError, match="target_bytes"):
        hash_and_split(_source(path), 0)

import gzip
import json
import os
import tracemalloc

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from tasks import byte_stream
from tasks.readers import READERS, RawRecord, read_slice
from tasks.sources import SourceFile, SourceSlice, detect_format, hash_and_split

JSONL = (
    b'{"id": 1, "text": "The river was calm this morning."}\n'
    b"\n"
    b"   \t\n"
    b'{"id": 2, "text": "A short note about bread."}\r\n'
    b'{"text": "Line without a final newline."}'
)
JSONL_EXPECTED = [
    (0, {"id": 1, "text": "The river was calm this morning."}),
    (3, {"id": 2, "text": "A short note about bread."}),
    (4, {"text": "Line without a final newline."}),
]


def _slice(path, **kw) -> SourceSlice:
    fmt, compression = detect_format(str(path))
    return SourceSlice(str(path), kw.pop("format", fmt), kw.pop("compression", compression), **kw)


def _read(path, **kw) -> list[RawRecord]:
    return list(read_slice(_slice(path, **kw)))


def _ok(records):
    assert all(r.error is None and r.raw is None for r in records), [r.error for r in records]
    return [(r.index, r.fields) for r in records]


def _zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("a.jsonl", JSONL, JSONL_EXPECTED),
        ("a.ndjson", b"\xef\xbb\xbf" + JSONL, JSONL_EXPECTED),  # a byte-order mark is not part of line 0
        ("a.jsonl.gz", gzip.compress(JSONL, mtime=0), JSONL_EXPECTED),
        ("a.jsonl.zst", _zst(JSONL), JSONL_EXPECTED),
        ("two-frames.jsonl.zst", _zst(JSONL[:60]) + _zst(JSONL[60:]), JSONL_EXPECTED),
        ("two-members.jsonl.gz", gzip.compress(JSONL[:60], mtime=0) + gzip.compress(JSONL[60:], mtime=0),
         JSONL_EXPECTED),
        ("empty.jsonl", b"", []),
        ("blank.jsonl", b"\n\n  \n", []),
        (
            "array.json",
            b' \n[{"text": "First element."},\n {"text": "Second", "n": 2.5} ]\n',
            [(0, {"text": "First element."}), (1, {"text": "Second", "n": 2.5})],
        ),
        ("empty-array.json", b"[]", []),
        ("array.json.gz", gzip.compress(b'[{"text": "zipped"}]', mtime=0), [(0, {"text": "zipped"})]),
        (
            "rows.csv",
            b'id,text\r\n1,Plain row\r\n\r\n2,"Quoted, with comma\nand a second line"\r\n3,""\r\n',
            [
                (0, {"id": "1", "text": "Plain row"}),
                (1, {"id": "2", "text": "Quoted, with comma\nand a second line"}),
                (2, {"id": "3", "text": ""}),
            ],
        ),
        ("rows.csv.gz", gzip.compress(b"text\nzipped row\n", mtime=0), [(0, {"text": "zipped row"})]),
        ("header-only.csv", b"id,text\n", []),
    ],
)
def test_reads_good_input(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert _ok(_read(path)) == expected


def test_text_file_is_one_document(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Title\n\nA paragraph written for this test.\n")
    assert _ok(_read(path)) == [
        (0, {"text": "# Title\n\nA paragraph written for this test.\n", "path": str(path)})
    ]
    gz = tmp_path / "notes.txt.gz"
    gz.write_bytes(gzip.compress(b"compressed words"))
    assert _ok(_read(gz)) == [(0, {"text": "compressed words", "path": str(gz)})]


def test_text_dir_read_through_discovery(tmp_path):
    from tasks.sources import discover

    for name, body in [
        ("b.txt", "Second file."),
        ("a.txt", "First file."),
        ("sub/c", "Third, no extension."),
    ]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(body)
    texts = []
    for src in discover([str(tmp_path)]):
        _, slices = hash_and_split(src, 1024)
        texts += [r.fields["text"] for s in slices for r in read_slice(s)]
    assert texts == ["First file.", "Second file.", "Third, no extension."]


def _parquet(path, rows, group_rows):
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, path, row_group_size=group_rows)
    return path


def test_parquet_rows_and_row_group_slices(tmp_path):
    rows = [{"id": i, "text": f"Row {i} of the table.", "score": i / 2} for i in range(25)]
    path = _parquet(tmp_path / "t.parquet", rows, group_rows=4)
    assert pq.ParquetFile(path).num_row_groups == 7
    whole = _ok(_read(path))
    assert whole == list(enumerate(rows))
    src = SourceFile(str(path), "parquet", "none", os.path.getsize(path))
    _, slices = hash_and_split(src, 1)
    assert len(slices) == 7
    assert _ok([r for s in slices for r in read_slice(s)]) == whole
    middle = _read(path, start=2, end=4, first_record=8)
    assert [r.index for r in middle] == list(range(8, 16))


def test_parquet_with_other_columns_still_reads(tmp_path):
    path = _parquet(tmp_path / "w.parquet", [{"body": "No text column here.", "n": 1}], group_rows=10)
    assert _ok(_read(path)) == [(0, {"body": "No text column here.", "n": 1})]


# --- bad input: never raises, one malformed record per bad thing ---

BAD_LINES = (
    b'{"text": "good one"}\n'
    b'{"text": "unterminated\n'
    b"\xff\xfe not utf-8\n"
    b"[1, 2, 3]\n"
    b'"just a string"\n'
    b"null\n"
    b'{"text": "good two"}\n'
)


def test_bad_jsonl_lines_become_malformed_records(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(BAD_LINES)
    got = [(r.index, r.fields, r.raw, r.error) for r in _read(path)]
    assert got[0] == (0, {"text": "good one"}, None, None)
    assert got[-1] == (6, {"text": "good two"}, None, None)
    bad = {index: (raw, error) for index, fields, raw, error in got if fields is None}
    assert bad[1] == (b'{"text": "unterminated', "invalid JSON: Unterminated string starting at column 10")
    assert bad[2] == (b"\xff\xfe not utf-8", "invalid UTF-8 at byte 0")
    assert bad[3] == (b"[1, 2, 3]", "record is not a JSON object (got list)")
    assert bad[4][1] == "record is not a JSON object (got str)"
    assert bad[5] == (b"null", "record is not a JSON object (got NoneType)")
    assert all("\n" not in error for _, error in bad.values())


@pytest.mark.parametrize(
    "data, error",
    [
        (b'[{"text": "ok"}, {"text": oops}]', "invalid JSON array at element 1"),
        (b'[{"text": "ok"} {"text": "no comma"}]', "expected ',' or ']'"),
        (b'[{"text": "ok"}, ', "invalid JSON array at element 1"),
        (b'[{"text": "ok"}] trailing', "expected end of file"),
        (b'[{"text": "ok"}, {"text": "caf\xe9"}]', "invalid UTF-8 in array element"),
    ],
)
def test_broken_json_array_keeps_good_elements(tmp_path, data, error):
    path = tmp_path / "broken.json"
    path.write_bytes(data)
    records = _read(path)
    assert (records[0].index, records[0].fields) == (0, {"text": "ok"})
    assert records[-1].fields is None and error in records[-1].error
    assert records[-1].index == 1 or "end of file" in error


def test_json_array_non_object_element(tmp_path):
    path = tmp_path / "mixed.json"
    path.write_bytes(b'[{"text": "a"}, 42, "word", {"text": "b"}]')
    got = [(r.index, r.fields, r.raw, r.error) for r in _read(path)]
    assert got == [
        (0, {"text": "a"}, None, None),
        (1, None, b"42", "record is not a JSON object (got int)"),
        (2, None, b'"word"', "record is not a JSON object (got str)"),
        (3, {"text": "b"}, None, None),
    ]


def test_json_array_elements_across_small_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "READ_CHUNK", 5)
    elements = [{"text": f"element {i} é", "n": 12345 * i} for i in range(30)] + [{"n": 1.25e10}]
    path = tmp_path / "chunks.json"
    path.write_text(json.dumps(elements, ensure_ascii=False))
    assert _ok(_read(path)) == list(enumerate(elements))


def _payload(n=4000) -> bytes:
    # Big enough for several zstd blocks and gzip flushes, so a cut leaves complete records before it.
    return b"".join(
        json.dumps({"text": f"Record {i}: a sentence for the truncation test."}).encode() + b"\n"
        for i in range(n)
    )


@pytest.mark.parametrize(
    "name, compress, error",
    [
        ("cut.jsonl.gz", gzip.compress, "truncated gzip stream: "),
        ("cut.jsonl.zst", _zst, "truncated zstd stream: "),
    ],
)
def test_truncated_stream_keeps_records_before_the_cut(tmp_path, name, compress, error):
    data = _payload()
    path = tmp_path / name
    path.write_bytes(compress(data)[: len(compress(data)) * 3 // 4])
    records = _read(path)
    good, last = records[:-1], records[-1]
    assert good, "some records precede the damage"
    assert _ok(good) == [(i, json.loads(line)) for i, line in enumerate(data.split(b"\n")[: len(good)])]
    assert last.fields is None and last.error.startswith(error)
    assert last.index == len(good)
    assert data.split(b"\n")[last.index].startswith(last.raw)  # the partial bytes of the cut line


def test_truncated_csv_gz(tmp_path):
    data = b"text\n" + b"".join(b"row %d of a csv file\n" % i for i in range(5000))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(data)[:-40])
    records = _read(path)
    assert records[-1].fields is None and records[-1].error.startswith("truncated gzip stream")
    assert [r.index for r in records] == list(range(len(records)))


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("corrupt.parquet", b"PAR1 definitely not a parquet file PAR1", "unreadable Parquet"),
        ("empty.parquet", b"", "unreadable Parquet"),
        ("garbage.jsonl.gz", b"this was never gzip", "corrupt gzip stream"),
        ("garbage.jsonl.zst", b"this was never zstd either", "corrupt zstd stream"),
        ("latin1.txt", "café au lait".encode("latin-1"), "invalid UTF-8 at byte 3"),
        ("p.parquet.gz", b"whatever", "compressed Parquet (gzip) is not supported"),
    ],
)
def test_unreadable_files_become_one_malformed_record(tmp_path, name, data, error):
    path = tmp_path / name
    path.write_bytes(data)
    records = _read(path)
    assert len(records) == 1
    assert records[0].index == 0 and records[0].fields is None
    assert error in records[0].error
    if name.endswith(".txt"):
        assert records[0].raw == data


def test_csv_bad_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,text\n1,fine\n2,caf\xe9\n3,too,many\n4,fine again\n")
    got = [(r.index, r.fields, r.raw, r.error) for r in _read(path)]
    assert got == [
        (0, {"id": "1", "text": "fine"}, None, None),
        (1, None, b"2,caf\xe9", "invalid UTF-8 in CSV row"),
        (2, None, b"3,too,many", "row has 3 fields, the header has 2"),
        (3, {"id": "4", "text": "fine again"}, None, None),
    ]


def test_csv_long_field(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"text\n" + b"w" * 300_000 + b"\n")
    assert _ok(_read(path)) == [(0, {"text": "w" * 300_000})]


def test_missing_or_unopenable_file_is_one_malformed_record(tmp_path):
    for sl in [
        _slice(tmp_path / "gone.jsonl"),
        _slice(tmp_path, format="jsonl"),
        _slice(tmp_path / "gone.csv"),
        _slice(tmp_path / "gone.jsonl.gz"),
        _slice(tmp_path / "gone.csv.zst"),
    ]:
        records = list(read_slice(sl))
        assert len(records) == 1 and records[0].fields is None and records[0].raw == b""
        assert "read error" in records[0].error
    assert "unreadable Parquet" in _read(tmp_path / "gone.parquet")[0].error
    assert "read error" in _read(tmp_path / "gone.txt")[0].error


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions, so chmod 000 cannot deny a read"
)
@pytest.mark.parametrize("name", ["locked.jsonl", "locked.csv", "locked.parquet", "locked.txt"])
def test_permission_denied_is_one_malformed_record(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"text\nsomething\n")
    path.chmod(0)
    records = _read(path)
    assert len(records) == 1 and records[0].fields is None and "Permission" in records[0].error


def test_oversized_line_is_malformed_without_buffering_it(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(byte_stream, "RAW_PREVIEW", 10)
    monkeypatch.setattr(byte_stream, "READ_CHUNK", 32)
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"text": "short"}\n{"text": "' + b"z" * 500 + b'"}\n{"text": "after"}\n')
    got = [(r.index, r.fields, r.raw, r.error) for r in _read(path)]
    assert got[0] == (0, {"text": "short"}, None, None)
    assert got[1] == (1, None, b'{"text": "', "line is 512 bytes, over the limit of 100")
    assert got[2] == (2, {"text": "after"}, None, None)


def test_csv_oversized_line_is_malformed(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(byte_stream, "RAW_PREVIEW", 10)
    path = tmp_path / "long.csv"
    path.write_bytes(b"id,text\n1,short\n2," + b"y" * 300 + b"\n3,after\n")
    got = [(r.index, r.fields, r.error) for r in _read(path)]
    assert got == [
        (0, {"id": "1", "text": "short"}, None),
        (1, None, "row has a line of 302 bytes, over the limit"),
        (2, {"id": "3", "text": "after"}, None),
    ]


def test_leading_blank_lines_are_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "READ_CHUNK", 4)
    path = tmp_path / "blank-start.jsonl"
    path.write_bytes(b"\n" * 30 + b'{"text": "late"}\n')
    assert _ok(_read(path)) == [(30, {"text": "late"})]


def test_memory_url(tmp_path):
    fs = fsspec.filesystem("memory")
    fs.pipe("/sieve-readers/a.jsonl.gz", gzip.compress(JSONL))
    try:
        assert _ok(list(read_slice(SourceSlice("memory://sieve-readers/a.jsonl.gz", "jsonl", "gzip")))) == (
            JSONL_EXPECTED
        )
    finally:
        fs.rm("/sieve-readers", recursive=True)


def test_registry_and_unknown_format():
    assert set(READERS) == {"jsonl", "parquet", "csv", "text"}
    with pytest.raises(ValueError, match="valid formats: jsonl, parquet, csv, text"):
        list(read_slice(SourceSlice("x", "xml", "none")))


def test_reader_bug_ends_slice_with_malformed_record(monkeypatch):
    def broken(sl):
        yield RawRecord(index=5, fields={"text": "fine"})
        raise RuntimeError("boom")

    monkeypatch.setitem(READERS, "jsonl", broken)
    records = list(read_slice(SourceSlice("x", "jsonl", "none")))
    assert [(r.index, r.error) for r in records] == [(5, None), (6, "reader failed: RuntimeError: boom")]


def test_big_jsonl_in_slices_has_bounded_memory(tmp_path):
    line = json.dumps(
        {"text": "Bounded memory matters when a corpus is larger than the machine. " * 250}
    ).encode()
    path = tmp_path / "big.jsonl"
    block = (line + b"\n") * 2000
    with path.open("wb") as f:
        while f.tell() < 200 * 1024 * 1024:
            f.write(block)
    src = SourceFile(str(path), "jsonl", "none", os.path.getsize(path))
    _, slices = hash_and_split(src, 64 * 1024 * 1024)
    assert len(slices) == 4
    tracemalloc.start()
    try:
        count = 0
        for sl in slices:
            for record in read_slice(sl):
                count += record.fields is not None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == os.path.getsize(path) // (len(line) + 1)
    assert peak < 50 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"

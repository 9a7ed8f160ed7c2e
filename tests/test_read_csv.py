"""The CSV reader on damaged files: a broken row is malformed with its own physical lines, never merged away."""

import pytest

from tasks import byte_stream
from tasks.readers import read_slice
from tasks.sources import SourceSlice


def _read(tmp_path, data: bytes):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    return [(r.index, r.fields, r.raw, r.error) for r in read_slice(SourceSlice(str(path), "csv", "none"))]


def test_unclosed_quote_is_malformed_with_its_lines(tmp_path):
    got = _read(tmp_path, b'id,text\n1,fine\n2,"unterminated start\n3,after one\n4,after two\n')
    assert got[0] == (0, {"id": "1", "text": "fine"}, None, None)
    # Non-strict csv returned one clean record whose text was the rest of the file.
    assert got[1][:3] == (1, None, b'2,"unterminated start\n3,after one\n4,after two')
    assert got[1][3].startswith("invalid CSV row: unexpected end of data")
    assert len(got) == 2


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        (b'1,"quoted"tail', None),
        (b'1,"caf\xe9"x', None),
        (b'1,"ok ""inner"" quote"', {"id": "1", "text": 'ok "inner" quote'}),
    ],
)
def test_text_after_a_closing_quote_is_malformed_with_raw_bytes(tmp_path, line, fields):
    got = _read(tmp_path, b"id,text\n" + line + b"\n2,next\n")
    if fields is None:
        assert got[0][:3] == (0, None, line) and got[0][3].startswith("invalid CSV row: ")
    else:
        assert got[0] == (0, fields, None, None)
    assert got[1] == (1, {"id": "2", "text": "next"}, None, None)


@pytest.mark.parametrize(
    "data",
    [b"id,text\r1,cr one\r2,cr two\r", b"id,text\r1,cr one\r2,cr two", b"id,text\r\n1,cr one\n2,cr two\r\n"],
)
def test_bare_cr_line_endings(tmp_path, data):
    assert _read(tmp_path, data) == [
        (0, {"id": "1", "text": "cr one"}, None, None),
        (1, {"id": "2", "text": "cr two"}, None, None),
    ]


def test_line_breaks_inside_quoted_fields_are_kept(tmp_path):
    got = _read(tmp_path, b'id,text\n1,"a\rb"\n2,"c\r\nd"\r\n3,"e\nf"\n')
    assert [r[1]["text"] for r in got] == ["a\rb", "c\r\nd", "e\nf"]


def test_bad_row_keeps_its_physical_lines(tmp_path):
    got = _read(tmp_path, b'id,text\n1,"two\nlines",extra\n2,ok\n')
    assert got[0] == (0, None, b'1,"two\nlines",extra', "row has 3 fields, the header has 2")
    assert got[1] == (1, {"id": "2", "text": "ok"}, None, None)


def test_runaway_quote_keeps_a_preview_and_says_how_big(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(byte_stream, "RAW_PREVIEW", 10)
    got = _read(tmp_path, b'id,text\n1,"open\n' + b"2,more text here\n" * 20)
    assert got[0][:3] == (0, None, b'1,"open\n2,')
    assert "unexpected end of data (row is 348 characters; first 10 bytes kept)" in got[0][3]
    [note] = [r.note for r in read_slice(SourceSlice(str(tmp_path / "t.csv"), "csv", "none"))]
    assert note == "CSV row 0: unexpected end of data (row is 348 characters; first 10 bytes kept); the rest of " \
                   "that row is not kept"


def test_only_an_over_long_row_gets_a_source_note(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,text\n1,"open\n2,next\n')
    assert [r.note for r in read_slice(SourceSlice(str(path), "csv", "none"))] == [None]


def test_invalid_header_row_makes_every_row_malformed(tmp_path):
    """A header row the csv module refused was one malformed record, then the first data row was taken for the
    header: that row had no record of its own, and its values named the other rows' columns."""
    got = _read(tmp_path, b'"id"x,text\n1,first row\n2,second row\n')
    assert [(i, fields, raw) for i, fields, raw, _ in got] == [
        (0, None, b'"id"x,text'), (1, None, b"1,first row"), (2, None, b"2,second row"),
    ]
    assert got[0][3] == "invalid CSV row: ',' expected after '\"'"
    assert got[1][3] == "row not read: the header row is invalid CSV (',' expected after '\"'), so the columns " \
                        "have no names"


def test_header_row_over_the_limit_makes_every_row_malformed(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "MAX_RECORD_BYTES", 64)
    monkeypatch.setattr(byte_stream, "RAW_PREVIEW", 16)
    got = _read(tmp_path, b"id," + b"x" * 100 + b"\n1,first row\n")
    assert [(i, fields) for i, fields, _, _ in got] == [(0, None), (1, None)]
    assert got[1][2:] == (b"1,first row", "row not read: the header row is over the limit, so the columns have no "
                                          "names")


def test_blank_lines_between_rows_are_skipped_in_runs_and_kept_inside_quotes(tmp_path, monkeypatch):
    """A compressed CSV of newlines was one csv-module step per blank line (minutes for a file of kilobytes)."""
    import zstandard

    from tasks import read_csv

    data = b'id,text\n\n\n1,"two\n\n\nblank lines"\n' + b"\n" * (4 << 20) + b"2,last\n\n"
    path = tmp_path / "t.csv.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(data))
    calls = []
    real = read_csv._csv_lines
    monkeypatch.setattr(read_csv, "_csv_lines", lambda text: calls.append(1) or real(text))
    got = [(r.index, r.fields, r.error) for r in read_slice(SourceSlice(str(path), "csv", "zstd"))]
    assert got == [(0, {"id": "1", "text": "two\n\n\nblank lines"}, None), (1, {"id": "2", "text": "last"}, None)]
    assert len(calls) < 100

"""Files not in the encoding or format their name says: UTF-16 files read as UTF-8 (every record is malformed, and
its error says the file looks like UTF-16; before, 'invalid JSON: Expecting value at column 1' or 'missing text
field', one per line or row, without a word about the encoding), and files whose first bytes are another format's
(a .jsonl that is Parquet, a bzip2 file): the first record names the format."""

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.reasons import INPUT_MALFORMED
from tasks.readers import read_slice
from tasks.records import parse_record
from tasks.sources import SourceSlice, detect_format

HINT = "(the bytes look like UTF-16"
LINES = '{"text": "first line"}\n{"text": "second line"}\n'


def _parsed(path):
    fmt, compression = detect_format(str(path))
    return [parse_record(r, "text", "text", 10_000) for r in read_slice(SourceSlice(str(path), fmt, compression))]


@pytest.mark.parametrize(("name", "data"), [
    ("bom.jsonl", LINES.encode("utf-16")),  # with a byte-order mark
    ("le.jsonl", LINES.encode("utf-16-le")),  # without one: NUL bytes between the characters
    ("be.jsonl", LINES.encode("utf-16-be")),
    ("bom.csv", "id,text\n1,first row\n2,second row\n".encode("utf-16")),
    ("bom.txt", "A whole document.".encode("utf-16")),
    ("le.txt", "A whole document.".encode("utf-16-le")),  # valid UTF-8 with NULs: the text field says it
    ("cjk.txt", "\u4f60\u597d\uff0c\u4e16\u754c".encode("utf-16")),  # no NUL: the byte-order mark says it
])
def test_utf16_records_say_so(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    parsed = _parsed(path)
    assert parsed and all(p.reason == INPUT_MALFORMED for p in parsed)
    assert all(HINT in p.detail for p in parsed), [p.detail for p in parsed]


def test_utf8_errors_keep_their_plain_wording(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": broken}\n{"text": "a \\u0000 b"}\n')
    assert [p.detail for p in _parsed(path)] == [
        "invalid UTF-8 at byte 13", "invalid JSON: Expecting value at column 10",
        "text field 'text' contains a NUL character",
    ]


def _zipped(text: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.jsonl", text)
    return buf.getvalue()


def _tar_gz(text: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("inner.jsonl")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return gzip.compress(buf.getvalue())


def _parquet(_: bytes) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"text": ["a parquet row"]}), buf)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "make", "what"), [
    ("a.jsonl", _parquet, "(the file is a Parquet file: name it .parquet)"),
    ("a.csv", _parquet, "(the file is a Parquet file: name it .parquet)"),
    ("a.jsonl", bz2.compress, "(the file is bzip2-compressed, which Sieve does not read"),
    ("a.jsonl.bz2", bz2.compress, "(the file is bzip2-compressed, which Sieve does not read"),
    ("a.jsonl.xz", lzma.compress, "(the file is xz-compressed, which Sieve does not read"),
    ("a.zip", _zipped, "(the file is a zip archive, which Sieve does not read: extract its files)"),
    ("a.jsonl", gzip.compress, "(the file is gzip-compressed: name it .gz)"),
    # read as one text document; its ASCII headers decode, and were 'contains a NUL character (... UTF-16 ...)'
    ("corpus.tar.gz", _tar_gz, "not a text document (the file is a tar archive, which Sieve does not read"),
])
def test_a_file_in_another_format_says_which(tmp_path, name, make, what):
    """A .jsonl that is Parquet gave 'invalid JSON: Expecting value at column 1' and 'invalid UTF-8 at byte 115'; a
    .jsonl.bz2 (read as a text document) 'invalid UTF-8 at byte 10'. The file's first record now names the format."""
    path = tmp_path / name
    path.write_bytes(make(LINES.encode()))
    parsed = _parsed(path)
    assert parsed[0].reason == INPUT_MALFORMED and what in parsed[0].detail, parsed[0].detail
    assert "UTF-16" not in parsed[0].detail

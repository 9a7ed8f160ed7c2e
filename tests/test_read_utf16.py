"""UTF-16 files read as UTF-8: every record is malformed (Sieve reads UTF-8), and its error says the file looks
like UTF-16. Before, the errors were 'invalid JSON: Expecting value at column 1' or 'missing text field', one per
line or row, without a word about the encoding."""

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

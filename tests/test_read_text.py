"""Text files over the reader limit: one malformed record, and the source says how much of the file was not read."""

import gzip

from tasks import byte_stream
from tasks.readers import read_slice
from tasks.sources import SourceSlice


def test_over_long_text_file_says_how_much_was_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(byte_stream, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(byte_stream, "RAW_PREVIEW", 10)
    path = tmp_path / "a.txt"
    path.write_bytes(b"w" * 1000)
    [rec] = read_slice(SourceSlice(str(path), "text", "none"))
    assert rec.fields is None and rec.raw == b"w" * 10
    assert rec.note == "text file over the limit: 899 of its 1000 bytes not read (the first 10 kept as the raw of a " \
                       "malformed record)"
    gz = tmp_path / "a.txt.gz"
    gz.write_bytes(gzip.compress(b"w" * 1000))
    [rec] = read_slice(SourceSlice(str(gz), "text", "gzip"))
    assert rec.note.startswith("text file over the limit: reading stopped after 101 decompressed bytes; the rest of "
                               f"the {gz.stat().st_size}-byte gzip file not read")


def test_text_file_within_the_limit_has_no_note(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"A short note.")
    assert [(r.fields, r.note) for r in read_slice(SourceSlice(str(path), "text", "none"))] == [
        ({"text": "A short note.", "path": str(path)}, None)
    ]

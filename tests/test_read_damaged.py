"""Compressed files damaged inside (not only cut short): the records before the damage are kept, the damage is one
malformed record, and the source's note (``sources.error``) says how much of the file was lost."""

from __future__ import annotations

import gzip
import json
import random
import zlib

import pytest
import zstandard

from tasks.readers import read_slice
from tasks.sources import SourceSlice, detect_format

_RNG = random.Random(7)
_WORDS = ["".join(_RNG.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_RNG.randint(2, 9))) for _ in range(3000)]
LINES = [json.dumps({"text": f"Record {i}: " + " ".join(_RNG.choices(_WORDS, k=30))}).encode() for i in range(3000)]
DATA = b"\n".join(LINES) + b"\n"


def _read(path):
    fmt, compression = detect_format(str(path))
    return list(read_slice(SourceSlice(str(path), fmt, compression)))


def _gzip_failing_mid_stream(data: bytes = DATA) -> bytes:
    """``data`` gzipped, with 200 zero bytes written over the middle where deflate itself fails (not only the CRC)."""
    comp = gzip.compress(data, mtime=0)
    for off in range(len(comp) // 2, len(comp) * 3 // 4, 97):
        bad = comp[:off] + bytes(200) + comp[off + 200:]
        try:
            gzip.decompress(bad)
        except zlib.error:  # deflate failed where the zeros are
            return bad
        except (gzip.BadGzipFile, EOFError):  # only the CRC at the end, or the end lost: try further on
            continue
    raise AssertionError("no offset makes deflate fail")


def _zstd_damaged() -> bytes:
    comp = bytearray(zstandard.ZstdCompressor(level=3).compress(DATA))
    mid = len(comp) // 2
    comp[mid:mid + 64] = bytes(b ^ 0xFF for b in comp[mid:mid + 64])
    return bytes(comp)


@pytest.mark.parametrize("name, damaged", [("d.jsonl.gz", _gzip_failing_mid_stream),
                                           ("d.jsonl.zst", _zstd_damaged)])
def test_damage_mid_file_keeps_what_precedes_it_and_says_how_much_was_lost(tmp_path, name, damaged):
    path = tmp_path / name
    path.write_bytes(damaged())
    records = _read(path)
    last = records[-1]
    assert last.fields is None and last.error.startswith(f"corrupt {'gzip' if name.endswith('gz') else 'zstd'}")
    assert 0 < last.index < len(LINES) - 1
    kept = [r for r in records[:-1] if r.fields is not None]
    assert len(kept) > len(LINES) // 4  # the records before the damage
    assert all(r.fields == json.loads(LINES[r.index]) for r in kept[:len(LINES) // 4])
    size = path.stat().st_size
    at = int(last.note.split("reading stopped at compressed byte ")[1].split(" ")[0])
    assert 0 < at < size and f"of {size}, so the last {size - at} bytes" in last.note, last.note
    assert f"({last.index} lines) read before it" in last.note


def test_a_gzip_crc_mismatch_warns_that_what_was_read_may_be_damaged(tmp_path):
    comp = bytearray(gzip.compress(DATA, mtime=0))
    comp[-8] ^= 0xFF  # the trailer's CRC32: the data decompresses whole, the check at the end fails
    path = tmp_path / "crc.jsonl.gz"
    path.write_bytes(bytes(comp))
    records = _read(path)
    assert [r.fields for r in records[:-1]] == [json.loads(line) for line in LINES]
    assert records[-1].error.startswith("corrupt gzip stream: BadGzipFile: CRC check failed")
    assert "records read from this file may hold damaged text" in records[-1].note


def test_damaged_csv_gz_has_the_note_too(tmp_path):
    rows = [json.loads(line)["text"] for line in LINES]  # no commas or quotes: one field per row
    path = tmp_path / "d.csv.gz"
    path.write_bytes(_gzip_failing_mid_stream("\n".join(["text", *rows, ""]).encode()))
    records = _read(path)
    assert [r.fields for r in records[:100]] == [{"text": t} for t in rows[:100]]
    assert records[-1].fields is None and records[-1].note.startswith("corrupt gzip stream")


def test_a_truncated_file_says_it_ends_early(tmp_path):
    comp = zstandard.ZstdCompressor().compress(DATA)
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(comp[: len(comp) // 2])
    last = _read(path)[-1]
    assert last.note.startswith("truncated zstd file: it ends inside the compressed stream;")
    assert f"({last.index} lines) read before it" in last.note


def test_an_intact_compressed_file_has_no_note(tmp_path):
    path = tmp_path / "ok.jsonl.gz"
    path.write_bytes(gzip.compress(DATA))
    records = _read(path)
    assert len(records) == len(LINES) and not any(r.note or r.error for r in records)


def test_zstd_bomb_is_read_in_bounded_pieces(tmp_path):
    """A 2 KB .zst of 64 MiB of newlines came out of one decompress step whole (64 KiB input steps: a 64 KiB file of
    2 GiB came out at once, 2.1 GB of memory measured). Input steps of ZSTD_INPUT_CHUNK bound every piece."""
    from tasks import byte_stream as bs

    size = 64 << 20
    comp = zstandard.ZstdCompressor(level=19).compress(b"\n" * size)
    assert len(comp) < 64 * 1024  # the whole file fitted in one step before
    path = tmp_path / "bomb.jsonl.zst"
    path.write_bytes(comp)
    pieces = [len(p) for p in bs.decompressed_chunks(SourceSlice(str(path), "jsonl", "zstd"))]
    assert sum(pieces) == size
    assert max(pieces) <= bs.ZSTD_INPUT_CHUNK * 32 * 1024 + bs.READ_CHUNK <= 40 << 20
    assert _read(path) == []  # blank lines only: no record


def test_blank_line_runs_are_counted_not_walked(tmp_path):
    """A .zst of newlines was one Python step per empty line (a 64 KiB file held 2 GiB of them: minutes of a
    worker). The JSONL reader now gets a run of blank lines as one count; record indices are unchanged."""
    from tasks import byte_stream as bs

    rng = random.Random(3)
    lines = [rng.choice([b"", b"", b"", b'{"text": "x"}', b"y" * rng.randint(1, 9)]) for _ in range(3000)]
    data = b"\n".join(lines) + b"\n\n\n"
    cuts = sorted(rng.sample(range(1, len(data)), 40))
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    plain = list(bs.split_lines(iter(chunks)))
    runs = list(bs.split_lines(iter(chunks), blank_runs=True))
    # the same lines at the same numbers: a run (b"", -n) stands for n blank lines
    expanded = [item for line, n in runs for item in ([(b"", 0)] * -n if n < 0 else [(line, n)])]
    assert expanded == plain == [(line, len(line)) for line in lines + [b"", b""]]
    flood = tmp_path / "flood.jsonl.zst"
    flood.write_bytes(zstandard.ZstdCompressor().compress(b'{"text": "a"}\n' + b"\n" * (8 << 20) + b'{"text": "b"}'))
    assert len(list(bs.split_lines(bs.decompressed_chunks(SourceSlice(str(flood), "jsonl", "zstd")),
                                   blank_runs=True))) < 100
    assert [(r.index, r.fields) for r in _read(flood)] == [(0, {"text": "a"}), ((8 << 20) + 1, {"text": "b"})]

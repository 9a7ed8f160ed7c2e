"""Streaming readers: one source slice in, ``RawRecord``s out, with memory bounded by a record, not by a file.

Bad input never raises out of a reader: every bad line, row or file becomes a ``RawRecord`` with
``fields=None`` and a one-line ``error``, so it reaches quarantine as ``input.malformed`` with its raw bytes.
A record's ``index`` depends only on the file's content (physical line number, array position or row number),
never on how the file was sliced, because ``doc_id`` is derived from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from fsspec.core import url_to_fs

from tasks import byte_stream as bs
from tasks.input_names import KeyCheckingDecoder
from tasks.json_array import read_array
from tasks.raw import RawRecord
from tasks.raw import bad as _bad
from tasks.read_csv import read_csv
from tasks.read_parquet import read_parquet
from tasks.sources import SourceSlice, may_be_json_array

__all__ = ["READERS", "RawRecord", "read_jsonl", "read_slice", "read_text"]


def _json_line(index: int, line: bytes, length: int, decoder: KeyCheckingDecoder) -> RawRecord | None:
    """Parse one JSONL line; None for a blank line (not a record)."""
    if length > len(line):
        return _bad(
            index, line[:bs.RAW_PREVIEW], f"line is {length} bytes, over the limit of {bs.MAX_RECORD_BYTES}"
        )
    if not line.strip():
        return None
    try:
        # A byte-order mark opening a line other than the file's first (whose mark the byte stream drops) comes from
        # files joined with cat: the line was 'invalid JSON: Expecting value at column 1', its mark invisible.
        value = decoder.decode(line.removeprefix(bs.BOM).decode("utf-8"))
    except UnicodeDecodeError as err:
        return _bad(index, line, f"invalid UTF-8 at byte {err.start}{_hint(index, line)}")
    except json.JSONDecodeError as err:
        # Some of json's messages end in "at" ("Unterminated string starting at"): do not say it twice.
        why = f"invalid JSON: {err.msg.removesuffix(' at')} at column {err.colno}"
        return _bad(index, line, why + _hint(index, line))
    except RecursionError:
        return _bad(index, line, "invalid JSON: nested too deeply")
    if not isinstance(value, dict):
        return _bad(index, line, f"record is not a JSON object (got {type(value).__name__})")
    if (problem := decoder.problem()) is not None:
        return _bad(index, line, problem)
    return RawRecord(index=index, fields=value)


def _hint(index: int, line: bytes) -> str:
    """What the bytes of a line that is not JSON look like, when they say more than the error (UTF-16; at the start
    of the file, another format)."""
    return bs.utf16_hint(line, index == 0) or (bs.format_hint(line) if index == 0 else "")


_SPREAD = (" (a .json file that is not one JSON array is read as JSON Lines, one object per line: an object"
           " spread over several lines is one malformed record per line; write one object per line)")


def _prepend(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from chunks


def read_jsonl(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read JSON lines (index = physical line number) or, for a ``.json`` file starting with ``[``, one JSON array.

    A JSON Lines file (``.jsonl``, ``.ndjson``) is never an array: a line holding one is a malformed record.
    """
    index = sl.first_record
    progress = bs.Progress()
    chunks = bs.decompressed_chunks(sl, progress=progress)
    first = b""
    try:
        if sl.start == 0 and may_be_json_array(sl.uri):  # peek at a whole .json file's first meaningful byte
            for chunk in chunks:
                first += chunk
                if first.lstrip() or len(first) > bs.READ_CHUNK:  # bounded, even for a file of blank lines
                    break
    except Exception as err:  # cannot open, or broken before the first record
        yield _bad(index, first, bs.stream_error(sl.compression, err))
        return
    if first.lstrip().startswith(b"["):
        # The limits are passed at call time so a test's smaller limits (set on tasks.byte_stream) apply.
        yield from read_array(
            _prepend(first, chunks), lambda err: bs.stream_error(sl.compression, err), bs.MAX_RECORD_BYTES,
            bs.RAW_PREVIEW,
        )
        return
    decoder = KeyCheckingDecoder()
    first_of_json = sl.start == 0 and may_be_json_array(sl.uri)  # a .json file's first record may need a word
    try:
        for line, length in bs.split_lines(_prepend(first, chunks), blank_runs=True):
            if length < 0:  # that many blank lines: no records, but they count as lines
                index -= length
                continue
            record = _json_line(index, line, length, decoder)
            if record is not None:
                if first_of_json and record.error and record.error.startswith("invalid JSON") \
                        and line.lstrip().startswith(b"{"):
                    record.error += _SPREAD  # each line of a pretty-printed object said only 'invalid JSON'
                first_of_json = False
                yield record
            index += 1
    except bs.StreamDamaged as err:
        record = _bad(index, err.partial, bs.stream_error(sl.compression, err.cause))
        record.note = bs.damage_note(sl, progress, err.cause, index - sl.first_record)
        yield record


def _text_rest(sl: SourceSlice, read: int) -> str:
    """The sources note of an over-long text file: how much of it was never read (the size, not a second pass)."""
    kept = f"the first {min(read, bs.RAW_PREVIEW)} kept as the raw of a malformed record"
    try:
        fs, path = url_to_fs(sl.uri)
        size = int(fs.size(path))
    except Exception:  # the note is best effort: the record already says what happened
        return f"text file over the limit: reading stopped after {read} bytes ({kept})"
    if sl.compression == "none":
        return f"text file over the limit: {max(0, size - read)} of its {size} bytes not read ({kept})"
    return (
        f"text file over the limit: reading stopped after {read} decompressed bytes; the rest of the "
        f"{size}-byte {sl.compression} file not read ({kept})"
    )


def read_text(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read a whole text file as one document: ``{"text": content, "path": uri}`` (index 0)."""
    try:
        data = b"".join(bs.decompressed_chunks(sl, bs.MAX_RECORD_BYTES + 1))
    except Exception as err:  # unopenable, truncated or corrupt: one malformed record
        yield _bad(sl.first_record, b"", bs.stream_error(sl.compression, err))
        return
    if len(data) > bs.MAX_RECORD_BYTES:
        error = f"text file is over the reader limit of {bs.MAX_RECORD_BYTES} bytes"
        record = _bad(sl.first_record, data[:bs.RAW_PREVIEW], error)
        record.note = _text_rest(sl, len(data))
        yield record
        return
    if hint := bs.format_hint(data):  # an archive's or a Parquet file's bytes are no document, even if ASCII
        yield _bad(sl.first_record, data, f"not a text document{hint}")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        yield _bad(sl.first_record, data, f"invalid UTF-8 at byte {err.start}{bs.utf16_hint(data, True)}")
        return
    yield RawRecord(index=sl.first_record, fields={"text": text, "path": sl.uri})


READERS: dict[str, Callable[[SourceSlice], Iterator[RawRecord]]] = {
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "csv": read_csv,
    "text": read_text,
}


def read_slice(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read one slice with the reader registered for its format.

    A reader bug or an unforeseen library error ends the slice with one malformed record (at the next index)
    instead of failing the shard; an unknown format is a planning bug and raises ``ValueError``.
    """
    reader = READERS.get(sl.format)
    if reader is None:
        raise ValueError(f"unknown source format {sl.format!r}; valid formats: {', '.join(READERS)}")
    if sl.error:  # the planner found it cannot be read (see SourceFile.error): it is not opened
        yield _bad(sl.first_record, b"", f"not read: {sl.error}")
        return
    next_index = sl.first_record
    try:
        for record in reader(sl):
            next_index = record.index + 1
            yield record
    except Exception as err:  # see the docstring: never crash a shard on input
        yield _bad(next_index, b"", f"reader failed: {type(err).__name__}: {err}")

"""Streaming readers: one source slice in, ``RawRecord``s out, with memory bounded by a record, not by a file.

Bad input never raises out of a reader: every bad line, row or file becomes a ``RawRecord`` with
``fields=None`` and a one-line ``error``, so it reaches quarantine as ``input.malformed`` with its raw bytes.
A record's ``index`` depends only on the file's content (physical line number, array position or row number),
never on how the file was sliced, because ``doc_id`` is derived from it.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import fsspec
import zstandard
from fsspec.core import url_to_fs

from tasks.input_names import KeyCheckingDecoder, csv_delimiter, unique_columns
from tasks.json_array import ESCAPED as _ESCAPED
from tasks.json_array import read_array
from tasks.raw import RawRecord
from tasks.raw import bad as _bad
from tasks.read_parquet import read_parquet
from tasks.sources import SourceSlice, may_be_json_array

READ_CHUNK = 1024 * 1024  # bytes per read from a (decompressed) stream
ZSTD_INPUT_CHUNK = 64 * 1024  # compressed bytes per zstd step: small, so one step cannot inflate unboundedly
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a longer line/array element/text file is malformed instead of buffered
RAW_PREVIEW = 64 * 1024  # how much of an over-long or unparseable remainder is kept as ``raw``

_BOM = b"\xef\xbb\xbf"

# The default 128 KiB would reject ordinary long documents; the cap keeps a runaway quoted field bounded.
csv.field_size_limit(MAX_RECORD_BYTES)


def _zstd_chunks(f: BinaryIO) -> Iterator[bytes]:
    """Decompress zstd frames one small input step at a time; a stream cut inside a frame raises EOFError.

    ``zstandard``'s own stream reader ends silently when the input stops mid-frame, which would hide a cut-off
    file. Small input steps keep the output of one step small, whatever the compression ratio.
    """
    dctx = zstandard.ZstdDecompressor()
    obj, in_frame = dctx.decompressobj(), False
    while data := f.read(ZSTD_INPUT_CHUNK):
        while data:  # a file may hold several frames back to back
            in_frame = True
            if out := obj.decompress(data):
                yield out
            data = b""
            if obj.eof:
                data, obj, in_frame = obj.unused_data, dctx.decompressobj(), False
    if in_frame:
        raise EOFError("compressed file ended before the end of a zstd frame")


class _Progress:
    """How far a stream was read (``decompressed`` bytes; ``compressed`` file offset when it broke), so a source
    whose stream broke can say how much of it was lost."""

    def __init__(self) -> None:
        self.decompressed = 0
        self.compressed: int | None = None


def _chunks(sl: SourceSlice, limit: int | None = None, progress: _Progress | None = None) -> Iterator[bytes]:
    """The slice's decompressed bytes in pieces, without a leading byte-order mark; ``limit`` caps the total.

    Opening and read errors surface from ``next()``, so each reader handles them where it consumes the bytes;
    ``progress``, when given, counts the bytes read and notes the file offset where the stream broke.
    """
    with fsspec.open(sl.uri, "rb") as f, contextlib.ExitStack() as stack:
        if sl.compression == "gzip":
            gz = stack.enter_context(gzip.GzipFile(fileobj=f, mode="rb"))
            pieces: Iterator[bytes] = iter(lambda: gz.read1(READ_CHUNK), b"")  # read1: data before a cut
        elif sl.compression == "zstd":
            pieces = _zstd_chunks(f)
        else:
            f.seek(sl.start)
            pieces = iter(lambda: f.read(READ_CHUNK), b"")
        if sl.end is not None and sl.compression == "none":
            limit = sl.end - sl.start if limit is None else min(limit, sl.end - sl.start)
        done = 0
        try:
            for piece in pieces:
                if limit is not None and done + len(piece) > limit:
                    piece = piece[: limit - done]
                if done == 0 and sl.start == 0:
                    done += len(piece)  # the limit counts file bytes, the mark included
                    piece = piece.removeprefix(_BOM)
                else:
                    done += len(piece)
                if progress is not None:
                    progress.decompressed = done
                if piece:
                    yield piece
                if limit is not None and done >= limit:
                    return
        except Exception:
            if progress is not None:
                with contextlib.suppress(Exception):  # the offset is for the note only
                    progress.compressed = f.tell()
            raise


def _stream_error(compression: str, err: BaseException) -> str:
    if compression != "none" and isinstance(err, EOFError):
        return f"truncated {compression} stream: {err}"
    if compression != "none" and isinstance(err, gzip.BadGzipFile | zlib.error | zstandard.ZstdError):
        return f"corrupt {compression} stream: {type(err).__name__}: {err}"
    return f"read error: {type(err).__name__}: {err}"


def _damage_note(sl: SourceSlice, progress: _Progress, err: BaseException, records: int) -> str | None:
    """The sources note of a compressed stream that broke: how much of the file was lost, as far as it is known.

    A corrupt stream stops where the decompressor gives up, so the compressed bytes after that point are lost
    (zstd checks each block; a damaged deflate block often fails at once). A gzip CRC mismatch is found only at
    the end: the damage is somewhere in what was read, so the records read may hold damaged text. A truncated
    file lost whatever followed the cut, which was never in the file to count.
    """
    if sl.compression == "none":
        return None
    read = f"{progress.decompressed} decompressed bytes ({records} lines) read before it"
    if isinstance(err, EOFError):
        return (f"truncated {sl.compression} file: it ends inside the compressed stream; {read}; what followed "
                "the cut is not in the file")
    try:
        fs, path = url_to_fs(sl.uri)
        size = int(fs.size(path))
    except Exception:  # the note is best effort: the record already says what happened
        size = None
    at = progress.compressed
    if size and at is not None and at < size:
        lost = size - at
        return (f"corrupt {sl.compression} stream: reading stopped at compressed byte {at} of {size}, so the last "
                f"{lost} bytes ({lost * 100 // size}% of the file) were not read; {read}")
    return (f"corrupt {sl.compression} stream found at its end ({type(err).__name__}: {err}): the damage is "
            f"somewhere in the {read}, so records read from this file may hold damaged text")


class _Damaged(Exception):
    """The stream broke: ``partial`` holds the bytes of the unfinished last line, ``cause`` the error."""

    def __init__(self, partial: bytes, cause: BaseException):
        super().__init__(str(cause))
        self.partial, self.cause = partial, cause


def _lines(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Split chunks into lines without the newline, yielding ``(line, length)``.

    A line over ``MAX_RECORD_BYTES`` is not buffered whole: only its first ``RAW_PREVIEW`` bytes are kept and
    ``length`` tells the real size. A stream error raises ``_Damaged`` carrying the unfinished line.
    """
    head: list[bytes] = []
    kept = length = 0

    def keep(piece: bytes) -> None:
        nonlocal kept, length
        length += len(piece)
        if kept + len(piece) > MAX_RECORD_BYTES:
            piece = piece[: max(0, RAW_PREVIEW - kept)]
        head.append(piece)
        kept += len(piece)

    try:
        for chunk in chunks:
            parts = chunk.split(b"\n")
            for part in parts[:-1]:
                if head:
                    keep(part)
                    yield b"".join(head), length
                    head, kept, length = [], 0, 0
                elif len(part) > MAX_RECORD_BYTES:
                    yield part[:RAW_PREVIEW], len(part)
                else:
                    yield part, len(part)
            if parts[-1]:
                keep(parts[-1])
    except Exception as err:  # any failure to open or read: the caller reports it as a record
        raise _Damaged(b"".join(head), err) from err
    if length:
        yield b"".join(head), length  # the last line has no newline


def _json_line(index: int, line: bytes, length: int, decoder: KeyCheckingDecoder) -> RawRecord | None:
    """Parse one JSONL line; None for a blank line (not a record)."""
    if length > len(line):
        return _bad(
            index, line[:RAW_PREVIEW], f"line is {length} bytes, over the limit of {MAX_RECORD_BYTES}"
        )
    if not line.strip():
        return None
    try:
        value = decoder.decode(line.decode("utf-8"))
    except UnicodeDecodeError as err:
        return _bad(index, line, f"invalid UTF-8 at byte {err.start}")
    except json.JSONDecodeError as err:
        return _bad(index, line, f"invalid JSON: {err.msg} at column {err.colno}")
    except RecursionError:
        return _bad(index, line, "invalid JSON: nested too deeply")
    if not isinstance(value, dict):
        return _bad(index, line, f"record is not a JSON object (got {type(value).__name__})")
    if decoder.repeated is not None:
        return _bad(index, line, decoder.repeated_error())
    return RawRecord(index=index, fields=value)


def _prepend(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from chunks


def read_jsonl(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read JSON lines (index = physical line number) or, for a ``.json`` file starting with ``[``, one JSON array.

    A JSON Lines file (``.jsonl``, ``.ndjson``) is never an array: a line holding one is a malformed record.
    """
    index = sl.first_record
    progress = _Progress()
    chunks = _chunks(sl, progress=progress)
    first = b""
    try:
        if sl.start == 0 and may_be_json_array(sl.uri):  # peek at a whole .json file's first meaningful byte
            for chunk in chunks:
                first += chunk
                if first.lstrip() or len(first) > READ_CHUNK:  # bounded, even for a file of blank lines
                    break
    except Exception as err:  # cannot open, or broken before the first record
        yield _bad(index, first, _stream_error(sl.compression, err))
        return
    if first.lstrip().startswith(b"["):
        # The limits are passed at call time so a test's smaller limits (set on this module) apply.
        yield from read_array(
            _prepend(first, chunks), lambda err: _stream_error(sl.compression, err), MAX_RECORD_BYTES, RAW_PREVIEW
        )
        return
    decoder = KeyCheckingDecoder()
    try:
        for line, length in _lines(_prepend(first, chunks)):
            record = _json_line(index, line, length, decoder)
            if record is not None:
                yield record
            index += 1
    except _Damaged as err:
        record = _bad(index, err.partial, _stream_error(sl.compression, err.cause))
        record.note = _damage_note(sl, progress, err.cause, index - sl.first_record)
        yield record


def _prepend_line(first: str, lines: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from lines


def _csv_lines(text: str) -> Iterator[str]:
    """One ``\n``-split line as the csv module's lines: a bare CR also ends a line (as with ``newline=''``)."""
    parts = text.split("\r")
    tail = "\n"
    if len(parts) > 1 and not parts[-1]:  # CRLF: the CR belongs to this line's ending
        parts.pop()
        tail = "\r\n"
    for part in parts[:-1]:
        yield part + "\r"
    yield parts[-1] + tail


def read_csv(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read CSV with a header row (index = data row number; blank rows are not records).

    Lines are decoded with ``surrogateescape`` so a row with bad bytes passes the csv module whole and is
    flagged on its own. The csv module is strict: a quote that never closes is an error, not a field that
    swallows the rest of the file. A malformed row's ``raw`` is the physical lines it was read from (the first
    ``RAW_PREVIEW`` bytes when they are over ``MAX_RECORD_BYTES``).
    """
    index = sl.first_record
    over_limit: list[int] = []  # set when a physical line was too long to keep whole
    pending: list[str] = []  # the physical lines of the row being read, for its raw bytes
    size = [0, 0]  # characters of the row being read: all of them, and those kept in ``pending``
    progress = _Progress()
    physical = [0]  # lines read, for the note of a broken stream

    def text_lines() -> Iterator[str]:
        for line, length in _lines(_chunks(sl, progress=progress)):
            physical[0] += 1
            if length > len(line):
                over_limit.append(length)
            for text in _csv_lines(line.decode("utf-8", "surrogateescape")):
                size[0] += len(text)
                if size[1] + len(text) <= MAX_RECORD_BYTES:  # a runaway quoted field is not buffered twice
                    pending.append(text)
                    size[1] += len(text)
                yield text

    def raw() -> tuple[bytes, str]:
        data = "".join(pending).encode("utf-8", "surrogateescape").removesuffix(b"\n").removesuffix(b"\r")
        note = "" if size[0] == size[1] else f" (row is {size[0]} characters; first {RAW_PREVIEW} bytes kept)"
        pending.clear()
        size[:] = [0, 0]
        return (data if not note else data[:RAW_PREVIEW]), note

    lines = text_lines()
    try:
        first = next(lines, "")
    except _Damaged as err:  # broken before the header ends: one malformed record
        data, _ = raw()
        record = _bad(index, data + err.partial, _stream_error(sl.compression, err.cause))
        record.note = _damage_note(sl, progress, err.cause, physical[0])
        yield record
        return
    rows = csv.reader(_prepend_line(first, lines), delimiter=csv_delimiter(sl.uri, first), strict=True)
    header: list[str] | None = None
    header_note: str | None = None  # repeated column names, said with the first record
    while True:
        try:
            row = next(rows, None)
        except csv.Error as err:
            data, note = raw()
            record = _bad(index, data, f"invalid CSV row: {err}{note}")
            if note:  # a quote that never closed swallowed the rest: the source says how much was given up
                record.note = f"CSV row {index}: {err}{note}; the rest of that row is not kept"
            yield record
            index += 1
            continue
        except _Damaged as err:
            data, _ = raw()
            record = _bad(index, data + err.partial, _stream_error(sl.compression, err.cause))
            record.note = _damage_note(sl, progress, err.cause, physical[0])
            yield record
            return
        if row is None:
            return
        data, note = raw()
        if over_limit:
            yield _bad(index, data[:RAW_PREVIEW], f"row has a line of {over_limit.pop()} bytes, over the limit")
            over_limit.clear()
        elif not row:
            continue
        elif header is None:
            header, header_note = unique_columns(row)
            continue
        elif any(_ESCAPED.search(field) for field in row):
            yield _bad(index, data, "invalid UTF-8 in CSV row")
        elif len(row) != len(header):
            yield _bad(index, data, f"row has {len(row)} fields, the header has {len(header)}")
        else:
            yield RawRecord(index=index, fields=dict(zip(header, row, strict=True)), note=header_note)
            header_note = None
        index += 1


def _text_rest(sl: SourceSlice, read: int) -> str:
    """The sources note of an over-long text file: how much of it was never read (the size, not a second pass)."""
    kept = f"the first {min(read, RAW_PREVIEW)} kept as the raw of a malformed record"
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
        data = b"".join(_chunks(sl, MAX_RECORD_BYTES + 1))
    except Exception as err:  # unopenable, truncated or corrupt: one malformed record
        yield _bad(sl.first_record, b"", _stream_error(sl.compression, err))
        return
    if len(data) > MAX_RECORD_BYTES:
        error = f"text file is over the reader limit of {MAX_RECORD_BYTES} bytes"
        record = _bad(sl.first_record, data[:RAW_PREVIEW], error)
        record.note = _text_rest(sl, len(data))
        yield record
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        yield _bad(sl.first_record, data, f"invalid UTF-8 at byte {err.start}")
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

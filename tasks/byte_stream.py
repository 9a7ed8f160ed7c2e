"""The byte layer under the streaming readers: a source slice's decompressed bytes, split into bounded lines.

Gzip and zstd streams are read in small steps, so memory stays bounded by ``READ_CHUNK`` and a line by
``MAX_RECORD_BYTES``; a stream that breaks says how far it was read, so the reader can note what was lost. The
limits are module globals read at call time, so a test sets smaller ones here.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import fsspec
import zstandard
from fsspec.core import url_to_fs

from tasks.sources import SourceSlice

READ_CHUNK = 1024 * 1024  # bytes per read from a (decompressed) stream
# Compressed bytes per zstd step. zstd inflates a byte to 32 KiB at most (a 128 KiB block of one repeated byte
# is 4 bytes), so a step yields 32 MiB at most; 64 KiB steps let a 64 KiB file of newlines yield 2 GiB at once.
ZSTD_INPUT_CHUNK = 1024
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a longer line/array element/text file is malformed instead of buffered
RAW_PREVIEW = 64 * 1024  # how much of an over-long or unparseable remainder is kept as ``raw``

BOM = b"\xef\xbb\xbf"  # the UTF-8 byte-order mark

def zstd_chunks(f: BinaryIO) -> Iterator[bytes]:
    """Decompress zstd frames one small input step at a time; a stream cut inside a frame raises EOFError.

    ``zstandard``'s own stream reader ends silently when the input stops mid-frame, which would hide a cut-off
    file. Small input steps (``ZSTD_INPUT_CHUNK``) bound the output of one step, whatever the compression ratio;
    their output is handed on in pieces of about ``READ_CHUNK``, and what was decompressed before an error first.
    """
    dctx = zstandard.ZstdDecompressor()
    obj, in_frame = dctx.decompressobj(), False
    pending: list[bytes] = []
    size = 0
    try:
        while data := f.read(ZSTD_INPUT_CHUNK):
            while data:  # a file may hold several frames back to back
                in_frame = True
                if out := obj.decompress(data):
                    pending.append(out)
                    size += len(out)
                data = b""
                if obj.eof:
                    data, obj, in_frame = obj.unused_data, dctx.decompressobj(), False
            if size >= READ_CHUNK:
                yield b"".join(pending)
                pending, size = [], 0
    except Exception:  # the records before the damage are kept: their bytes go first
        if pending:
            yield b"".join(pending)
        raise
    if pending:
        yield b"".join(pending)
    if in_frame:
        raise EOFError("compressed file ended before the end of a zstd frame")


class Progress:
    """How far a stream was read (``decompressed`` bytes; ``compressed`` file offset when it broke), so a source
    whose stream broke can say how much of it was lost."""

    def __init__(self) -> None:
        self.decompressed = 0
        self.compressed: int | None = None


def decompressed_chunks(sl: SourceSlice, limit: int | None = None, progress: Progress | None = None) -> Iterator[bytes]:
    """The slice's decompressed bytes in pieces, without a leading byte-order mark; ``limit`` caps the total.

    Opening and read errors surface from ``next()``, so each reader handles them where it consumes the bytes;
    ``progress``, when given, counts the bytes read and notes the file offset where the stream broke.
    """
    with fsspec.open(sl.uri, "rb") as f, contextlib.ExitStack() as stack:
        if sl.compression == "gzip":
            gz = stack.enter_context(gzip.GzipFile(fileobj=f, mode="rb"))
            pieces: Iterator[bytes] = iter(lambda: gz.read1(READ_CHUNK), b"")  # read1: data before a cut
        elif sl.compression == "zstd":
            pieces = zstd_chunks(f)
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
                    piece = piece.removeprefix(BOM)
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


def stream_error(compression: str, err: BaseException) -> str:
    """The one-line error of a malformed record whose stream could not be opened or read further."""
    if compression != "none" and isinstance(err, EOFError):
        return f"truncated {compression} stream: {err}"
    if compression != "none" and isinstance(err, gzip.BadGzipFile | zlib.error | zstandard.ZstdError):
        return f"corrupt {compression} stream: {type(err).__name__}: {err}"
    return f"read error: {type(err).__name__}: {err}"


def damage_note(sl: SourceSlice, progress: Progress, err: BaseException, records: int) -> str | None:
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


def utf16_hint(data: bytes, file_start: bool = False) -> str:
    """A note for the error of bytes that look like UTF-16 (NUL bytes between the characters, or, at the start of
    a file, a UTF-16 byte-order mark), else ''. Read as UTF-8, such a file gave 'invalid JSON: Expecting value' on
    every line, or 'missing text field' on every CSV row, without a word about its encoding."""
    sample = data[:4096]
    if file_start and sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _UTF16
    # Latin text in UTF-16 has a NUL in every other byte, on one side only (a tar header's NUL runs are on both);
    # a UTF-16LE file's last line is the one NUL after "\n"
    even, odd, half = sample[0::2].count(0), sample[1::2].count(0), max(1, len(sample) // 2)
    if sample == b"\x00" or (max(even, odd) >= 2 and max(even, odd) * 3 >= half and min(even, odd) * 10 <= half):
        return _UTF16
    return ""


_UTF16 = (" (the bytes look like UTF-16: a byte-order mark or NUL bytes between characters; Sieve reads UTF-8:"
          " convert the file, e.g. iconv -f UTF-16 -t UTF-8)")


# The first bytes of formats a file may hold under a name Sieve reads otherwise (a .jsonl that is Parquet, a text
# file that is bzip2): the malformed record of such a file says what it is, not only 'invalid UTF-8 at byte 10'.
_FORMATS = (
    (re.compile(rb"PAR1"), "a Parquet file: name it .parquet"),
    (re.compile(rb"\x1f\x8b\x08"), "gzip-compressed: name it .gz"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "zstd-compressed: name it .zst"),
    (re.compile(rb"BZh[1-9]1AY&SY"), "bzip2-compressed, which Sieve does not read: recompress it as .gz or .zst"),
    (re.compile(rb"\xfd7zXZ\x00"), "xz-compressed, which Sieve does not read: recompress it as .gz or .zst"),
    (re.compile(rb"PK\x03\x04"), "a zip archive, which Sieve does not read: extract its files"),
    (re.compile(rb"7z\xbc\xaf\x27\x1c"), "a 7z archive, which Sieve does not read: extract its files"),
    (re.compile(rb"%PDF-"), "a PDF, which Sieve does not read: extract its text"),
    (re.compile(rb".{257}ustar", re.DOTALL), "a tar archive, which Sieve does not read: extract its files"),
)


def format_hint(data: bytes) -> str:
    """A note for the error of a file's first record when the file starts like another format, else ''."""
    return next((f" (the file is {what})" for magic, what in _FORMATS if magic.match(data)), "")


class StreamDamaged(Exception):
    """The stream broke: ``partial`` holds the bytes of the unfinished last line, ``cause`` the error."""

    def __init__(self, partial: bytes, cause: BaseException):
        super().__init__(str(cause))
        self.partial, self.cause = partial, cause


_BLANK_RUN = re.compile(rb"\n\n+")  # a line's end and the blank lines after it (a literal prefix: a fast scan)


def split_lines(chunks: Iterable[bytes], blank_runs: bool = False) -> Iterator[tuple[bytes, int]]:
    """Split chunks into lines without the newline, yielding ``(line, length)``.

    A line over ``MAX_RECORD_BYTES`` is not buffered whole: only its first ``RAW_PREVIEW`` bytes are kept and
    ``length`` tells the real size. A stream error raises ``StreamDamaged`` carrying the unfinished line. With
    ``blank_runs``, the blank lines after a line come as one ``(b"", -count)``: a 64 KiB .zst of 2 GiB of
    newlines was 2 billion empty lines, one Python step each (45 s per 256 MiB measured), for a reader that
    only counts them.
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

    def lines(data: bytes) -> Iterator[tuple[bytes, int]]:
        nonlocal head, kept, length
        parts = data.split(b"\n")
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

    try:
        for chunk in chunks:
            pos = 0
            for run in _BLANK_RUN.finditer(chunk) if blank_runs else ():
                yield from lines(chunk[pos:run.start() + 1])  # up to the end of the line before the blank ones
                yield b"", run.start() + 1 - run.end()
                pos = run.end()
            yield from lines(chunk[pos:] if pos else chunk)
    except Exception as err:  # any failure to open or read: the caller reports it as a record
        raise StreamDamaged(b"".join(head), err) from err
    if length:
        yield b"".join(head), length  # the last line has no newline

"""The CSV reader: a header row, then one record per data row, strict about quotes, bounded per row."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from tasks import byte_stream as bs
from tasks.input_names import csv_delimiter, unique_columns
from tasks.json_array import ESCAPED as _ESCAPED
from tasks.raw import RawRecord
from tasks.raw import bad as _bad
from tasks.sources import SourceSlice

# The default 128 KiB would reject ordinary long documents; the cap keeps a runaway quoted field bounded.
csv.field_size_limit(bs.MAX_RECORD_BYTES)


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
    ``bs.RAW_PREVIEW`` bytes when they are over ``bs.MAX_RECORD_BYTES``).
    """
    index = sl.first_record
    over_limit: list[int] = []  # set when a physical line was too long to keep whole
    pending: list[str] = []  # the physical lines of the row being read, for its raw bytes
    size = [0, 0]  # characters of the row being read: all of them, and those kept in ``pending``
    progress = bs.Progress()
    physical = [0]  # lines read, for the note of a broken stream

    def text_lines() -> Iterator[str]:
        for line, length in bs.split_lines(bs.decompressed_chunks(sl, progress=progress), blank_runs=True):
            if length < 0 and not size[0]:  # blank lines between rows are no rows: counted, not walked one by one
                physical[0] -= length
                continue
            if length < 0:  # blank lines inside a quoted field are its content
                yield from _blank_lines(-length)
                continue
            physical[0] += 1
            if length > len(line):
                over_limit.append(length)
            yield from _texts(_csv_lines(line.decode("utf-8", "surrogateescape")))

    def _texts(texts: Iterator[str]) -> Iterator[str]:
        for text in texts:
            size[0] += len(text)
            if size[1] + len(text) <= bs.MAX_RECORD_BYTES:  # a runaway quoted field is not buffered twice
                pending.append(text)
                size[1] += len(text)
            yield text

    def _blank_lines(n: int) -> Iterator[str]:
        for _ in range(n):
            physical[0] += 1
            yield from _texts(iter(["\n"]))

    def raw() -> tuple[bytes, str]:
        data = "".join(pending).encode("utf-8", "surrogateescape").removesuffix(b"\n").removesuffix(b"\r")
        note = "" if size[0] == size[1] else f" (row is {size[0]} characters; first {bs.RAW_PREVIEW} bytes kept)"
        pending.clear()
        size[:] = [0, 0]
        return (data if not note else data[:bs.RAW_PREVIEW]), note

    lines = text_lines()
    try:
        first = next(lines, "")
    except bs.StreamDamaged as err:  # broken before the header ends: one malformed record
        data, _ = raw()
        record = _bad(index, data + err.partial, bs.stream_error(sl.compression, err.cause))
        record.note = bs.damage_note(sl, progress, err.cause, physical[0])
        yield record
        return
    rows = csv.reader(_prepend_line(first, lines), delimiter=csv_delimiter(sl.uri, first), strict=True)
    header: list[str] | None = None
    header_note: str | None = None  # repeated column names, said with the first record
    # Why the header row could not be read. Its rows then have no column names: each is malformed. Before, the
    # first data row was taken for the header, so it had no record of its own and named the others' columns.
    no_header: str | None = None
    while True:
        try:
            row = next(rows, None)
        except csv.Error as err:
            data, note = raw()
            record = _bad(index, data, f"invalid CSV row: {err}{note}")
            if note:  # a quote that never closed swallowed the rest: the source says how much was given up
                record.note = f"CSV row {index}: {err}{note}; the rest of that row is not kept"
            if header is None and no_header is None:
                no_header = f"the header row is invalid CSV ({err}){bs.format_hint(data)}"
            yield record
            index += 1
            continue
        except bs.StreamDamaged as err:
            data, _ = raw()
            record = _bad(index, data + err.partial, bs.stream_error(sl.compression, err.cause))
            record.note = bs.damage_note(sl, progress, err.cause, physical[0])
            yield record
            return
        if row is None:
            return
        data, note = raw()
        if over_limit:
            yield _bad(index, data[:bs.RAW_PREVIEW], f"row has a line of {over_limit.pop()} bytes, over the limit")
            over_limit.clear()
            if header is None and no_header is None:
                no_header = "the header row is over the limit"
        elif not row:
            continue
        elif header is None and no_header is not None:
            yield _bad(index, data, f"row not read: {no_header}, so the columns have no names")
        elif header is None and (hint := bs.utf16_hint(data, file_start=True)):
            no_header = f"the header row is not UTF-8{hint}"
            yield _bad(index, data, no_header)
        elif header is None and (hint := bs.format_hint(data)):
            no_header = f"the header row is not CSV{hint}"
            yield _bad(index, data, no_header)
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

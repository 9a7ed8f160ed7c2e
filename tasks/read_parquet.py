"""The Parquet reader: a slice of row groups in, one ``RawRecord`` per row out (index = row number in the file).

A row group is the unit Parquet can lose: its pages may be corrupt while the footer and the other groups are
fine. Each group is read on its own, so a bad group costs only its rows, and each of those rows still becomes a
malformed record (``num_rows`` comes from the footer). The record count and every index, hence every ``doc_id``,
are then the same whether the file is read whole or in slices of any size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from tasks.input_names import unique_columns
from tasks.raw import RawRecord, bad
from tasks.sources import SourceSlice

PARQUET_BATCH_ROWS = 1024


def _microsecond_safe(t: pa.DataType) -> pa.DataType:
    """``t`` with every nanosecond timestamp, time and duration (at any depth) as a string (a duration as its
    count of nanoseconds).

    Python's datetime holds microseconds, so ``to_pylist`` raises on a nanosecond value that is not a whole
    microsecond (pandas writes datetime64[ns]); the string keeps every digit.
    """
    if isinstance(t, pa.TimestampType | pa.Time64Type | pa.DurationType):
        return pa.string() if t.unit == "ns" else t
    if isinstance(t, pa.DictionaryType):  # kept as it is unless its values change
        return t if (values := _microsecond_safe(t.value_type)) == t.value_type else values
    if isinstance(t, pa.MapType):
        return pa.map_(_microsecond_safe(t.key_type), _microsecond_safe(t.item_type))
    if isinstance(t, pa.ListType | pa.LargeListType | pa.FixedSizeListType):
        item = t.value_field.with_type(_microsecond_safe(t.value_type))
        if isinstance(t, pa.FixedSizeListType):
            return pa.list_(item, t.list_size)
        return pa.large_list(item) if isinstance(t, pa.LargeListType) else pa.list_(item)
    if isinstance(t, pa.StructType):
        return pa.struct([f.with_type(_microsecond_safe(f.type)) for f in t])
    return t


def _rows(batch: pa.RecordBatch, first: int) -> list[RawRecord]:
    """The batch's rows as records (index ``first`` on), nanosecond time columns as strings: ``to_pylist`` raised
    on a value that is not a whole microsecond, and one such meta column made its whole row group
    ``input.malformed``. Every batch of such a column is cast, not only the batches that would fail, so one
    column's values have one form in meta. A string that is not valid UTF-8 costs its own row only (see ``_row``).
    """
    columns = [c.cast(safe) if (safe := _microsecond_safe(c.type)) != c.type else c for c in batch.columns]
    batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
    try:
        return [RawRecord(index=first + i, fields=row) for i, row in enumerate(batch.to_pylist())]
    except UnicodeDecodeError:  # Arrow does not check the UTF-8 of a string column it reads: row by row
        return [_row(batch.slice(i, 1), first + i) for i in range(batch.num_rows)]


def _row(one: pa.RecordBatch, index: int) -> RawRecord:
    """The record of a one-row batch; a malformed one when a string of it is not valid UTF-8.

    Before, such a string made its whole row group malformed, every row's raw empty. The raw is the row as JSON
    with each string's own bytes (so records keep it as base64), or empty for a string inside a nested value.
    """
    try:
        return RawRecord(index=index, fields=one.to_pylist()[0])
    except UnicodeDecodeError as err:
        where = next((name for name, c in zip(one.schema.names, one.columns, strict=True) if not _decodes(c)), "?")
        error = f"invalid UTF-8 in Parquet column {where!r} at byte {err.start}"
    as_bytes = {pa.string(): pa.binary(), pa.large_string(): pa.large_binary()}
    try:
        row = pa.RecordBatch.from_arrays([c.view(as_bytes[c.type]) if c.type in as_bytes else c for c in one.columns],
                                         names=one.schema.names).to_pylist()[0]
        row = {k: v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else v for k, v in row.items()}
        raw = json.dumps(row, ensure_ascii=False, default=str).encode("utf-8", "surrogateescape")
    except Exception:  # a bad string nested in a list or struct: the error alone says what happened
        raw = b""
    return bad(index, raw, error)


def _decodes(column: pa.Array) -> bool:
    try:
        column.to_pylist()
    except UnicodeDecodeError:
        return False
    return True


def _group(parquet: pq.ParquetFile, group: int, first: int, rows: int, total: int,
           names: list[str] | None = None) -> Iterator[RawRecord]:
    """The rows of one row group; rows that cannot be read are malformed records, one per row. ``names``
    renames the columns (repeated names made unique)."""
    done = 0
    try:
        # One group per call: iter_batches over several groups reads ahead, so one bad group failed them all.
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=[group]):
            if names is not None:
                batch = batch.rename_columns(names)
            for record in _rows(batch, first + done):
                yield record
                done += 1
    except Exception as err:  # corrupt pages, unsupported types: the group's remaining rows are malformed
        why = f"unreadable Parquet row group {group} of {total} ({rows} rows): {type(err).__name__}: {err}"
        for k in range(done, rows):
            record = bad(first + k, b"", why)
            if k == done:  # the file's sources.error says it too, as for a damaged .gz: one line per group
                record.note = f"{why}; its {rows - done} unread rows are input.malformed records"
            yield record


def read_parquet(sl: SourceSlice) -> Iterator[RawRecord]:
    """Read a Parquet slice row group by row group, in batches (index = row number in the file).

    A footer that cannot be read gives one malformed record (the row count is unknown); a row group that cannot
    be read gives one malformed record per row of it.
    """
    index = sl.first_record
    if sl.compression != "none":
        yield bad(index, b"", f"compressed Parquet ({sl.compression}) is not supported: decompress the file")
        return
    try:
        with fsspec.open(sl.uri, "rb") as f:
            parquet = pq.ParquetFile(f)
            meta = parquet.metadata
            end = meta.num_row_groups if sl.end is None else min(sl.end, meta.num_row_groups)
            # a repeated column name would keep only the last column's values (to_pylist builds dicts)
            names, note = unique_columns(parquet.schema_arrow.names, "Parquet schema")
            rename = names if note else None
            note = note if sl.start == 0 else None  # said once per file: by its first slice's first record
            for group in range(sl.start, end):
                rows = meta.row_group(group).num_rows
                for record in _group(parquet, group, index, rows, meta.num_row_groups, rename):
                    if note:
                        record.note, note = note, None
                    yield record
                index += rows
    except Exception as err:  # no footer, or the file cannot be opened: one malformed record, never a crash
        record = bad(index, b"", f"unreadable Parquet: {type(err).__name__}: {err}")
        record.note = f"{record.error}; its rows are unknown, one input.malformed record stands for the file"
        yield record

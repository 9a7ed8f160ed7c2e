"""The Parquet reader on damaged files: a corrupt row group costs its own rows only, each as a malformed record."""

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.reasons import INPUT_MALFORMED
from tasks.ids import doc_id
from tasks.readers import read_slice
from tasks.records import parse_record
from tasks.sources import SourceFile, SourceSlice, hash_and_split
from tests.conftest import plumbing_config, sql

GROUPS, GROUP_ROWS, BAD_GROUP = 10, 20, 5


def _write(path):
    texts = [f"Row {i:03d} of a table of plain notes." for i in range(GROUPS * GROUP_ROWS)]
    # No compression, no dictionary: the bad group's data page header sits at a known offset.
    pq.write_table(pa.table({"text": texts}), path, row_group_size=GROUP_ROWS, compression="none",
                   use_dictionary=False)
    return path


def _corrupt_group(path, group):
    offset = pq.ParquetFile(path).metadata.row_group(group).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 40] = b"\xab" * 40
    path.write_bytes(bytes(data))


def _read_with(path, target_bytes):
    src = SourceFile(str(path), "parquet", "none", os.path.getsize(path))
    sha, slices = hash_and_split(src, target_bytes)
    records = [r for s in slices for r in read_slice(s)]
    return len(slices), [(doc_id(sha, r.index), r) for r in records]


def test_corrupt_row_group_loses_only_its_rows(tmp_path):
    healthy = _write(tmp_path / "healthy.parquet")
    broken = _write(tmp_path / "broken.parquet")
    _corrupt_group(broken, BAD_GROUP)
    good = list(read_slice(SourceSlice(str(healthy), "parquet", "none")))
    got = list(read_slice(SourceSlice(str(broken), "parquet", "none")))
    assert [r.index for r in got] == list(range(GROUPS * GROUP_ROWS))
    bad_rows = range(BAD_GROUP * GROUP_ROWS, (BAD_GROUP + 1) * GROUP_ROWS)
    for want, rec in zip(good, got, strict=True):
        if rec.index in bad_rows:
            assert rec.fields is None and f"row group {BAD_GROUP} of {GROUPS}" in rec.error
            assert parse_record(rec, "text", "text", 10_000).reason == INPUT_MALFORMED
        else:
            assert (rec.index, rec.fields, rec.error) == (want.index, want.fields, None)


def test_unreadable_parquet_says_so_in_its_sources_note(tmp_path):
    """sources.error names a damaged Parquet as it names a damaged .gz (the reader's note on one record)."""
    broken = _write(tmp_path / "broken.parquet")
    _corrupt_group(broken, BAD_GROUP)
    notes = [r.note for r in read_slice(SourceSlice(str(broken), "parquet", "none")) if r.note]
    assert len(notes) == 1 and notes[0].startswith(f"unreadable Parquet row group {BAD_GROUP} of {GROUPS}")
    assert notes[0].endswith(f"its {GROUP_ROWS} unread rows are input.malformed records")
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1 and then nothing a Parquet reader can use")
    [rec] = read_slice(SourceSlice(str(junk), "parquet", "none"))
    assert rec.fields is None and rec.note.startswith("unreadable Parquet: ArrowInvalid")


def test_corrupt_row_group_ids_do_not_depend_on_shard_size(tmp_path):
    path = _write(tmp_path / "broken.parquet")
    _corrupt_group(path, BAD_GROUP)
    runs = {target: _read_with(path, target) for target in (1, 3000, 10**9)}
    assert runs[1][0] == GROUPS and 1 < runs[3000][0] < GROUPS and runs[10**9][0] == 1  # three slicings
    ids = [[(did, r.index, r.fields) for did, r in recs] for _, recs in runs.values()]
    assert ids[0] == ids[1] == ids[2]
    assert len(ids[0]) == GROUPS * GROUP_ROWS
    assert sum(r.fields is None for _, r in runs[1][1]) == GROUP_ROWS


@pytest.mark.slow
def test_corrupt_row_group_rows_are_each_quarantined_in_a_run(tmp_path, run_sieve):
    path = _write(tmp_path / "broken.parquet")
    _corrupt_group(path, BAD_GROUP)
    ids = {}
    for target in (1024, 10**9):
        config = plumbing_config(tmp_path / f"cfg{target}.yaml", shards={"target_bytes": target})
        lake = tmp_path / f"lake{target}"
        res = run_sieve([path], lake, config=config, task_runner="threads", workers=1)
        rows = sql(lake, "SELECT outcome, reasons, source_record, doc_id FROM documents WHERE run_id = ?",
                   [res["run_id"]])
        assert len(rows) == GROUPS * GROUP_ROWS
        # Unread rows have no content to compare: each is quarantined, none a "duplicate" of another.
        bad = sorted(r[2] for r in rows if r[0] == "quarantined")
        assert bad == list(range(BAD_GROUP * GROUP_ROWS, (BAD_GROUP + 1) * GROUP_ROWS))
        assert all(r[1] == ["input.malformed"] for r in rows if r[0] == "quarantined")
        [(error,)] = sql(lake, "SELECT error FROM sources WHERE run_id = ?", [res["run_id"]])
        assert error.startswith(f"unreadable Parquet row group {BAD_GROUP} of {GROUPS}")
        ids[target] = sorted((r[2], r[3]) for r in rows)
    assert ids[1024] == ids[10**9]


def test_nanosecond_time_columns_do_not_make_their_row_group_malformed(tmp_path):
    """pandas writes datetime64[ns]: a value that is not a whole microsecond made to_pylist raise, and the whole
    row group (every text in it fine) was input.malformed. Such columns are read as strings, at any depth."""
    path = tmp_path / "crawl.parquet"
    table = pa.table({
        "text": ["First page of the crawl.", "Second page of the crawl."],
        "fetched": pa.array([1_600_000_000_000_000_001, 1_600_000_000_000_000_000], pa.timestamp("ns", tz="UTC")),
        "took": pa.array([1_500, 2_000], pa.duration("ns")),
        "history": pa.array([[1], []], pa.list_(pa.timestamp("ns"))),
        "n": [1, 2],
    })
    pq.write_table(table, path)
    records = list(read_slice(SourceSlice(str(path), "parquet", "none")))
    assert [(r.index, r.error) for r in records] == [(0, None), (1, None)]
    first, second = (r.fields for r in records)
    assert first["fetched"] == "2020-09-13 12:26:40.000000001Z"
    assert second["fetched"] == "2020-09-13 12:26:40.000000000Z"  # one form for the column, not per batch
    assert (first["took"], first["history"], first["n"]) == ("1500", ["1970-01-01 00:00:00.000000001"], 1)
    parsed = parse_record(records[0], "text", "text", 10_000)
    assert parsed.reason is None and "12:26:40.000000001" in parsed.meta


def test_invalid_utf8_string_costs_only_its_row(tmp_path):
    """Arrow reads a string column's bytes unchecked; to_pylist of one invalid string raised, and the whole row group
    was malformed, every row's raw empty. Now that row alone is malformed, its raw the row with the bytes as read."""
    text = pa.array([b"First row.", b"caf\xe9 au lait", b"Third row.", b"Fourth row."]).view(pa.string())
    values = pa.array([b"a", b"b", b"bad \xff", b"d"]).view(pa.string())
    tags = pa.ListArray.from_arrays(pa.array([0, 1, 2, 3, 4], pa.int32()), values)
    path = tmp_path / "latin1.parquet"
    pq.write_table(pa.table({"text": text, "n": [1, 2, 3, 4], "tags": tags}), path)
    got = list(read_slice(SourceSlice(str(path), "parquet", "none")))
    assert [(r.index, r.fields) for r in got] == [
        (0, {"text": "First row.", "n": 1, "tags": ["a"]}), (1, None), (2, None),
        (3, {"text": "Fourth row.", "n": 4, "tags": ["d"]}),
    ]
    assert got[1].error == "invalid UTF-8 in Parquet column 'text' at byte 3"
    assert got[1].raw == b'{"text": "caf\xe9 au lait", "n": 2, "tags": ["b"]}'
    assert (got[2].raw, got[2].error) == (b"", "invalid UTF-8 in Parquet column 'tags' at byte 4")  # nested
    parsed = parse_record(got[1], "text", "text", 10_000)
    assert (parsed.reason, parsed.raw_encoding) == (INPUT_MALFORMED, "base64")

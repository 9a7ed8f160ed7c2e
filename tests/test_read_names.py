"""Field names and delimiters of input records: TSV and semicolon CSV read as columns, a repeated CSV column kept
under a suffixed name, a JSON object with a repeated key malformed instead of silently losing a value."""

from __future__ import annotations

import gzip

import pytest

from tasks.readers import read_slice
from tasks.sources import SourceSlice, detect_format


def _read(path):
    fmt, compression = detect_format(str(path))
    return [(r.index, r.fields, r.error, r.note) for r in read_slice(SourceSlice(str(path), fmt, compression))]


@pytest.mark.parametrize("name", ["t.tsv", "t.tab", "t.tsv.gz"])
def test_tsv_is_read_as_tab_separated_columns(tmp_path, name):
    data = b"id\ttext\n1\tcommas, and; semicolons stay in the text\n2\tsecond\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert _read(path) == [(0, {"id": "1", "text": "commas, and; semicolons stay in the text"}, None, None),
                           (1, {"id": "2", "text": "second"}, None, None)]


@pytest.mark.parametrize("delimiter", [";", "|", "\t"])
def test_a_header_without_commas_names_its_delimiter(tmp_path, delimiter):
    path = tmp_path / "export.csv"
    path.write_text(f"id{delimiter}text\n1{delimiter}Grüße, aus Köln\n", encoding="utf-8")
    assert _read(path) == [(0, {"id": "1", "text": "Grüße, aus Köln"}, None, None)]


def test_a_comma_header_keeps_commas_whatever_the_rows_hold(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,text\n1,a;b;c\n")
    assert _read(path) == [(0, {"id": "1", "text": "a;b;c"}, None, None)]
    one_column = tmp_path / "one.csv"
    one_column.write_text("text\nonly column\n")
    assert _read(one_column) == [(0, {"text": "only column"}, None, None)]


def test_a_repeated_csv_column_keeps_both_values_and_says_so(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("text,text,id,text\na1,b1,1,c1\na2,b2,2,c2\n")
    got = _read(path)
    assert [r[1] for r in got] == [{"text": "a1", "text_2": "b1", "id": "1", "text_3": "c1"},
                                   {"text": "a2", "text_2": "b2", "id": "2", "text_3": "c2"}]
    assert got[0][3] == ("CSV header repeats column names: read 'text' as 'text_2', 'text' as 'text_3' "
                         "(the first keeps the name)")
    assert got[1][3] is None  # said once, for the source


@pytest.mark.parametrize("line", [
    '{"text": "first", "text": "second"}',
    '{"text": "ok", "meta": {"a": 1, "a": 2}}',
    '{"text": "ok", "turns": [{"role": "user", "role": "system"}]}',
])
def test_a_json_line_with_a_repeated_key_is_malformed(tmp_path, line):
    path = tmp_path / "d.jsonl"
    path.write_text(line + '\n{"text": "fine", "n": {"a": 1}}\n')
    got = _read(path)
    assert got[0][1] is None and got[0][2].startswith("repeated key '")
    assert got[1] == (1, {"text": "fine", "n": {"a": 1}}, None, None)  # the decoder's state does not leak


def test_a_json_array_element_with_a_repeated_key_is_malformed(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[{"text": "x", "text": "y"}, {"text": "z"}]')
    got = _read(path)
    assert got[0][1] is None and got[0][2] == "repeated key 'text' in a JSON object (JSON keeps only one of its values)"
    assert got[1][:3] == (1, {"text": "z"}, None)


def test_a_repeated_parquet_column_keeps_both_values_and_says_so_once(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "dup.parquet"
    table = pa.Table.from_arrays([pa.array(["a0", "a1", "a2"]), pa.array(["b0", "b1", "b2"])], names=["text", "text"])
    pq.write_table(table, path, row_group_size=1)  # three row groups: read whole, and as slices
    got = _read(path)
    assert [r[1] for r in got] == [{"text": f"a{i}", "text_2": f"b{i}"} for i in range(3)]
    assert [r[3] for r in got] == ["Parquet schema repeats column names: read 'text' as 'text_2' (the first keeps "
                                   "the name)", None, None]
    later = list(read_slice(SourceSlice(str(path), "parquet", "none", start=1, end=3, first_record=1)))
    assert [(r.index, r.fields, r.note) for r in later] == [(1, {"text": "a1", "text_2": "b1"}, None),
                                                            (2, {"text": "a2", "text_2": "b2"}, None)]

"""CSV listings of untrusted text meant for people (``sieve review list --format csv``) do not hand a spreadsheet a
formula: the quarantine holds planted content, '=HYPERLINK(...)' included. Data exports stay byte-faithful."""

from __future__ import annotations

import csv
import io

from tasks.query import spreadsheet_safe, write_csv


def test_cells_a_spreadsheet_would_run_get_a_quote():
    for cell in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(cell) == "'" + cell
    for cell in ("plain text", "a=b", "", "'quoted"):
        assert spreadsheet_safe(cell) == cell


def test_write_csv_defuses_text_only_when_asked():
    rows = [[("=cmd|' /C calc'!A0", 7, None, "ok")]]
    defused, raw = io.StringIO(), io.StringIO()
    write_csv(["a", "b", "c", "d"], rows, defused, defuse=True)
    write_csv(["a", "b", "c", "d"], rows, raw)
    assert list(csv.reader(io.StringIO(defused.getvalue())))[1] == ["'=cmd|' /C calc'!A0", "7", "", "ok"]
    assert list(csv.reader(io.StringIO(raw.getvalue())))[1] == ["=cmd|' /C calc'!A0", "7", "", "ok"]

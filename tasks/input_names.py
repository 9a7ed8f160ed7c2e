"""Field names of input records: repeated names, and the delimiter a CSV header is written with.

A JSON object may repeat a key, and a CSV header or a Parquet schema a column name; Python's ``json``,
``dict(zip(...))`` and Arrow's ``to_pylist`` keep only the last value, so the other one would vanish without a
trace. A repeated column is kept under a suffixed name (``text``, ``text_2``); a JSON object with a repeated key
is a malformed record (which value is the record's text is a guess), its raw bytes kept.
"""

from __future__ import annotations

import json
import sys
from pathlib import PurePosixPath
from typing import Any

# Delimiters a header may use instead of a comma (European spreadsheets write ';'; '|' and tab are common too).
_OTHER_DELIMITERS = (";", "\t", "|")
_TAB_SUFFIXES = (".tsv", ".tab")


def unique_names(names: list[str]) -> list[str]:
    """Names made unique: a repeated name ``a`` becomes ``a_2``, ``a_3``, ... (the first keeps its name)."""
    seen = set(names)
    out: list[str] = []
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
        if counts[name] == 1:
            out.append(name)
            continue
        n = counts[name]
        while f"{name}_{n}" in seen:
            n += 1
        counts[name] = n
        seen.add(f"{name}_{n}")
        out.append(f"{name}_{n}")
    return out


def unique_columns(row: list[str], what: str = "CSV header") -> tuple[list[str], str | None]:
    """Column names with repeated ones made unique, and the sources note saying so (None when none repeat);
    ``what`` names where the names come from (a CSV header, a Parquet schema)."""
    names = unique_names(row)
    renamed = [f"{old!r} as {new!r}" for old, new in zip(row, names, strict=True) if old != new]
    if not renamed:
        return names, None
    return names, f"{what} repeats column names: read {', '.join(renamed)} (the first keeps the name)"


def csv_delimiter(uri: str, first_line: str) -> str:
    """The delimiter of a CSV file: a tab for ``.tsv``/``.tab``; else a comma, unless the header line has no comma
    and holds ``;``, a tab or ``|`` (the most frequent of them)."""
    suffixes = [s for s in PurePosixPath(uri.lower()).suffixes if s not in (".gz", ".zst", ".zstd")]
    if suffixes and suffixes[-1] in _TAB_SUFFIXES:
        return "\t"
    if "," in first_line:
        return ","
    counts = {d: first_line.count(d) for d in _OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class KeyCheckingDecoder:
    """A JSON decoder that notes the first key repeated inside any object of a value (``json`` keeps only the
    last value of a repeated key). One per reader: it holds the state of the value being decoded."""

    def __init__(self) -> None:
        self.repeated: str | None = None
        self.long_int: int | None = None  # digits of an integer Python refuses to convert
        self._decoder = json.JSONDecoder(object_pairs_hook=self._object)
        # A parse_int hook takes every integer off json's C path (3.3x the time of a line of 50 integers): it is
        # used only for a value the plain decoder failed on with int()'s digit limit.
        self._long_ints = json.JSONDecoder(object_pairs_hook=self._object, parse_int=self._int)

    def _int(self, digits: str) -> int:
        # int() refuses more than sys.get_int_max_str_digits() digits (4300) with a ValueError that is not a
        # JSONDecodeError: it escaped the readers and ended the slice, every later record of the file unread.
        limit = sys.get_int_max_str_digits()
        if limit and len(digits.lstrip("-")) > limit:
            self.long_int = max(self.long_int or 0, len(digits.lstrip("-")))
            return 0  # the record is malformed (see ``problem``): the value is never used
        return int(digits)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs) and self.repeated is None:
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.repeated = key
                    break
                seen.add(key)
        return obj

    def decode(self, text: str) -> Any:
        """Decode one JSON document; ``problem()`` then says why it cannot be a record, if it cannot."""
        self.repeated = self.long_int = None
        try:
            return self._decoder.decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer over int()'s digit limit
            self.repeated = None
            return self._long_ints.decode(text)

    def raw_decode(self, text: str, pos: int) -> tuple[Any, int]:
        """Decode the JSON value starting at ``pos``; return it and where it ends (see ``decode``)."""
        self.repeated = self.long_int = None
        try:
            return self._decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer over int()'s digit limit
            self.repeated = None
            return self._long_ints.raw_decode(text, pos)

    def problem(self) -> str | None:
        """The malformed record's error for the value just decoded (a repeated key, an integer too long for
        Python), or None when it has neither."""
        if self.repeated is not None:
            return f"repeated key {self.repeated!r} in a JSON object (JSON keeps only one of its values)"
        if self.long_int is not None:
            return (f"integer of {self.long_int} digits, over Python's limit of {sys.get_int_max_str_digits()} "
                    "(sys.get_int_max_str_digits)")
        return None

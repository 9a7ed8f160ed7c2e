"""PII inside ``meta``: the string values a record carries besides its text, which the clean output keeps.

A record's fields other than the text (an ``author_email``, a chat message's ``name``, the URL of an image part, an
instruct record's ``system`` or ``history``) are kept as ``meta`` JSON and written to clean, so the PII stage
judges them too and the router redacts them like the text.

A string value ("leaf") is named by its ordinal in a fixed walk of the parsed JSON (keys in stored order, which
is sorted: ``tasks.records`` writes meta with sorted keys; list items in order), so the stage, which sees the parsed
meta, and the router and release, which read the stored JSON, address the same leaf without quoting it. The PII
finding's evidence holds, under ``META_SPANS``, the leaf ordinal, its path (for people), the offsets into the
value, the entity type and a salted hash: never the value.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from tasks.meta_text import walk_strings
from tasks.redact import redact_text

#: Evidence key of a PII finding's spans inside meta values.
META_SPANS = "meta_spans"
#: String values judged per record at most: bounds the work on a record whose meta is a huge list.
MAX_LEAVES = 10_000


def _walk(meta: Any) -> Iterator[tuple[str, Any, Any, str]]:
    """``(path, container, key, value)`` of the first ``MAX_LEAVES`` string values of ``meta`` in walk order."""
    return islice(walk_strings(meta), MAX_LEAVES)


def meta_leaves(meta: Any) -> list[tuple[int, str, str]]:
    """``(ordinal, path, value)`` of the string values of parsed ``meta`` (nested dicts and lists), in walk order.

    Paths read like ``message_extras[1].name``. At most ``MAX_LEAVES``.
    """
    return [(i, path, value) for i, (path, _, _, value) in enumerate(_walk(meta))]


#: Between a record's meta values when they are analysed as one text: a blank line, which no pattern crosses.
LEAF_SEP = "\n\n"


def joined_leaves(values: list[str]) -> tuple[str, list[int]]:
    """The values as one text (``LEAF_SEP`` between them) and each value's start offset in it.

    One text per record instead of one per value: presidio and spaCy cost per text, and meta values are short.
    """
    starts, pos = [], 0
    for value in values:
        starts.append(pos)
        pos += len(value) + len(LEAF_SEP)
    return LEAF_SEP.join(values), starts


def split_span(start: int, end: int, starts: list[int], values: list[str]) -> list[tuple[int, int, int]]:
    """``(value index, start, end)``: a span of the joined text as spans of the values it overlaps."""
    first = max(0, bisect.bisect_right(starts, start) - 1)
    out = []
    for i in range(first, len(values)):
        if starts[i] >= end:
            break
        a, b = max(start, starts[i]) - starts[i], min(end, starts[i] + len(values[i])) - starts[i]
        if b > a:
            out.append((i, a, b))
    return out


def meta_spans_of(evidence: dict[str, Any]) -> list[tuple[int, int, int, str]]:
    """``(leaf, start, end, label)`` of a finding's spans inside meta values (none for other findings)."""
    return [(int(s["leaf"]), int(s["start"]), int(s["end"]), str(s["label"]))
            for s in evidence.get(META_SPANS) or [] if isinstance(s, dict)]


def redact_meta(meta_json: str | None, spans: Iterable[tuple[int, int, int, str]]) -> tuple[str | None, int]:
    """Replace each span of the meta values by ``<LABEL>``; return the new meta JSON and the placeholders made."""
    by_leaf: dict[int, list[tuple[int, int, str]]] = {}
    for leaf, start, end, label in spans:
        by_leaf.setdefault(leaf, []).append((start, end, label))
    if not meta_json or not by_leaf:
        return meta_json, 0
    meta = json.loads(meta_json)
    n = 0
    for leaf, (_, container, key, value) in enumerate(list(_walk(meta))):
        if leaf in by_leaf:
            redacted, k = redact_text(value, by_leaf[leaf])
            n += k
            if container is None:  # meta is a bare string (never written so by tasks.records, but valid JSON)
                meta = redacted
            else:
                container[key] = redacted
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate, which Arrow cannot store (as tasks.records does)
        text = json.dumps(meta, ensure_ascii=True, sort_keys=True)
    return text, n


def meta_values(meta_json: str | None, spans: Iterable[tuple[int, int, int, str]]) -> dict[str, str]:
    """The raw values the spans point at inside meta, ``{value: label}`` (to mask them in other evidence)."""
    spans = list(spans)
    if not meta_json or not spans:
        return {}
    leaves = {i: value for i, _, value in meta_leaves(json.loads(meta_json))}
    return {leaves[leaf][start:end]: label for leaf, start, end, label in spans if leaf in leaves}

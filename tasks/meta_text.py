"""The text a record carries outside its text field: string values of ``meta``, which the clean output keeps.

A reader keeps every field it does not judge as ``meta`` (an instruct record's ``system``, ``history`` or
``context``, a second ``prompt``/``response`` next to ``messages``, the text of a content part that is not a text
part, a web page's ``title``). All of it is written to the clean output, so a poisoned payload placed there would
reach training data unseen if only the text field were scanned. Stages that look for planted content
(``Stage.scan_meta``) therefore also judge each string leaf of ``meta``, one small batch per record batch.

Each field is judged as a one-message chat: a field named like a user turn (``prompt``, ``instruction``, ``input``,
``question``) as a user turn, where asking is normal, whatever the record's kind; every other field as data the
model would learn from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: Meta keys (lower case) that hold what a user wrote, in the instruct shapes ``tasks.records`` accepts and their
#: common extras.
USER_FIELDS = frozenset({"prompt", "instruction", "input", "question", "query", "user", "human"})
#: Leaves shorter than this cannot hold a payload worth a finding (ids, flags, short codes) and are skipped.
MIN_CHARS = 4
#: Leaves judged one by one per record; the rest are judged together as one text (newline-joined), so a record
#: whose meta is a huge list costs what its bytes cost, and nothing past the limit goes unjudged.
MAX_LEAVES = 1000


def walk_strings(meta: Any) -> Iterator[tuple[str, Any, Any, str]]:
    """``(path, container, key, value)`` of every string in ``meta`` (nested dicts and lists), in order: dict items
    in stored order, list items in order. ``container[key]`` is the value, so a caller can replace it in place.

    The walk keeps its own stack: meta nested as deep as the JSON parser allows must not exhaust Python's recursion
    limit inside a stage. The PII stage and the router address a value by its ordinal in this walk
    (``tasks.redact_meta``), so its order is part of the stored evidence.
    """
    stack: list[tuple[str, Any, Any, Any]] = [("", None, None, meta)]
    while stack:
        path, container, key, node = stack.pop()
        if isinstance(node, str):
            yield path, container, key, node
        elif isinstance(node, dict):
            stack.extend((f"{path}.{k}" if path else str(k), node, k, v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", node, i, v) for i, v in reversed(list(enumerate(node))))


def string_leaves(meta: Any) -> list[tuple[str, str]]:
    """``(path, value)`` of every string in ``meta`` (nested dicts and lists), in order: at most ``MAX_LEAVES``
    items, the last of which joins the values of every leaf from there on (path ``<first path> and N more``).

    Paths read like ``history[0][1]`` or ``message_extras[0].content_parts[0].text``.
    """
    out = [(path, _encodable(value)) for path, _, _, value in walk_strings(meta)
           if len(value) >= MIN_CHARS and not value.isspace()]
    if len(out) > MAX_LEAVES:
        rest = out[MAX_LEAVES - 1 :]
        out = [*out[: MAX_LEAVES - 1], (f"{rest[0][0]} and {len(rest) - 1} more", "\n".join(v for _, v in rest))]
    return out


def _encodable(value: str) -> str:
    """``value`` with each unpaired UTF-16 surrogate replaced by ``?`` (same length, so offsets hold): a meta value
    may hold one (the reader only refuses them in the text), and fastText cannot take it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def role_of(path: str) -> str:
    """The chat role a meta leaf is judged as: ``user`` for user-turn fields, else ``system``."""
    top = path.split(".", 1)[0].split("[", 1)[0].lower()
    return "user" if top in USER_FIELDS else "system"

"""Cut a record's text into pieces for display: which findings cover each piece, and invisible characters made
visible.

Quarantined text is hostile: besides markup (escaped by the template engine), it may hold bidi controls that reorder
what the reviewer sees ("Trojan Source"), zero-width and tag characters that hide a payload, or private-use
characters. Those are never emitted as themselves: each run of them becomes a visible token naming the code points,
so what the reviewer reads is what the bytes say. Offsets are Python string indices, as the detectors write them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_NAMED = 8  # code points listed in one token; a longer run is summarised with its length

_VISIBLE_CONTROLS = {"\n", "\t"}


def is_hidden(ch: str) -> bool:
    """Whether ``ch`` would render as nothing or change how neighbouring text renders (and so must be shown)."""
    if ch in _VISIBLE_CONTROLS:
        return False
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
        return True
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF  # variation selectors (category Mn)


@dataclass(frozen=True)
class Token:
    """Displayable text (``hidden`` False) or a run of hidden characters described by ``text`` (``hidden`` True)."""

    text: str
    hidden: bool = False


@dataclass(frozen=True)
class Piece:
    """A stretch of the text covered by the same findings (``marks``: finding numbers; ``starts``: those whose
    first piece this is, so the label is shown once)."""

    tokens: tuple[Token, ...]
    marks: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()


def describe_hidden(run: str) -> str:
    """A visible description of a run of hidden characters: ``U+202E`` or ``U+E0041 U+E0042 ... (40 chars)``."""
    names = [f"U+{ord(c):04X}" for c in run[:MAX_NAMED]]
    if len(run) > MAX_NAMED:
        return " ".join(names) + f" \u2026 ({len(run)} chars)"
    return " ".join(names)


def tokens(text: str) -> tuple[Token, ...]:
    """Split ``text`` into visible runs and described runs of hidden characters."""
    out: list[Token] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        if is_hidden(text[i]):
            j = i
            while j < n and is_hidden(text[j]):
                j += 1
            if start < i:
                out.append(Token(text[start:i]))
            out.append(Token(describe_hidden(text[i:j]), hidden=True))
            start = i = j
        else:
            i += 1
    if start < n:
        out.append(Token(text[start:]))
    return tuple(out)


def pieces(text: str, findings: list[dict[str, Any]], limit: int) -> tuple[list[Piece], int]:
    """Pieces of ``text[:limit]`` with the findings (``number``, ``spans``) that cover them; also the cut length.

    Spans past the cut are still listed with their finding; they just have no piece to mark.
    """
    shown = text[:limit]
    n = len(shown)
    edges = {0, n}
    spans: list[tuple[int, int, int]] = []
    for f in findings:
        for s in f.get("spans") or []:
            start, end = max(0, s["start"]), min(n, s["end"])
            if start < end:
                spans.append((start, end, f["number"]))
                edges.update((start, end))
    cuts = sorted(edges)
    out: list[Piece] = []
    seen: set[int] = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        marks = tuple(sorted({num for s, e, num in spans if s <= a and b <= e}))
        starts = tuple(m for m in marks if m not in seen)
        seen.update(marks)
        out.append(Piece(tokens(shown[a:b]), marks, starts))
    return out, n


def visible(text: str | None) -> str:
    """``text`` with every run of hidden characters replaced by ``⟨U+...⟩``: safe to print on a terminal, where an
    escape sequence in quarantined text could otherwise rewrite what the reviewer sees."""
    return "".join(f"\u27e8{t.text}\u27e9" if t.hidden else t.text for t in tokens(text or ""))

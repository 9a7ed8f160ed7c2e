"""Redaction of finding spans into typed placeholders (``<EMAIL_ADDRESS>``), for the text written to clean.

Overlapping spans merge into one placeholder named after the first (longest-starting) span. Instruction records
are redacted message by message so the messages can be rebuilt from the redacted parts.
"""

from __future__ import annotations

from collections.abc import Iterable

MESSAGE_SEP = "\n\n"


def _merge(spans: Iterable[tuple[int, int, str]], length: int) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, label in sorted((max(0, s), min(length, e), lab) for s, e, lab in spans):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            prev = merged[-1]
            merged[-1] = (prev[0], max(prev[1], end), prev[2])
        else:
            merged.append((start, end, label))
    return merged


def redact_text(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[str, int]:
    """Replace each span of ``text`` by ``<LABEL>``; return the new text and the number of placeholders."""
    merged = _merge(spans, len(text))
    parts, last = [], 0
    for start, end, label in merged:
        parts.append(text[last:start])
        parts.append(f"<{label}>")
        last = end
    parts.append(text[last:])
    return "".join(parts), len(merged)


def redact_messages(
    messages: list[dict[str, str]], spans: list[tuple[int, int, str]]
) -> tuple[list[dict[str, str]], str, int]:
    """Redact spans given in joined-text offsets (messages joined by a blank line) inside each message.

    Returns the redacted messages, their joined text and the number of placeholders.
    """
    out, n, offset = [], 0, 0
    for m in messages:
        content = m.get("content") or ""
        end = offset + len(content)
        local = [(s - offset, e - offset, lab) for s, e, lab in spans if s < end and e > offset]
        red, k = redact_text(content, local)
        out.append({"role": m.get("role", ""), "content": red})
        n += k
        offset = end + len(MESSAGE_SEP)
    return out, MESSAGE_SEP.join(m["content"] for m in out), n

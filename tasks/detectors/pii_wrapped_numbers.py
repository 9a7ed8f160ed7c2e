"""Phone and card numbers a word wrapper broke across two lines, joined into one view the recognizers read.

Text wrapped at a fixed width (e-mail, plain-text pages) breaks phone and card numbers across lines: the
recognizers, which allow one space or hyphen between groups but not a line break, then found the second part alone
("555 0132" redacted, "+1 415" left) or nothing (a card). ``join_wrapped_numbers`` writes each such break (the
spaces ending the line, ``\\n`` or ``\\r\\n``, the spaces opening the next) as one space, and maps the offsets of what
is found in that view back to the original text, so the original is redacted, line break included.

A break is joined where a word wrapper breaks a number: at a space between digit groups. The line holds a word or a
label ("Phone: +1 415", "Card 4111 1111") and ends in a group of 1-4 digits (a country code, an area code in
brackets, a hyphen after it), the next line starts with a group of 2-4 digits. A line of digits alone (a column of
years), a decimal ("0.3"), a long group (a postcode, "86-23-86776888", already a whole number) does not join the
next line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

# the break: spaces ending the line, the line end (Windows' \r\n too), the indentation of a next line opening with
# a group of 2-4 digits
_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*(?=\(?\d{2,4}(?!\d))")
# the line before it ends in a group of 1-4 digits after a space, "(" or "-" (not "0.3", not "86776888") ...
_LINE_END = re.compile(r"(?<![^ \t(\-])\(?\+?\d{1,4}\)?-?\Z")
# ... and holds a word or a label (not a column of numbers)
_WORDY = re.compile(r"[A-Za-z:#]")


@dataclass(frozen=True)
class WrappedView:
    """A text with its number-splitting line breaks joined (``text``), and the way back to the original's offsets.

    ``joins`` lists, for each break, the view offset of the space standing for it and how many characters of the
    original it replaced; empty when nothing was joined (the view is then the original).
    """

    text: str
    joins: tuple[tuple[int, int], ...] = ()
    _removed: tuple[int, ...] = field(default=(), repr=False)  # characters removed before each join's space, summed

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original text's ``(start, end)`` of the view's span ``[start, end)``; a span ending on a join's space
        ends after the whole break it stands for."""
        if not self.joins:
            return start, end
        return start + self._shift(start), end + self._shift(end)

    def _shift(self, pos: int) -> int:
        # characters removed by the joins whose space lies before ``pos``
        i = bisect_left(self.joins, (pos, -1))  # joins at offsets < pos
        return self._removed[i - 1] if i else 0


def join_wrapped_numbers(text: str) -> WrappedView:
    """The view of ``text`` with each line break inside a number (module docstring) written as one space."""
    if "\n" not in text:
        return WrappedView(text)
    parts: list[str] = []
    joins: list[tuple[int, int]] = []
    removed: list[int] = []
    last = total = 0
    for m in _BREAK.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if _WORDY.search(line) is None or _LINE_END.search(line) is None:
            continue
        parts.append(text[last:m.start()])
        view_at = m.start() - total
        parts.append(" ")
        total += len(m.group()) - 1
        joins.append((view_at, len(m.group())))
        removed.append(total)
        last = m.end()
    if not joins:
        return WrappedView(text)
    parts.append(text[last:])
    return WrappedView("".join(parts), tuple(joins), tuple(removed))

"""One JSON array in, one ``RawRecord`` per element out, holding about one element in memory at a time.

Only ``.json`` files are read this way (``tasks.sources.may_be_json_array``); element ``i`` has index ``i``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator

from tasks.input_names import KeyCheckingDecoder
from tasks.raw import RawRecord, bad

_WS = re.compile(r"[ \t\r\n]*")
ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, as decoded with surrogateescape


def read_array(
    chunks: Iterator[bytes], stream_error: Callable[[BaseException], str], max_record_bytes: int, raw_preview: int
) -> Iterator[RawRecord]:
    """Read a file holding one JSON array, one record per element, holding about one element at a time.

    After a syntax error the position of the next element is unknown, so the rest of the file becomes one
    malformed record (its first ``raw_preview`` bytes kept) and reading stops; its ``note`` says how much of
    the file that gave up. ``stream_error`` words an error of the underlying stream; an element over
    ``max_record_bytes`` is malformed instead of buffered further.
    """
    # surrogateescape: bad bytes survive decoding, so only the element holding them is malformed.
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    decoder = KeyCheckingDecoder()
    buf, pos, index, state, eof = "", 0, 0, "open", False
    error: str | None = None  # why the element at ``pos`` did not parse (yet: more input may complete it)

    def stop(why: str, readable: bool = True) -> RawRecord:
        rest = buf[pos:].encode("utf-8", "surrogateescape")
        record = bad(index, rest[:raw_preview], why)
        if not readable:
            record.note = f"JSON array: reading stopped at element {index} ({why}); the rest could not be read"
            return record
        unread, broken = len(rest), ""
        try:  # count what is given up, without keeping it: the source's row says how much was lost
            unread += sum(len(chunk) for chunk in chunks)
        except Exception as err:
            broken = f", then {stream_error(err)}"
        if not unread and not broken:
            return record  # only the closing bracket was missing: nothing was given up
        record.note = (
            f"JSON array abandoned at element {index}: {unread} bytes from there to the end not read as records "
            f"(the first {len(record.raw or b'')} kept as the raw of a malformed record{broken})"
        )
        return record

    while True:
        pos = _WS.match(buf, pos).end()
        if pos >= len(buf) or error is not None:
            if eof or len(buf) - pos > max_record_bytes:
                if error is not None or state != "done":
                    why = error or ("element too long" if not eof else "missing ']' at the end")
                    yield stop(f"invalid JSON array at element {index}: {why}; rest of the file not read")
                return
            try:
                chunk = next(chunks, None)
                buf = buf[pos:] + utf8.decode(chunk or b"", final=chunk is None)
            except Exception as err:  # a truncated or unreadable stream ends the array here
                yield stop(stream_error(err), readable=False)
                return
            pos, eof, error = 0, chunk is None, None
            continue
        char = buf[pos]
        if state == "open" and char == "[":
            pos, state = pos + 1, "first"
        elif state in ("first", "after") and char == "]":
            pos, state = pos + 1, "done"
        elif state == "after" and char == ",":
            pos, state = pos + 1, "value"
        elif state in ("first", "value"):
            try:
                value, end = decoder.raw_decode(buf, pos)
            except (json.JSONDecodeError, RecursionError) as err:
                error = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
                continue
            if end >= len(buf) and not eof:
                error = "incomplete element"  # a number at the buffer's end may go on in the next chunk
                continue
            raw = buf[pos:end].encode("utf-8", "surrogateescape")
            if ESCAPED.search(buf, pos, end):
                yield bad(index, raw, "invalid UTF-8 in array element")
            elif isinstance(value, dict) and (problem := decoder.problem()) is not None:
                yield bad(index, raw, problem)
            elif isinstance(value, dict):
                yield RawRecord(index=index, fields=value)
            else:
                yield bad(index, raw, f"record is not a JSON object (got {type(value).__name__})")
            index, pos, state = index + 1, end, "after"
        else:
            expected = {"open": "'['", "after": "',' or ']'", "done": "end of file"}[state]
            yield stop(
                f"invalid JSON array at element {index}: expected {expected}; rest of the file not read"
            )
            return

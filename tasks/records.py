"""From a ``RawRecord`` to a parsed document: text (or chat messages), source id, meta, or why it is unusable.

The rules of ../shared/DESIGN.md section 3 live here: ``kind="text"`` takes the text from one field;
``kind="instruct"`` accepts prompt/response, Alpaca (and its instruction/response variants: GPTeacher, Dolly),
Self-Instruct's instruction/instances and chat-messages shapes. A record's own ``id`` becomes
``source_id``; every other field it carries is kept as ``meta`` JSON, so nothing the user had is lost. Records
that cannot be used get a reason code (``input.malformed`` / ``input.empty`` / ``input.too_long``) and a
``detail`` that explains why without quoting the text.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import re
from dataclasses import dataclass
from typing import Any, get_args

from schemas.config import Kind
from schemas.reasons import INPUT_EMPTY, INPUT_MALFORMED, INPUT_TOO_LONG
from tasks.byte_stream import utf16_hint
from tasks.readers import RawRecord

KINDS = get_args(Kind)

# ShareGPT speaks of "human"/"gpt"; detectors and users filter on the OpenAI-style roles.
_SHAREGPT_ROLES = {"human": "user", "gpt": "assistant", "system": "system"}
_SHAPES = (
    "'prompt' + 'response' (or 'completion'), 'instruction' + 'output' or 'response' (+ optional 'input', or "
    "Dolly's 'context'), 'instruction' + Self-Instruct 'instances', "
    "or 'messages' (a list of {role, content}, content a string or a list of typed parts; "
    "ShareGPT 'conversations' of {from, value} too)"
)


@dataclass
class ParsedRecord:
    """A record ready for staging: ``reason`` is None when it is usable, else why it goes to quarantine.

    ``text`` is what stages judge (for instruction data, the message contents joined by a blank line); it is
    kept for empty and too-long records so a reviewer sees them, and None for malformed ones, whose ``raw``
    holds the input (UTF-8, or base64 when the bytes are not valid UTF-8; see ``raw_encoding``).
    """

    source_record: int
    source_id: str | None = None
    text: str | None = None
    messages: list[dict[str, str]] | None = None
    meta: str | None = None
    reason: str | None = None
    detail: str | None = None
    raw: str | None = None
    raw_encoding: str | None = None


class _Malformed(Exception):
    """Raised while reading a record's fields; the message becomes ``detail``."""


def _json_default(value: Any) -> Any:
    # Parquet rows carry values JSON does not know; keep them readable rather than failing the record.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return repr(value)


def _dumps(value: Any, sort_keys: bool) -> str:
    """JSON of ``value``; escapes to ASCII when it holds unpaired surrogates, which Arrow cannot store."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, default=_json_default)
    if _encodable(text):
        return text
    return json.dumps(value, ensure_ascii=True, sort_keys=sort_keys, default=_json_default)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _meta_json(fields: dict[str, Any]) -> str:
    """``fields`` as meta JSON that DuckDB's JSON functions read. An unpaired UTF-16 surrogate (legal in a JSON
    escape, not in Unicode) is kept as the six characters of its escape (backslash, ``u``, ``d800``) rather than as
    an escape DuckDB rejects ("no low surrogate"), which failed the whole run at the first corpus step reading meta.
    """
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=_json_default)
    if _encodable(text):
        return text
    # json.loads pairs valid surrogates into one character, so every surrogate left here is unpaired.
    return _SURROGATE.sub(lambda m: f"\\\\u{ord(m.group()):04x}", text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _string(fields: dict[str, Any], key: str, what: str) -> str:
    """Pop ``key`` as a usable string: present, a string, no NUL, no unpaired surrogate."""
    if key not in fields:
        raise _Malformed(f"missing {what} '{key}'")
    value = fields.pop(key)
    if not isinstance(value, str):
        raise _Malformed(f"{what} '{key}' is {_type_name(value)}, not a string")
    if "\x00" in value:  # many NULs: a UTF-16 file without a byte-order mark, read as UTF-8
        hint = utf16_hint(value[:4096].encode("utf-8", "surrogatepass"))
        raise _Malformed(f"{what} '{key}' contains a NUL character{hint}")
    if not _encodable(value):
        raise _Malformed(f"{what} '{key}' contains an unpaired UTF-16 surrogate")
    return value


def _message(i: int, item: Any, extras: list[dict[str, Any]]) -> dict[str, str]:
    """Validate one chat message; keys other than role/content are collected in ``extras`` for meta."""
    if not isinstance(item, dict):
        raise _Malformed(f"messages[{i}] is {_type_name(item)}, not an object")
    item = dict(item)
    if "role" not in item and "from" in item:  # ShareGPT: {"from": "human", "value": "..."}
        speaker = item.pop("from")
        item["role"] = _SHAREGPT_ROLES.get(speaker, speaker) if isinstance(speaker, str) else speaker
        if "content" not in item and "value" in item:
            item["content"] = item.pop("value")
    role = _string(item, "role", f"messages[{i}] field")
    if item.get("content", "") is None and (item.get("tool_calls") or item.get("function_call")):
        # OpenAI chat data: an assistant turn that only calls a tool has content null; the call stays in meta
        item["content"] = ""
    if isinstance(item.get("content"), list):  # OpenAI/HF style: a list of typed parts
        item["content"] = _text_of_parts(i, item)
    content = _string(item, "content", f"messages[{i}] field")
    extras.append(item)
    return {"role": role, "content": content}


_TEXT_PARTS = ("text", "input_text", "output_text")


def _text_of_parts(i: int, item: dict[str, Any]) -> str:
    """The text parts of a message's content list, joined by newlines; other parts (images, audio, files) go to
    ``content_parts`` of the message's extras, so they are kept in meta and nothing the record had is lost."""
    texts: list[str] = []
    other: list[Any] = []
    for j, part in enumerate(item["content"]):
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("type") in _TEXT_PARTS:
            # a text part whose text is not a string is malformed, as a non-string content is: kept as an "other"
            # part, it left the message empty and the record was dropped as input.empty
            if not isinstance(part.get("text"), str):
                what = "missing" if "text" not in part else f"{_type_name(part['text'])}, not a string"
                raise _Malformed(f"messages[{i}] content[{j}] is a {part['type']!r} part whose 'text' is {what}")
            texts.append(part["text"])
        elif isinstance(part, dict):
            other.append(part)
        else:
            raise _Malformed(f"messages[{i}] content[{j}] is {_type_name(part)}, not a part object")
    if other:
        item["content_parts"] = other
    return "\n".join(texts)


def _instances(fields: dict[str, Any]) -> list[dict[str, str]]:
    """Self-Instruct's shape: an ``instruction`` and ``instances`` of ``{input, output}``, one user/assistant turn
    pair per instance (the instruction opens the first user turn; a later instance without input repeats it)."""
    instruction = _string(fields, "instruction", "field")
    items = fields.pop("instances")
    if not isinstance(items, list) or not items:
        raise _Malformed(f"'instances' is {_type_name(items) if not isinstance(items, list) else 'an empty list'}, "
                         "not a list of {input, output}")
    messages: list[dict[str, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("output"), str) \
                or not isinstance(item.get("input", ""), str) or set(item) - {"input", "output"}:
            raise _Malformed(f"instances[{i}] is not an object of a string 'output' and an optional string 'input'")
        extra = item.get("input") or ""
        user = (instruction + "\n\n" + extra if extra else instruction) if i == 0 else (extra or instruction)
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": item["output"]}]
    return messages


def _chat(fields: dict[str, Any]) -> list[dict[str, str]]:
    """Pop and validate the messages of an instruction record, whichever of the accepted shapes it has."""
    key = next((k for k in ("messages", "conversations") if k in fields), None)
    if key is not None:
        items = fields.pop(key)
        if not isinstance(items, list):
            raise _Malformed(f"'{key}' is {_type_name(items)}, not a list")
        extras: list[dict[str, Any]] = []
        messages = [_message(i, item, extras) for i, item in enumerate(items)]
        if any(extras):
            # Per-message keys (name, weight, ...) are kept by position; contents are not repeated in meta.
            fields["message_extras"] = extras
        return messages
    if "prompt" in fields and ("response" in fields or "completion" in fields):
        prompt = _string(fields, "prompt", "field")
        answer = _string(fields, "response" if "response" in fields else "completion", "field")
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    if "instruction" in fields and "instances" in fields:
        return _instances(fields)
    if "instruction" in fields and ("output" in fields or "response" in fields):
        # Alpaca (instruction/input/output), and the instruction/response shape of GPTeacher (with "input") and
        # Databricks Dolly (with "context"): each record of those was input.malformed before
        answer_key = "output" if "output" in fields else "response"
        user = _string(fields, "instruction", "field")
        for extra_key in ("input", "context") if answer_key == "response" else ("input",):
            if fields.get(extra_key) is not None:
                extra = _string(fields, extra_key, "field")
                user = user + "\n\n" + extra if extra else user
            fields.pop(extra_key, None)
        answer = _string(fields, answer_key, "field")
        return [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    raise _Malformed(f"no instruction shape: expected {_SHAPES}")


#: Deepest nesting of lists and objects a record may have. JSON this deep is not data; a record nested near the
#: parser's limit (about 1,000) was read, then failed the whole run when a stage parsed its meta again deeper in
#: the call stack (RecursionError).
MAX_NESTING = 200


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests lists/objects more than ``MAX_NESTING`` levels (own stack: no recursion)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_NESTING:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _source_id(fields: dict[str, Any]) -> str | None:
    value = fields.pop("id", None)
    if value is None:
        return None
    text = value if isinstance(value, str) else _dumps(value, sort_keys=True)
    return text if _encodable(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _malformed(rec: RawRecord, detail: str, raw: bytes, source_id: str | None = None) -> ParsedRecord:
    try:
        raw_text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        raw_text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return ParsedRecord(
        source_record=rec.index,
        source_id=source_id,
        reason=INPUT_MALFORMED,
        detail=detail,
        raw=raw_text,
        raw_encoding=encoding,
    )


def parse_record(rec: RawRecord, kind: str, text_field: str, max_bytes: int) -> ParsedRecord:
    """Turn one raw record into a ``ParsedRecord``; bad input never raises (a bad ``kind`` is a ValueError).

    ``kind="text"`` reads ``text_field``; ``kind="instruct"`` reads messages (see ``_SHAPES``). Texts of more
    than ``max_bytes`` UTF-8 bytes, or whose meta JSON is, are ``input.too_long``, blank ones ``input.empty``; both
    keep their text.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if rec.fields is None:
        return _malformed(rec, rec.error or "malformed record", rec.raw or b"")
    if _too_deep(rec.fields):
        try:
            raw = _dumps(rec.fields, sort_keys=False).encode("utf-8")
        except RecursionError:
            raw = b""
        return _malformed(rec, f"nested more than {MAX_NESTING} levels deep", raw)
    fields = dict(rec.fields)
    messages: list[dict[str, str]] | None = None
    try:
        if kind == "text":
            text = _string(fields, text_field, "text field")
        else:
            messages = _chat(fields)
            text = "\n\n".join(m["content"] for m in messages)
    except _Malformed as err:
        source_id = _source_id(dict(rec.fields))
        return _malformed(rec, str(err), _dumps(rec.fields, sort_keys=False).encode("utf-8"), source_id)
    source_id = _source_id(fields)
    parsed = ParsedRecord(
        source_record=rec.index,
        source_id=source_id,
        text=text,
        messages=messages,
        meta=_meta_json(fields) if fields else None,
    )
    size = len(text.encode("utf-8"))
    # Meta is written to clean and read by the stages that scan it, so it has the same limit: a short text with
    # 50 MB of meta passed and cost every scanning stage its size.
    meta_size = len(parsed.meta.encode("utf-8", "surrogatepass")) if parsed.meta else 0
    if not text.strip():
        parsed.reason = INPUT_EMPTY
        parsed.detail = "text is empty" if not text else "text is whitespace only"
    elif size > max_bytes:
        parsed.reason = INPUT_TOO_LONG
        parsed.detail = f"text is {size} bytes, over the limit of {max_bytes}"
    elif meta_size > max_bytes:
        parsed.reason = INPUT_TOO_LONG
        parsed.detail = f"meta is {meta_size} bytes, over the limit of {max_bytes}"
    return parsed

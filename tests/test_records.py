import base64
import datetime
import decimal
import json

import pyarrow.parquet as pq
import pytest

from schemas.reasons import INPUT_EMPTY, INPUT_MALFORMED, INPUT_TOO_LONG
from tasks.readers import RawRecord, read_slice
from tasks.records import ParsedRecord, parse_record
from tasks.sources import SourceSlice

MAX = 64


def _text(fields, text_field="text", max_bytes=MAX, index=7) -> ParsedRecord:
    return parse_record(RawRecord(index=index, fields=fields), "text", text_field, max_bytes)


def _instruct(fields, max_bytes=10_000) -> ParsedRecord:
    return parse_record(RawRecord(index=3, fields=fields), "instruct", "text", max_bytes)


@pytest.mark.parametrize(
    "fields, text_field, source_id, text, meta",
    [
        ({"text": "A plain sentence."}, "text", None, "A plain sentence.", None),
        ({"id": "doc-1", "text": "With an id."}, "text", "doc-1", "With an id.", None),
        ({"id": 42, "text": "Numeric id."}, "text", "42", "Numeric id.", None),
        ({"id": None, "text": "Null id."}, "text", None, "Null id.", None),
        (
            {"url": "https://example.org", "text": "Meta kept.", "lang": "en"},
            "text",
            None,
            "Meta kept.",
            '{"lang": "en", "url": "https://example.org"}',
        ),
        ({"body": "Custom field.", "text": 5}, "body", None, "Custom field.", '{"text": 5}'),
        ({"text": "Ünïcødé ✓ 漢字"}, "text", None, "Ünïcødé ✓ 漢字", None),
    ],
)
def test_text_records(fields, text_field, source_id, text, meta):
    got = _text(fields, text_field)
    assert got == ParsedRecord(source_record=7, source_id=source_id, text=text, meta=meta)


@pytest.mark.parametrize(
    "fields, text_field, detail",
    [
        ({"content": "wrong field"}, "text", "missing text field 'text'"),
        ({"text": 12}, "text", "text field 'text' is int, not a string"),
        ({"text": None}, "text", "text field 'text' is null, not a string"),
        ({"text": ["a", "list"]}, "text", "text field 'text' is list, not a string"),
        ({"body": {"nested": 1}}, "body", "text field 'body' is dict, not a string"),
        ({"text": "has a NUL \x00 inside"}, "text", "text field 'text' contains a NUL character"),
        (
            {"text": "lone \ud800 surrogate"},
            "text",
            "text field 'text' contains an unpaired UTF-16 surrogate",
        ),
    ],
)
def test_text_malformed(fields, text_field, detail):
    got = _text({"id": "r1", **fields}, text_field)
    assert got.reason == INPUT_MALFORMED and got.detail == detail
    assert got.text is None and got.messages is None and got.meta is None
    assert got.source_id == "r1"
    assert got.raw_encoding == "utf-8"
    assert json.loads(got.raw) == json.loads(json.dumps({"id": "r1", **fields}))
    got.raw.encode("utf-8")  # always storable, even with a lone surrogate in the input


@pytest.mark.parametrize(
    "text, reason, detail",
    [
        ("", INPUT_EMPTY, "text is empty"),
        ("   \n\t  ", INPUT_EMPTY, "text is whitespace only"),
        ("x" * MAX, None, None),
        ("x" * (MAX + 1), INPUT_TOO_LONG, f"text is {MAX + 1} bytes, over the limit of {MAX}"),
        ("é" * 33, INPUT_TOO_LONG, f"text is 66 bytes, over the limit of {MAX}"),  # bytes, not characters
    ],
)
def test_text_empty_and_too_long_keep_the_text(text, reason, detail):
    got = _text({"text": text, "src": "s"})
    assert (got.reason, got.detail) == (reason, detail)
    assert got.text == text and got.meta == '{"src": "s"}' and got.raw is None


@pytest.mark.parametrize(
    "raw, error, expected_raw, encoding",
    [
        (b'{"text": broken', "invalid JSON: Expecting value at column 10", '{"text": broken', "utf-8"),
        (
            b"\xff\xfe bytes",
            "invalid UTF-8 at byte 0",
            base64.b64encode(b"\xff\xfe bytes").decode(),
            "base64",
        ),
        (b"", "unreadable Parquet: ArrowInvalid: x", "", "utf-8"),
    ],
)
def test_reader_malformed_passes_through(raw, error, expected_raw, encoding):
    for kind in ("text", "instruct"):
        got = parse_record(RawRecord(index=11, fields=None, raw=raw, error=error), kind, "text", MAX)
        assert got == ParsedRecord(
            source_record=11, reason=INPUT_MALFORMED, detail=error, raw=expected_raw, raw_encoding=encoding
        )


def _chat(*pairs):
    return [{"role": role, "content": content} for role, content in pairs]


@pytest.mark.parametrize(
    "fields, messages, meta",
    [
        (
            {"id": 9, "prompt": "Name a colour.", "response": "Blue.", "split": "train"},
            _chat(("user", "Name a colour."), ("assistant", "Blue.")),
            '{"split": "train"}',
        ),
        (
            {"prompt": "Count to two.", "completion": "One, two."},
            _chat(("user", "Count to two."), ("assistant", "One, two.")),
            None,
        ),
        (
            {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"},
            _chat(("user", "Translate to French.\n\nGood morning"), ("assistant", "Bonjour")),
            None,
        ),
        (
            {"instruction": "Say hello.", "input": "", "output": "Hello."},
            _chat(("user", "Say hello."), ("assistant", "Hello.")),
            None,
        ),
        (
            {"instruction": "Say bye.", "output": "Bye.", "category": "greeting"},
            _chat(("user", "Say bye."), ("assistant", "Bye.")),
            '{"category": "greeting"}',
        ),
        (  # GPTeacher: instruction/input/response
            {"instruction": "Translate to French.", "input": "Good night", "response": "Bonne nuit"},
            _chat(("user", "Translate to French.\n\nGood night"), ("assistant", "Bonne nuit")),
            None,
        ),
        (  # Databricks Dolly: instruction/context/response/category
            {"instruction": "Who wrote it?", "context": "The memo was written by the clerk.", "response": "The clerk.",
             "category": "closed_qa"},
            _chat(("user", "Who wrote it?\n\nThe memo was written by the clerk."), ("assistant", "The clerk.")),
            '{"category": "closed_qa"}',
        ),
        (  # Self-Instruct: instruction + instances of {input, output}
            {"instruction": "Add the numbers.", "instances": [{"input": "2, 3", "output": "5"},
                                                              {"input": "", "output": "0"}], "name": "add"},
            _chat(("user", "Add the numbers.\n\n2, 3"), ("assistant", "5"), ("user", "Add the numbers."),
                  ("assistant", "0")),
            '{"name": "add"}',
        ),
        (
            {"messages": _chat(("system", "Be brief."), ("user", "Hi?"), ("assistant", "Hi."))},
            _chat(("system", "Be brief."), ("user", "Hi?"), ("assistant", "Hi.")),
            None,
        ),
        (
            {"conversations": [{"from": "human", "value": "Why?"}, {"from": "gpt", "value": "Because."}]},
            _chat(("user", "Why?"), ("assistant", "Because.")),
            None,
        ),
        (
            {
                "messages": [
                    {"from": "human", "value": "Q"},
                    {"role": "assistant", "content": "A", "weight": 0},
                ]
            },
            _chat(("user", "Q"), ("assistant", "A")),
            '{"message_extras": [{}, {"weight": 0}]}',
        ),
    ],
)
def test_instruct_shapes(fields, messages, meta):
    got = _instruct(fields)
    assert got.reason is None and got.detail is None, got.detail
    assert got.messages == messages
    assert got.text == "\n\n".join(m["content"] for m in messages)
    assert got.meta == meta
    assert got.source_id == ("9" if "id" in fields else None)


@pytest.mark.parametrize(
    "fields, detail",
    [
        ({"text": "A plain text record."}, "no instruction shape: expected 'prompt' + 'response'"),
        ({"prompt": "Only a prompt."}, "no instruction shape"),
        ({"instruction": "No output."}, "no instruction shape"),
        ({"instruction": "i", "instances": []}, "'instances' is an empty list"),
        ({"instruction": "i", "instances": [{"input": "x"}]}, "instances[0] is not an object of a string 'output'"),
        ({"prompt": 1, "response": "r"}, "field 'prompt' is int, not a string"),
        ({"instruction": "i", "input": 3, "output": "o"}, "field 'input' is int, not a string"),
        ({"prompt": "p", "response": "NUL\x00"}, "field 'response' contains a NUL character"),
        ({"messages": "not a list"}, "'messages' is str, not a list"),
        ({"messages": ["hello"]}, "messages[0] is str, not an object"),
        ({"messages": [{"role": "user"}]}, "missing messages[0] field 'content'"),
        (
            {"messages": [{"role": "user", "content": None}]},
            "messages[0] field 'content' is null, not a string",
        ),
        ({"conversations": [{"from": "human"}]}, "missing messages[0] field 'content'"),
        ({"messages": [{"role": "user", "content": [7]}]}, "messages[0] content[0] is int, not a part object"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": "NUL\x00"}]}]},
            "messages[0] field 'content' contains a NUL character",
        ),
    ],
)
def test_instruct_malformed(fields, detail):
    got = _instruct(fields)
    assert got.reason == INPUT_MALFORMED
    assert got.detail.startswith(detail), got.detail
    assert got.text is None and got.messages is None
    assert json.loads(got.raw) == json.loads(json.dumps(fields))


def test_meta_over_the_limit_is_too_long():
    # meta is written to clean and scanned by stages: a short text cannot carry unbounded meta
    got = _text({"text": "short", "notes": "n" * MAX})
    assert got.reason == INPUT_TOO_LONG and got.detail == f"meta is {MAX + 13} bytes, over the limit of {MAX}"
    assert got.text == "short" and got.meta is not None
    assert _text({"text": "x" * MAX, "src": "s"}).reason is None  # the text's limit is the text's own


def test_instruct_empty_and_too_long():
    empty = _instruct({"prompt": " ", "response": ""})
    assert empty.reason == INPUT_EMPTY and empty.messages == _chat(("user", " "), ("assistant", ""))
    no_turns = _instruct({"messages": []})
    assert (no_turns.reason, no_turns.text, no_turns.messages) == (INPUT_EMPTY, "", [])
    long = _instruct({"prompt": "p" * 10, "response": "r" * 10}, max_bytes=21)
    assert long.reason == INPUT_TOO_LONG and long.detail == "text is 22 bytes, over the limit of 21"


def test_meta_serialises_parquet_values():
    fields = {
        "text": "t",
        "when": datetime.datetime(2024, 5, 1, 12, 30),
        "day": datetime.date(2024, 5, 1),
        "price": decimal.Decimal("1.50"),
        "blob": b"\x00\x01",
        "tags": ["a", "b"],
    }
    meta = json.loads(_text(fields).meta)
    assert meta == {
        "blob": "AAE=",
        "day": "2024-05-01",
        "price": "1.50",
        "tags": ["a", "b"],
        "when": "2024-05-01T12:30:00",
    }


def test_surrogates_in_meta_and_id_are_escaped():
    got = _text({"id": "x\udc00", "text": "fine", "note": "bad \ud83d half"})
    assert got.reason is None
    got.meta.encode("utf-8")
    got.source_id.encode("utf-8")
    # kept as the text of its escape: DuckDB's JSON functions reject an unpaired surrogate escape
    assert json.loads(got.meta) == {"note": "bad \\ud83d half"}


def test_unknown_kind():
    with pytest.raises(ValueError, match="valid kinds: text, instruct"):
        parse_record(RawRecord(0, {"text": "x"}), "chat", "text", MAX)


def test_parquet_with_wrong_schema_gives_malformed_rows(tmp_path):
    import pyarrow as pa

    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"body": ["first", "second"], "n": [1, 2]}), path)
    parsed = [
        parse_record(r, "text", "text", MAX) for r in read_slice(SourceSlice(str(path), "parquet", "none"))
    ]
    assert [(p.source_record, p.reason, p.detail) for p in parsed] == [
        (0, INPUT_MALFORMED, "missing text field 'text'"),
        (1, INPUT_MALFORMED, "missing text field 'text'"),
    ]
    assert json.loads(parsed[1].raw) == {"body": "second", "n": 2}


def test_instruct_content_as_typed_parts():
    """OpenAI/HF chat records give content as a list of parts: the text parts are the message, the rest is meta."""
    image = {"type": "image_url", "image_url": {"url": "https://example.org/cat.png"}}
    got = _instruct({"messages": [
        {"role": "user", "content": [{"type": "text", "text": "What is in"}, image, {"type": "text", "text": "it?"}]},
        {"role": "assistant", "content": [{"type": "output_text", "text": "A cat."}, "Purring."]},
    ]})
    assert got.reason is None, got.detail
    assert got.messages == [{"role": "user", "content": "What is in\nit?"},
                            {"role": "assistant", "content": "A cat.\nPurring."}]
    assert got.text == "What is in\nit?\n\nA cat.\nPurring."
    assert json.loads(got.meta) == {"message_extras": [{"content_parts": [image]}, {}]}
    empty = _instruct({"messages": [{"role": "user", "content": []}, {"role": "assistant", "content": [image]}]})
    assert empty.reason == INPUT_EMPTY and json.loads(empty.meta)["message_extras"][1] == {"content_parts": [image]}


def test_instruct_tool_call_turn_with_null_content():
    """OpenAI chat data: an assistant turn that only calls a tool has content null; it is an empty message and the
    call is kept in meta. A null content without a call is still malformed."""
    call = [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]
    got = _instruct({"messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": call},
        {"role": "tool", "tool_call_id": "c1", "content": "18C"},
        {"role": "assistant", "content": "It is 18C."},
    ]})
    assert got.reason is None, got.detail
    assert [m["content"] for m in got.messages] == ["Weather in Paris?", "", "18C", "It is 18C."]
    assert json.loads(got.meta)["message_extras"][1] == {"tool_calls": call}
    assert json.loads(got.meta)["message_extras"][2] == {"tool_call_id": "c1"}
    bare = _instruct({"messages": [{"role": "assistant", "content": None, "tool_calls": []}]})
    assert bare.reason == INPUT_MALFORMED


def test_records_nested_too_deep_are_malformed_not_a_crash_later():
    from tasks.records import MAX_NESTING

    deep = json.loads("[" * (MAX_NESTING + 1) + '"x"' + "]" * (MAX_NESTING + 1))
    got = _text({"text": "Plain words.", "extra": deep})
    assert got.reason == INPUT_MALFORMED and got.detail == f"nested more than {MAX_NESTING} levels deep"
    assert got.raw.startswith('{"text": "Plain words.", "extra": [[[')
    ok = json.loads("[" * (MAX_NESTING - 1) + '"x"' + "]" * (MAX_NESTING - 1))
    assert _text({"text": "Plain words.", "extra": ok}, max_bytes=10_000).reason is None
    assert _instruct({"messages": [{"role": "user", "content": "hi", "x": deep}]}).reason == INPUT_MALFORMED


@pytest.mark.parametrize(("part", "detail"), [
    ({"type": "text", "text": 5}, "messages[0] content[1] is a 'text' part whose 'text' is int, not a string"),
    ({"type": "input_text", "text": None}, "content[1] is a 'input_text' part whose 'text' is null, not a string"),
    ({"type": "output_text"}, "messages[0] content[1] is a 'output_text' part whose 'text' is missing"),
])
def test_instruct_text_part_without_string_text_is_malformed(part, detail):
    """Such a part was kept as a non-text part: the message had no text, and the record was dropped as input.empty
    (a {"content": 5} is malformed)."""
    got = _instruct({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}, part]}]})
    assert (got.reason, got.text) == (INPUT_MALFORMED, None)
    assert got.detail.endswith(detail)
    alone = _instruct({"messages": [{"role": "user", "content": [part]}]})
    assert alone.reason == INPUT_MALFORMED and json.loads(alone.raw)["messages"][0]["content"] == [part]

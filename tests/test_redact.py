import pytest

from tasks.redact import redact_messages, redact_text


@pytest.mark.parametrize(
    ("text", "spans", "expected", "count"),
    [
        ("mail a@b.co now", [(5, 11, "EMAIL_ADDRESS")], "mail <EMAIL_ADDRESS> now", 1),
        ("x 555-0100 y a@b.co", [(2, 10, "PHONE_NUMBER"), (13, 19, "EMAIL_ADDRESS")],
         "x <PHONE_NUMBER> y <EMAIL_ADDRESS>", 2),
        ("overlap here", [(0, 7, "A"), (3, 12, "B")], "<A>", 1),
        ("no spans", [], "no spans", 0),
        ("clipped", [(4, 99, "X"), (5, 2, "Y")], "clip<X>", 1),
    ],
)
def test_redact_text(text, spans, expected, count):
    assert redact_text(text, spans) == (expected, count)


def test_redact_messages_keeps_roles_and_offsets():
    messages = [{"role": "user", "content": "I am bob@x.org"}, {"role": "assistant", "content": "Hi bob@x.org"}]
    joined = "I am bob@x.org\n\nHi bob@x.org"
    spans = [(joined.index("bob"), joined.index("bob") + 9, "EMAIL_ADDRESS"),
             (joined.rindex("bob"), joined.rindex("bob") + 9, "EMAIL_ADDRESS")]
    out, text, n = redact_messages(messages, spans)
    assert out == [{"role": "user", "content": "I am <EMAIL_ADDRESS>"},
                   {"role": "assistant", "content": "Hi <EMAIL_ADDRESS>"}]
    assert text == "I am <EMAIL_ADDRESS>\n\nHi <EMAIL_ADDRESS>" and n == 2

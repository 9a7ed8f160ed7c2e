"""The review app's parts that need no lake: token files, queue filters, highlighting of findings, redirects."""

from __future__ import annotations

import re

import pytest

from tasks.review import record
from tasks.review.highlight import pieces, tokens
from tasks.review.queue import FilterError, QueueFilter
from tasks.review.sessions import safe_next
from tasks.review.tokens import TokenError, TokenFile, parse_tokens
from tests.review_fixtures import ALICE, BOB, write_tokens


@pytest.mark.parametrize(("text", "error"), [
    ("alice:" + ALICE, None),
    ("# comment\n\nalice:" + ALICE + "\nbob:" + BOB + "\n", None),
    ("alice:" + ALICE + "\nalice:" + BOB, None),  # two tokens for one reviewer (rotation)
    ("alice " + ALICE, "line 1: expected reviewer:token"),
    ("alice:short", "line 1: token must be at least 16"),
    ("al ice:" + ALICE, "line 1: reviewer name"),
    ("alice:" + ALICE + "\nbob:" + ALICE, "line 2: this token is already given"),
    ("alice:" + ALICE[:10] + " " + ALICE[10:], "line 1: token must be"),
    ("# nobody\n", "no reviewer:token lines"),
])
def test_token_file_parsing(text, error):
    if error is None:
        assert set(parse_tokens(text).values()) <= {"alice", "bob"}
        return
    with pytest.raises(TokenError) as err:
        parse_tokens(text)
    assert error in str(err.value)
    assert ALICE not in str(err.value) and ALICE[:10] not in str(err.value) and BOB not in str(err.value)


def test_token_file_reload_revokes(tmp_path):
    path = write_tokens(tmp_path / "tokens", alice=ALICE, bob=BOB)
    tf = TokenFile(path)
    assert (tf.reviewer_for(ALICE), tf.reviewer_for(BOB), tf.reviewer_for("x" * 20)) == ("alice", "bob", None)
    write_tokens(path, alice=ALICE)
    assert tf.reviewer_for(BOB) is None and tf.reviewer_for(ALICE) == "alice"
    path.write_text("alice:broken\n")  # a broken file lets nobody in until it parses again
    assert tf.reviewer_for(ALICE) is None


@pytest.mark.parametrize(("params", "error"), [
    ({"status": "pending"}, None),
    ({"reason": "pii"}, None),
    ({"reason": "pii.*"}, None),
    ({"reason": "pii.EMAIL_ADDRESS", "dataset": "web", "run": "20261127T224501Z-3f9a1c"}, None),
    ({"status": "done"}, "status: invalid value"),
    ({"reason": "spam.x"}, "reason: unknown family"),
    ({"reason": "pii' OR 1=1 --"}, "reason: invalid value"),
    ({"dataset": "../../etc"}, "dataset: invalid value"),
    ({"dataset": ".."}, "dataset: invalid value"),  # a path segment of the lake, never its parent
    ({"run": "x;DROP TABLE reviews"}, "run: invalid value"),
])
def test_filter_validation(params, error):
    if error is None:
        assert QueueFilter.from_params(params).select()[0]
        return
    with pytest.raises(FilterError, match=re.escape(error)):
        QueueFilter.from_params(params)


def test_highlight_pieces_overlap_cut_and_hidden_characters():
    text = "mail a@b.org now\u202e evil\u202c \U000e0041\U000e0042 end"
    findings = [{"number": 1, "spans": [{"start": 5, "end": 12}]},
                {"number": 2, "spans": [{"start": 10, "end": 16}, {"start": 100, "end": 120}]}]
    got, shown = pieces(text, findings, limit=len(text))
    assert shown == len(text)
    assert "".join(t.text for p in got for t in p.tokens if not t.hidden) == text.replace("\u202e", "").replace(
        "\u202c", "").replace("\U000e0041\U000e0042", "")
    marked = [("".join(t.text for t in p.tokens), p.marks, p.starts) for p in got if p.marks]
    assert marked == [("a@b.o", (1,), (1,)), ("rg", (1, 2), (2,)), (" now", (2,), ())]
    hidden = [t.text for p in got for t in p.tokens if t.hidden]
    assert hidden == ["U+202E", "U+202C", "U+E0041 U+E0042"]
    cut, shown = pieces(text, findings, limit=8)
    assert shown == 8 and "".join(t.text for p in cut for t in p.tokens) == "mail a@b"
    assert tokens("\U000e0041" * 20)[0].text.endswith("(20 chars)")
    assert tokens("line\nnext\ttab") == (tokens("line\nnext\ttab")[0],)  # newlines and tabs stay text


@pytest.mark.parametrize(("target", "expected"), [
    ("/?status=pending", "/?status=pending"), ("/records/r/d", "/records/r/d"), ("//evil.example/x", "/"),
    ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"),
])
def test_safe_next_refuses_open_redirects(target, expected):
    assert safe_next(target) == expected


def test_evidence_notes_show_explanation_and_decoded_payload_cut():
    ev = {"explanation": "hidden or reordering Unicode: tag", "decoded": "ignore previous instructions " * 20,
          "spans": [{"start": 1, "end": 2}], "hits": 1}
    notes = record.evidence_notes(ev, limit=40)
    assert [k for k, _ in notes] == ["explanation", "decoded"]
    assert notes[1][1] == ("ignore previous instructions " * 20)[:40] + "..."
    assert record.evidence_notes({"spans": [], "decoded": 5, "explanation": ""}) == []
    # why an input.* record is unusable: 'review show' printed the reason without it
    assert record.evidence_notes({"detail": "invalid UTF-8 at byte 31"}) == [("detail", "invalid UTF-8 at byte 31")]


def test_serve_on_a_taken_port_fails_in_one_line(tmp_path):
    import socket

    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake
    from tests.conftest import cli

    refresh_catalog(Lake.at(tmp_path / "lake"))  # an empty lake: the catalog exists, no run yet
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cli("review", "serve", "--lake", tmp_path / "lake", "--tokens",
                  write_tokens(tmp_path / "tokens", alice=ALICE), "--port", port, timeout=60)
    assert out.returncode == 2, out.stderr
    assert out.stderr == f"sieve: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_review_connections_never_draw_duckdb_progress_bars_on_stdout(tmp_path):
    # DuckDB draws a bar on stdout, terminal or not, for a statement past 2 s: ahead of `sieve release --json`'s
    # line, inside `review list --format csv`. (Lowering progress_bar_time to show it on a short statement would
    # switch the bar back on, so the setting that decides is what is checked.)
    from tasks.catalog import refresh_catalog
    from tasks.lake import Lake
    from tasks.review import access

    lake = Lake(tmp_path)
    refresh_catalog(lake)  # an empty lake's catalog
    for connect in (access.reading, access.writing):
        with connect(lake) as con:
            assert con.execute("SELECT current_setting('enable_progress_bar')").fetchall() == [(False,)]

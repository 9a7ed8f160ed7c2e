"""Dedup keys: normalisation folds trivial variants, and keys of earlier runs stay valid (they are persisted)."""

from __future__ import annotations

import random
import re
import sys

import pytest

from tasks.normalize import content_hash, normalize_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ｆｕｌｌ-width  TEXT", "full-width text"),
        ("  Straße\tSTRASSE ", "strasse strasse"),
        ("ﬁne\u00a0print\u2003here\n\n", "fine print here"),
        ("line\u2028separator\x1cfile-sep", "line separator file-sep"),
        ("", ""),
        (" \t\n ", ""),
    ],
)
def test_normalize_key_folds_width_case_and_whitespace(text, key):
    assert normalize_key(text) == key


@pytest.mark.parametrize(
    ("text", "digest"),
    [
        # computed with the first definition (re.sub(r"\s+", " ", ...).strip()): earlier runs' keys must still match
        ("Ｆｕｌｌ-width  TEXT\u00a0and\u2003spaces\n\n", "236ab8030d07f3695a5b0ccf9973f529"),
        ("  Straße\tSTRASSE \u2028 ﬁne ", "42e3edbc31a9586e148df6117d7e7f04"),
        ("", "e3b0c44298fc1c149afbf4c8996fb924"),
    ],
)
def test_content_hash_is_stable_across_versions(text, digest):
    assert content_hash(text) == digest


def test_whitespace_collapse_matches_the_regex_definition():
    # str.split() and re's \s must agree on every code point, or persisted keys would drift
    ws = re.compile(r"\s+")
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if ws.fullmatch(chr(c))]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    rng = random.Random(3)
    pool = spaces + list("ab Ｚ\u00e9")
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert normalize_key(text) == ws.sub(" ", _nfkc_casefold(text)).strip()


def _nfkc_casefold(text: str) -> str:
    """The first two steps of ``normalize_key`` (NFKC, casefold), for the comparison above."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).casefold()


def test_a_huge_text_gets_the_same_key_without_an_object_per_word():
    import tracemalloc

    # 600,000 characters: over the split limit (_WINDOW_CHARS, 256 Ki), cut into three windows
    mixed = "\u2003 ".join(["Ｗord", "tÉxt", "ﬁne", "a"] * 30_000)
    assert normalize_key(mixed) == re.sub(r"\s+", " ", _nfkc_casefold(mixed)).strip()
    # 3 MB of two-letter words (12 windows), as in a 50 MB record of short words. One object per word costs about
    # 21x the text (measured), the windowed path 3.7x (its windows' fixed few MB included); tracemalloc's cost is
    # per allocation, so a bigger text only made the test slower (9 MB: 6 s more)
    text = "Ab\t" * 1_000_000
    tracemalloc.start()
    try:
        key = normalize_key(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert key == " ".join(["ab"] * 1_000_000)
    # str.split() made 1M word objects: ~60 MB for this text; the windowed path holds a few copies of it
    assert peak < 5 * len(text), f"{peak / 1e6:.0f} MB for a {len(text) / 1e6:.0f} MB text"


def test_the_windowed_collapse_matches_the_regex_definition(monkeypatch):
    import tasks.normalize as normalize

    monkeypatch.setattr(normalize, "_WINDOW_CHARS", 5)  # every text below is cut into many windows
    ws = re.compile(r"\s+")
    rng = random.Random(5)
    pool = list(" \t\n\u2003\u00a0\u3000abＺ\u00e9ﬁ")
    for _ in range(5_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert normalize.normalize_key(text) == ws.sub(" ", _nfkc_casefold(text)).strip(), repr(text)

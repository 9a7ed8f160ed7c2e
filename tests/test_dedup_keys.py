"""What dedup treats as the same content: the exact key's normalisation (case, whitespace, line endings, NFC/NFD,
compatibility forms, invisible characters), records without content, and preference pairs (the rejected reply is
part of the record).
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata

import pytest

from tasks.dedup.minhash import MinHashStage
from tasks.normalize import content_hash, drop_ignorable, key_meta, normalize_key
from tasks.stage import DocBatch
from tests.neardup_helpers import make_doc, variant
from tests.test_dedup_outcomes import corpus_dups, kept

TEXT = "Hello World, this is the café menu for today"


@pytest.mark.parametrize("copy", [
    "hello world, this is the café menu for today",  # case
    "Hello  World,\tthis is the café menu for today\n\n",  # whitespace, trailing newlines
    "Hello World,\r\nthis is the café menu for today\r\n",  # CRLF
    "Hello World, this is the cafe\u0301 menu for today",  # NFD
    "Ｈｅｌｌｏ Ｗｏｒｌｄ, this is the café menu for today",  # full width (NFKC)
    "\ufeffHello World, this is the café menu for today",  # a byte-order mark
    "Hello World, this is the ca\u00adfé me\u00adnu for to\u00adday",  # soft hyphens (&shy; in web pages)
    "Hello World, this is the ca\u200bfé menu\u2060 for today",  # zero-width space, word joiner
    "Hello World, this is the café menu for today\U000e0068\U000e0069",  # tag characters (ASCII smuggling)
    "Hello World, this is the café\ufe0f menu for today",  # a variation selector
])
def test_trivial_variants_share_the_exact_key(copy):
    assert content_hash(copy) == content_hash(TEXT)


@pytest.mark.parametrize("other", [
    "Hello World, this is the cafe menu for today",  # an accent is a letter, not a variant
    "Hello World, this is the café menu for tomorrow",
    "Hello World. this is the café menu for today",  # punctuation stays in the exact key
])
def test_real_differences_keep_their_own_key(other):
    assert content_hash(other) != content_hash(TEXT)


def test_invisible_characters_are_default_ignorables_and_dropping_them_first_changes_nothing_else():
    from tasks.normalize import _IGNORABLE_ASTRAL, _IGNORABLE_BMP

    dropped = [c for c in range(sys.maxunicode + 1)
               if not 0xD800 <= c <= 0xDFFF and (_IGNORABLE_BMP.match(chr(c)) or _IGNORABLE_ASTRAL.match(chr(c)))]
    assert len(dropped) == 4174 and not any(chr(c).isspace() for c in dropped)
    assert all(unicodedata.category(chr(c)) in ("Cf", "Mn", "Lo", "Cn") for c in dropped)
    # NFKC and casefold never make one from other characters, so the order of the steps does not matter
    keep = set(dropped)
    made = [c for c in range(sys.maxunicode + 1) if c not in keep and not 0xD800 <= c <= 0xDFFF
            and any(ord(x) in keep for x in unicodedata.normalize("NFKC", chr(c)).casefold())]
    assert made == []
    assert drop_ignorable("plain ascii") == "plain ascii"
    assert normalize_key("a\u200b b\U000e0041") == "a b"


def test_texts_without_invisible_characters_keep_the_keys_of_earlier_versions():
    # the digests of tests/test_normalize.py hold these; a text holding one now gets its visible text's key
    assert content_hash("Ｆｕｌｌ-width  TEXT\u00a0and\u2003spaces\n\n") == "236ab8030d07f3695a5b0ccf9973f529"
    assert content_hash("\ufeffＦｕｌｌ-width  TEXT\u00a0and\u2003spaces\n\n") == "236ab8030d07f3695a5b0ccf9973f529"


def test_a_preference_pair_is_keyed_by_both_replies():
    chosen = "Boil the egg for nine minutes, then cool it in cold water."
    a, b = json.dumps({"rejected": "Microwave it."}), json.dumps({"rejected": "Eggs cannot be boiled."})
    assert content_hash(chosen, a) != content_hash(chosen, b)
    assert content_hash(chosen, a) == content_hash(chosen.upper(), {"rejected": "  MICROWAVE it. "})
    assert content_hash(chosen, json.dumps({"url": "x", "title": "y"})) == content_hash(chosen)  # provenance only
    assert key_meta(json.dumps({"rejected": [{"role": "assistant", "content": "no"}]})) == \
        ['[{"content": "no", "role": "assistant"}]']
    assert key_meta("not json") == [] and key_meta(None) == [] and key_meta(json.dumps(["rejected"])) == []


def test_preference_pairs_that_share_a_chosen_reply_are_not_duplicates(tmp_path):
    rng = random.Random(3)
    chosen = make_doc(rng, 300)  # long: a signature of chosen + rejected would find the pairs near-identical
    pairs = [{"id": f"p{i}", "text": chosen, "meta": {"prompt": "Q", "rejected": r}}
             for i, r in enumerate(["No.", "Never do that.", "Ask someone else."])]
    pairs.append({"id": "copy", "text": chosen.upper(), "meta": {"prompt": "Q", "rejected": "no."}})
    pairs.append({"id": "plain", "text": variant(chosen, 0.9, rng)[0]})
    dups = corpus_dups(tmp_path, [pairs])
    assert kept(dups) == {"copy": "p0"}  # only the whole pair's copy; "plain" has no pair to be a near copy of
    res = MinHashStage().run(DocBatch(doc_ids=["p", "t"], texts=[chosen, chosen], meta=[pairs[0]["meta"], None]))
    assert [v is None for v in res.columns["minhash"].to_pylist()] == [True, False]


def test_records_without_content_are_not_duplicates_of_each_other(tmp_path):
    from tasks.dedup.exact import EMPTY_KEY

    assert EMPTY_KEY == content_hash("") == content_hash(" \n\t\u200b ")
    dups = corpus_dups(tmp_path, [[{"id": "e1", "text": ""}, {"id": "e2", "text": "  "},
                                   {"id": "e3", "text": "\u200b"}, {"id": "t", "text": "x"},
                                   {"id": "t2", "text": "X"}]])
    assert kept(dups) == {"t2": "t"}

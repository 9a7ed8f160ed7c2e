"""Text normalisation for fastText classifiers, shared by training (``tasks.toxicity_train``) and scoring.

A model only sees what this function returns, so training and scoring must call the same function: a model trained
on normalised tweets and fed raw web text would meet tokens it never saw (``@user``, ``&amp;``, ``https://...``).

What it does, and why:

* HTML entities are decoded (``&amp;`` -> ``&``): scraped tweets and web pages carry them as literal text.
* Retweet markers (``RT``) are dropped: a Twitter artefact that never appears in web text.
* Text is case-folded, URLs become ``xxurl`` and @mentions ``xxuser``: their exact value says nothing about
  toxicity and would otherwise fill the vocabulary with one-off tokens.
* ASCII punctuation becomes a space and apostrophes are dropped (``don't`` -> ``dont``, ``idiot!!`` -> ``idiot``):
  fastText splits words on whitespace only, so ``idiot!!`` and ``idiot`` would otherwise be different words.
  Typographic quotes and dashes are folded to their ASCII forms first.
* Newlines, tabs and every other character ``str.split()`` treats as whitespace become spaces: fastText predicts
  one line at a time and splits words on ASCII whitespace only, so after this ``text.split()`` gives exactly
  fastText's tokens (``tasks.detectors.toxicity_linear`` relies on it).

Speed matters (this runs on every document, whole and per window): each step is a C-level string method or a regex
guarded by a substring test, and punctuation is mapped with one ``bytes.translate`` over the UTF-8 bytes, which is
~25x faster than ``str.translate`` or a regex here. Runs of spaces are left in: fastText skips them.
"""

from __future__ import annotations

import html
import re
import string

URL_TOKEN = "xxurl"
USER_TOKEN = "xxuser"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_RT = re.compile(r"\bRT\b:?")
_TYPOGRAPHIC = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " ", "\u2013": " ",
                "\u2026": " ", "\u00a0": " "}
# Unicode whitespace that str.split() splits on and fastText does not (U+00A0 is in _TYPOGRAPHIC).
_UNICODE_SPACE = re.compile("[\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_PUNCT = string.punctuation.replace("'", "") + "\n\r\t\x0b\x0c\x00\x1c\x1d\x1e\x1f"
_BYTE_TABLE = bytes.maketrans(_PUNCT.encode(), b" " * len(_PUNCT))


def normalize_for_model(text: str) -> str:
    """Return ``text`` as a toxicity model sees it: one line, case-folded, words separated by spaces."""
    if "&" in text:
        text = html.unescape(text)
    if "RT" in text:
        text = _RT.sub(" ", text)
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _MENTION.sub(f" {USER_TOKEN} ", text)
    if not text.isascii():
        for typographic, ascii_form in _TYPOGRAPHIC.items():
            if typographic in text:
                text = text.replace(typographic, ascii_form)
        text = _UNICODE_SPACE.sub(" ", text)
    # Lone surrogates (possible in text decoded with surrogateescape) must survive the round trip.
    raw = text.encode("utf-8", "surrogatepass").translate(_BYTE_TABLE, b"'")
    return raw.decode("utf-8", "surrogatepass")


def one_line(text: str) -> str:
    """Replace newlines and other line breaks by spaces: the minimum fastText needs to score a text."""
    if "\n" in text or "\r" in text:
        text = text.replace("\r", " ").replace("\n", " ")
    return text

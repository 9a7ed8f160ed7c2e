"""``poison.homoglyph``: words spelt with look-alike letters from another script (``pаypal``, Cyrillic a).

Homoglyph substitution hides a trigger or a keyword from filters while a reader sees an ordinary word. The
confusable data of Unicode TS #39 comes from the ``confusable-homoglyphs`` package (script of each character,
and which characters each one can be mistaken for). Two patterns are flagged:

* ``mixed``: one word mixing scripts where a letter from the minority script is confusable with a letter of
  the word's main script (Latin word with Cyrillic ``а``; Russian word with a Latin ``p``).
* ``styled``: a Latin word with some, not all, of its letters in a mathematical or full-width style
  (``p𝐚yp𝐚l``); a wholly styled word (``𝐩𝐚𝐲𝐩𝐚𝐥``) is typography and passes (``poison.injection`` reads it).
* ``whole``: in a Latin-dominated document, a word written entirely in confusable Cyrillic/Greek letters
  whose skeleton is a common English word (``рау`` -> ``pay``).

Evidence per word: the word, its skeleton (each confusable foreign letter mapped to its look-alike in the
main script, the TS #39 idea restricted to the scripts involved), the scripts, and offsets. Greek and
Cyrillic prose is never flagged (its words are single-script), and a lone Greek letter at the edge of a Latin
word (small letter) is read as scientific notation (``TNFα``, ``Aβ``, ``μm``), not as an attack.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import Field

from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult

REASON = "poison.homoglyph"
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f\W\d_]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_IGNORED_SCRIPTS = {"COMMON", "INHERITED", "Unknown"}


class HomoglyphConfig(StageConfig):
    """Thresholds of ``poison_homoglyph``."""

    min_letters: int = Field(3, ge=2, description="shorter words are ignored (units such as μm)")
    whole_word_zipf: float = Field(3.0, ge=0, description="wordfreq Zipf a whole-script skeleton must reach")
    latin_share: float = Field(0.9, ge=0, le=1, description="Latin share of letters for a Latin document")
    max_items: int = Field(16, ge=1, description="words listed in the evidence (all are counted)")


def _style_of(ch: str) -> str | None:
    """``MATH`` or ``FULLWIDTH`` when ``ch`` is a styled form of an ASCII letter (its NFKC form), else None."""
    kind = unicodedata.decomposition(ch)[:7]
    if kind not in ("<font> ", "<wide> "):
        return None
    plain = unicodedata.normalize("NFKC", ch)
    if not (plain.isascii() and plain.isalpha()):
        return None
    return "MATH" if kind == "<font> " else "FULLWIDTH"


def _latin(ch: str) -> bool:
    o = ord(ch)
    return (0x41 <= o <= 0x5A) or (0x61 <= o <= 0x7A) or (0xC0 <= o <= 0x24F and o not in (0xD7, 0xF7)) \
        or (0x1E00 <= o <= 0x1EFF)


class Homoglyphs(Stage):
    """Flags words mixing scripts through confusable letters (and whole-script look-alikes)."""

    name = "poison_homoglyph"
    version = "3"  # 2: meta string fields are scanned too (Stage.scan_meta); 3: kind ``styled``
    scan_meta = True
    Config = HomoglyphConfig
    requires = (("confusable_homoglyphs", "confusable-homoglyphs"), ("wordfreq", "wordfreq"))

    def setup(self) -> None:
        """Load the TS #39 confusables table and wordfreq (both packaged data, no download)."""
        from confusable_homoglyphs import categories, confusables
        from wordfreq import zipf_frequency

        self._alias = categories.alias
        self._confusables: dict[str, list[dict[str, str]]] = confusables.confusables_data
        self._zipf = zipf_frequency
        self._script_cache: dict[str, str] = {}

    def _script(self, ch: str) -> str:
        if _latin(ch):
            return "LATIN"
        s = self._script_cache.get(ch)
        if s is None:
            s = self._script_cache[ch] = self._alias(ch)
        return s

    def _lookalike(self, ch: str, script: str) -> str | None:
        """A character of ``script`` that ``ch`` can be mistaken for (ASCII preferred), or None."""
        best = None
        for glyph in self._confusables.get(ch, ()):
            g = glyph["c"]
            if len(g) == 1 and self._script(g) == script:
                if g.isascii():
                    return g
                best = best or g
        return best

    def _styled_word(self, word: str) -> dict[str, Any] | None:
        """A Latin word with some (not all) of its letters in a mathematical or full-width style (``p𝐚yp𝐚l``):
        styled text styles whole words, so a word that mixes styles is disguised."""
        styled = [i for i, c in enumerate(word) if _style_of(c)]
        if not styled or len(styled) == len(word) or not all(_latin(c) or _style_of(c) for c in word):
            return None
        skeleton = "".join(unicodedata.normalize("NFKC", c) if _style_of(c) else c for c in word)
        known = self._zipf(skeleton.lower(), "en") >= 2.5
        if not known and all(i in (0, len(word) - 1) for i in styled):
            return None  # sin𝑥, log𝑛: a math variable pasted from an equation editor next to a function name
        return {"kind": "styled", "word": word, "skeleton": skeleton,
                "scripts": sorted({"LATIN", *(_style_of(word[i]) for i in styled)}),
                "confusables": [f"U+{ord(word[i]):04X}->{skeleton[i]}" for i in styled][:8],
                "known_word": known}

    def _check_word(self, word: str, latin_doc: bool, latin_major: bool) -> dict[str, Any] | None:
        cfg: HomoglyphConfig = self.config  # type: ignore[assignment]
        if len(word) < cfg.min_letters:
            return None
        styled = self._styled_word(word)
        if styled is not None:
            return styled
        scripts = [self._script(c) for c in word]
        counts: dict[str, int] = {}
        for s in scripts:
            if s not in _IGNORED_SCRIPTS:
                counts[s] = counts.get(s, 0) + 1
        if len(counts) >= 2:
            # The word's real script is the one every foreign letter can pass for (``раst`` is Latin "past"
            # although most of its letters are Cyrillic); ties go to the document's script, then the majority.
            options = []
            for main in counts:
                foreign = [i for i, s in enumerate(scripts) if s not in _IGNORED_SCRIPTS and s != main]
                swaps = {i: self._lookalike(word[i], main) for i in foreign}
                found = sum(1 for v in swaps.values() if v)
                options.append(((found == len(foreign), main == "LATIN" and latin_major, found, counts[main]),
                                main, foreign, swaps))
            _, main, foreign, swaps = max(options, key=lambda o: o[0])
            if main == "LATIN" and len(foreign) == 1 and scripts[foreign[0]] == "GREEK" \
                    and foreign[0] in (0, len(word) - 1) and word[foreign[0]].islower():
                return None  # TNFα, Aβ, γc: a small Greek letter as a scientific prefix/suffix
            kind = "mixed"
        elif latin_doc and counts.keys() & {"CYRILLIC", "GREEK"}:
            main, foreign, kind = "LATIN", list(range(len(word))), "whole"
            swaps = {i: self._lookalike(word[i], main) for i in foreign}
        else:
            return None
        if not any(swaps.values()) or (kind == "whole" and not all(swaps.values())):
            return None
        skeleton = "".join(swaps.get(i) or c for i, c in enumerate(word))
        known = max(self._zipf(skeleton.lower(), "en"), self._zipf(skeleton.lower(), main_lang(main)))
        if kind == "whole" and known < cfg.whole_word_zipf:
            return None
        return {
            "kind": kind, "word": word, "skeleton": skeleton,
            "scripts": sorted({scripts[i] for i in foreign} | {main}),
            "confusables": [f"U+{ord(word[i]):04X}->{swaps[i]}" for i in foreign if swaps[i]][:8],
            "known_word": known >= 2.5,
        }

    def scan(self, text: str) -> list[dict[str, Any]]:
        """Every homoglyph word of ``text`` with its skeleton, scripts and offsets."""
        if text.isascii():
            return []
        # Start from the non-ASCII letters (few in most texts) and grow each to its whole word.
        words: list[tuple[int, int, str]] = []
        last = -1
        for m in _NON_ASCII_LETTER.finditer(text):
            i = m.start()
            if i < last:
                continue
            s, e = i, i + 1
            while s > 0 and text[s - 1].isalpha():
                s -= 1
            while e < len(text) and text[e].isalpha():
                e += 1
            words.append((s, e, text[s:e]))
            last = e
        if not words:
            return []
        # Most non-ASCII words are plain Latin (café, naïve): skip them before any per-document statistics.
        words = [w for w in words if not all(_latin(c) for c in w[2])]
        if not words:
            return []
        letters = len(_LETTER.findall(text))
        latin = len(_LATIN.findall(text))
        latin_doc = letters > 0 and latin / letters >= self.config.latin_share  # type: ignore[attr-defined]
        latin_major = latin * 2 > letters
        hits = []
        for s, e, word in words:
            hit = self._check_word(word, latin_doc, latin_major)
            if hit is not None:
                hit.update(start=s, end=e)
                hits.append(hit)
        return hits

    def detect(self, batch: DocBatch) -> StageResult:
        """One finding per record with homoglyph words; every record gets a ``homoglyph`` score."""
        cfg: HomoglyphConfig = self.config  # type: ignore[assignment]
        result = StageResult()
        for row, text in enumerate(batch.texts):
            hits = self.scan(text)
            score = 0.0
            if hits:
                # A real word behind the disguise, or several disguised words, make an attack likelier.
                score = min(1.0, 0.6 + 0.3 * any(h["known_word"] for h in hits) + 0.1 * (len(hits) > 1))
            result.scores.append(Score(row, "homoglyph", score))
            if hits:
                evidence = {
                    "hits": len(hits), "items": hits[: cfg.max_items],
                    "explanation": "words spelt with look-alike letters of another script (TS #39)",
                }
                spans = tuple(Span(h["start"], h["end"], "homoglyph") for h in hits)
                result.findings.append(Finding(row, REASON, score, evidence, spans))
        return result


def main_lang(script: str) -> str:
    """The wordfreq language that judges a skeleton in ``script`` (English by default)."""
    return {"CYRILLIC": "ru", "GREEK": "el"}.get(script, "en")

"""presidio context words at Sieve's speed: lazily built NLP artifacts and an indexed context enhancer.

presidio raises a result's score when a context word ("phone", "iban"...) is among the words before it. Its
``NlpArtifacts`` build token, lemma and keyword lists for every text up front, and its enhancer finds each result's
token by a linear scan; here the lists are built only when a result asks, and the token is found by binary search.
The words and window sizes are presidio's, and so are the scores.
"""

from __future__ import annotations

from typing import Any


def stop_words(context_words: frozenset[str] = frozenset()) -> frozenset[str]:
    """spaCy's English stop words, minus the recognizers' context words (presidio never sees a stop word).

    "call" and "name" are spaCy stop words, so under presidio's defaults neither "call 555-0143" nor "my name is
    Ada Okafor" gets a lift from its context word.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) - context_words


def lazy_artifacts_class(stop: frozenset[str]):
    """presidio ``NlpArtifacts`` whose tokens, lemmas and keywords are built only when a result asks for context.

    Most texts yield no pattern result needing context words, and building the lists eagerly (presidio does, in
    ``NlpArtifacts.__init__``) costs about as much as the pattern recognizers themselves.
    """
    from presidio_analyzer.nlp_engine import NlpArtifacts

    class LazyArtifacts(NlpArtifacts):
        """``words()`` -> (tokens, start offsets, lower-cased words, end offsets), called at most once."""

        def __init__(self, words, engine, language: str, entities=(), scores=()):  # no super(): it is eager
            self.entities, self.scores, self.nlp_engine, self.language = list(entities), list(scores), engine, language
            self._words, self._cache, self._index = words, None, None

        def _get(self) -> tuple[Any, list[int], list[str], list[str]]:
            if self._cache is None:
                tokens, starts, lemmas, ends = self._words()
                keywords = [part for w in lemmas if w not in stop and (len(w) > 1 or w.isalnum())
                            for part in w.split(":")]
                self._cache, self._ends = (tokens, starts, lemmas, keywords), ends
            return self._cache

        def context_index(self) -> tuple[list[int], list[str], frozenset[str]]:
            """(token end offsets, lemmas, keywords as a set) for ``IndexedContextEnhancer``."""
            if self._index is None:
                _, _, lemmas, keywords = self._get()
                self._index = (self._ends, lemmas, frozenset(keywords))
            return self._index

        tokens = property(lambda self: self._get()[0])
        tokens_indices = property(lambda self: self._get()[1])
        lemmas = property(lambda self: self._get()[2])
        keywords = property(lambda self: self._get()[3])

    return LazyArtifacts


def indexed_context_enhancer():
    """presidio's ``LemmaContextAwareEnhancer`` with the same answers, found faster on ``LazyArtifacts``.

    presidio finds the token of a result by a linear scan and tests each neighbour with ``in`` on the keyword
    list; here the token is found by binary search on the token end offsets (the first token ending after the
    result's start: presidio's own rule) and the keywords are a set. Words and window sizes are presidio's.
    """
    from bisect import bisect_right

    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    class IndexedContextEnhancer(LemmaContextAwareEnhancer):
        """Same context words as presidio's enhancer; binary search and set lookups on ``LazyArtifacts``."""

        def _extract_surrounding_words(self, nlp_artifacts, word: str, start: int) -> list[str]:
            if not hasattr(nlp_artifacts, "context_index"):
                return super()._extract_surrounding_words(nlp_artifacts, word, start)
            if not nlp_artifacts.tokens:
                return [""]
            ends, lemmas, keywords = nlp_artifacts.context_index()
            index = bisect_right(ends, start)
            if index >= len(ends):
                raise ValueError("Did not find the word in the list of tokens although it is expected to be found")
            found = []
            for step, count in ((-1, self.context_prefix_count), (1, self.context_suffix_count)):
                i, remaining = index, count + 1
                while 0 <= i < len(lemmas) and remaining > 0:
                    lemma = lemmas[i].lower()
                    if lemma in keywords:
                        found.append(lemma)
                        remaining -= 1
                    i += step
            return list(set(found))

    return IndexedContextEnhancer()

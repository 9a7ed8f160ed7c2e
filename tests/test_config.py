import json

import pytest

from schemas.config import ConfigError, build_config, load_config


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"inputs": {}}, "inputs: unknown key"),
        ({"input": {"max_byte": 5}}, "input.max_byte: unknown key"),
        ({"input": {"kind": "chat"}}, "valid values: 'text' or 'instruct'"),
        ({"policy": {"rules": [{"reason": "pii.*", "action": "delete"}]}}, "'flag', 'redact', 'quarantine' or 'drop'"),
        ({"policy": {"rules": [{"reason": "spam.*", "action": "drop"}]}}, "valid families: input, dup"),
        ({"stages": {"no_such_stage": {}}}, "stages.no_such_stage: unknown stage; valid stages:"),
        ({"stages": {"dedup_exact": {"colour": 1}}}, "stages.dedup_exact.colour: unknown key"),
        ({"shards": {"batch_records": 0}}, "shards.batch_records: invalid value 0; valid values: 1 to 100000"),
        # every bound of the key, not only the one crossed (pydantic said "less than or equal to 256")
        ({"shards": {"workers": 300}}, "shards.workers: invalid value 300; valid values: 0 to 256"),
        ({"shards": {"target_bytes": 10}}, "shards.target_bytes: invalid value 10; valid values: at least 1024"),
        ({"datasets": {"web": {"resources": {"threads": 0}}}},
         "datasets.web.resources.threads: invalid value 0; valid values: 1 to 256"),
        ({"stages": {"dedup_near": {"threshold": 1.5}}},
         "stages.dedup_near.threshold: invalid value 1.5; valid values: more than 0.0 and at most 1.0"),
    ],
)
def test_invalid_config_names_key_and_valid_values(raw, message):
    with pytest.raises(ConfigError) as err:
        build_config(raw)
    assert message in str(err.value)


def test_policy_first_matching_rule_wins_and_min_score():
    cfg = build_config({"policy": {"rules": [
        {"reason": "toxicity.*", "action": "quarantine", "min_score": 0.8},
        {"reason": "toxicity.*", "action": "flag"},
    ], "default_action": "drop"}})
    assert cfg.policy.action_for("toxicity.offensive", 0.9) == "quarantine"
    assert cfg.policy.action_for("toxicity.offensive", 0.5) == "flag"
    assert cfg.policy.action_for("pii.EMAIL_ADDRESS", None) == "drop"


def test_default_policy():
    cfg = build_config({})
    assert cfg.policy.action_for("input.empty", None) == "drop"
    assert cfg.policy.action_for("input.malformed", None) == "quarantine"
    assert cfg.policy.action_for("pii.EMAIL_ADDRESS", 0.9) == "redact"
    assert cfg.policy.action_for("pii.SECRET_AWS_KEY", 0.9) == "quarantine"
    assert cfg.policy.action_for("poison.unicode", 1.0) == "quarantine"


def test_dataset_overrides_change_the_hash(tmp_path):
    path = tmp_path / "sieve.yaml"
    path.write_text("input: {max_bytes: 100}\ndatasets:\n  web: {input: {max_bytes: 50}}\n")
    base, web = load_config(path), load_config(path, "web")
    assert base.input.max_bytes == 100 and web.input.max_bytes == 50
    assert base.config_hash() != web.config_hash()
    assert load_config(path, "other").config_hash() == base.config_hash()


def test_every_dataset_section_is_validated_whichever_dataset_runs(tmp_path):
    """A typo under another dataset's section is reported by any run, not only by that dataset's next run."""
    path = tmp_path / "sieve.yaml"
    path.write_text("datasets:\n  web: {input: {max_bytes: 50}}\n  forum: {policy: {default_action: explode}}\n")
    for dataset in ("web", "other", None):
        with pytest.raises(ConfigError) as err:
            load_config(path, dataset)
        assert str(err.value).startswith("invalid config: datasets.forum.policy.default_action: invalid value "
                                         "'explode'"), str(err.value)
    path.write_text("datasets:\n  web: {input: {max_bytes: 50}}\n  forum: {input: {colour: 1}}\n")
    with pytest.raises(ConfigError, match=r"^invalid config: datasets\.forum\.input\.colour: unknown key"):
        load_config(path, "web")
    path.write_text("datasets:\n  web: {input: {max_bytes: 50}}\n  forum: {input: {max_bytes: 70}}\n")
    assert load_config(path, "web").input.max_bytes == 50 and load_config(path, "forum").input.max_bytes == 70


def test_missing_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


_ALL_OFF = {
    "stages": {name: {"enabled": False} for name in ("language", "toxicity", "pii", "dedup_near", "minhash")}
}


def test_a_switched_off_stage_is_not_imported_by_workers():
    """Workers rebuild the validated config and its stages without importing switched-off stage modules."""
    import subprocess
    import sys

    cfg_json = build_config(_ALL_OFF).model_dump_json()
    probe = (
        "import json, sys\n"
        "from schemas.config import SieveConfig\n"
        "from tasks.registry import build_corpus_stages, build_document_stages\n"
        f"cfg = SieveConfig.from_validated_json({cfg_json!r})\n"
        "names = [s.name for s in build_document_stages(cfg.stages) + build_corpus_stages(cfg.stages)]\n"
        "mods = ['tasks.detectors.pii', 'tasks.detectors.toxicity', 'tasks.detectors.language', 'tasks.dedup.near']\n"
        "print(json.dumps({'stages': names, 'loaded': [m for m in mods if m in sys.modules],\n"
        "                  'pii_on': cfg.stage_enabled('pii')}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["loaded"] == []
    assert "pii" not in got["stages"] and "dedup_exact" in got["stages"]
    assert got["pii_on"] is False


def test_from_validated_json_still_rejects_unknown_stages_and_round_trips():
    cfg = build_config({"stages": {"pii": {"enabled": False}, "toxicity": {"enabled": True}}})
    from schemas.config import SieveConfig

    again = SieveConfig.from_validated_json(cfg.model_dump_json())
    assert again.config_hash() == cfg.config_hash()
    bad = cfg.model_dump()
    bad["stages"]["nope"] = {}
    with pytest.raises(ValueError, match="stages.nope: unknown stage"):
        SieveConfig.from_validated_json(json.dumps(bad))
    with pytest.raises(ConfigError, match="stages.pii"):  # the CLI's own load still validates every section
        build_config({"stages": {"pii": {"enabled": False, "no_such_key": 1}}})

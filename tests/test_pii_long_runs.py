"""Long runs without whitespace (1 MB of emoji or brackets) reach spaCy's tokenizer in pieces, offsets unchanged."""

from __future__ import annotations

from tasks.detectors.pii_engine import LONG_RUN, breakable


def test_breakable_cuts_long_runs_only_and_keeps_every_offset():
    prose = "Write to Ada Lovelace at the usual address, please. " * 20
    assert breakable(prose) is prose
    run = "\U0001F600" * (3 * LONG_RUN + 7)
    text = "Hi " + run + " Ada Lovelace"
    cut = breakable(text)
    assert len(cut) == len(text) and cut.endswith(" Ada Lovelace")
    assert max(len(w) for w in cut.split()) < LONG_RUN
    assert [i for i, (a, b) in enumerate(zip(text, cut, strict=True)) if a != b] == \
        [3 + k * LONG_RUN - 1 for k in (1, 2, 3)]


def test_names_after_a_long_run_keep_their_offsets(ner):
    text = "\U0001F600" * 5000 + " Please write to Margaret Hamilton about the launch. " + ")" * 3000
    (found,) = ner.analyze([text])
    people = [text[r.start:r.end] for r in found if r.entity_type == "PERSON"]
    assert people == ["Margaret Hamilton"]

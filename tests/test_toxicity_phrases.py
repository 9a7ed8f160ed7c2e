"""The generated toxicity sentences: deterministic, balanced, and split by template."""

from collections import Counter

from tasks import toxicity_phrases as tp


def test_generate_is_deterministic_for_a_seed():
    assert tp.generate(300, seed=3) == tp.generate(300, seed=3)
    assert tp.generate(300, seed=3) != tp.generate(300, seed=4)


def test_labels_are_balanced_and_templates_evenly_used():
    rows = tp.generate(1000, seed=1)
    assert Counter(label for label, _, _ in rows) == {"toxic": 1000, "clean": 1000}
    per_template = Counter(tid for _, tid, _ in rows)
    assert max(per_template.values()) - min(per_template.values()) <= 1 + 1000 // 100
    assert {tid for tid, _ in per_template.items()} == {tid for _, tid, _ in tp.templates()}


def test_split_holds_out_whole_templates_of_both_labels():
    rows = tp.generate(2000, seed=5)
    train, dev = tp.split_by_template(rows, 0.25, seed=5)
    assert len(train) + len(dev) == len(rows)
    assert not {tid for _, tid, _ in train} & {tid for _, tid, _ in dev}
    assert {label for label, _, _ in dev} == {"toxic", "clean"}
    assert 0.15 < len(dev) / len(rows) < 0.35


def test_sentences_are_filled_and_group_words_appear_on_both_sides():
    rows = tp.generate(2000, seed=2)
    assert not any("{" in text or "}" in text for _, _, text in rows)
    for group in ("Muslims", "immigrants", "women"):
        labels = {label for label, _, text in rows if group.lower() in text.lower()}
        assert labels == {"toxic", "clean"}, group


def test_write_fasttext_lines(tmp_path):
    rows = [("toxic", "x:0", "A  b\nc"), ("clean", "y:1", "d")]
    tp.write_fasttext(rows, tmp_path / "t.txt")
    assert (tmp_path / "t.txt").read_text() == "__label__toxic A b c\n__label__clean d\n"


def test_forum_sentences_are_balanced_filled_and_split_apart_from_the_others():
    from tasks import toxicity_forum as tf

    rows = tf.generate(600, seed=4)
    assert Counter(label for label, _, _ in rows) == {"toxic": 600, "clean": 600}
    assert not any("{" in text or "}" in text for _, _, text in rows)
    assert {tid for _, tid, _ in rows} == {tid for _, tid, _ in tf.templates()}
    sets = tp.build(300, seed=5, forum_n_per_label=200)
    plain = tp.build(300, seed=5)
    # the forum rows come after the others and leave their sentences and split as they were
    assert sets["train"][:len(plain["train"])] == plain["train"] and sets["dev"] == plain["dev"]
    forum_train = {tid for _, tid, _ in sets["train"][len(plain["train"]):]}
    assert forum_train and not forum_train & {tid for _, tid, _ in sets["dev_forum"]}
    assert all(tid.startswith("forum_") for _, tid, _ in sets["dev_forum"])


def test_forum_comments_join_sentences_of_the_given_side_only():
    from tasks import toxicity_forum as tf

    rows = [("toxic", "t:0", "You halfwit."), ("clean", "c:0", "Thanks."), ("clean", "c:1", "See above.")]
    out = tf.comments(rows, 1.0, seed=1)
    assert [(label, tid) for label, tid, _ in out] == [(label, tid) for label, tid, _ in rows]
    assert "You halfwit." in out[0][2] and len(out[0][2]) > len("You halfwit.")
    assert all(part.strip(" \n.") in {"You halfwit", "Thanks", "See above"}
               for _, _, text in out for part in text.replace("\n", " ").split(". "))


def test_civil_comments_are_clean_split_by_template_and_leave_the_forum_rows_alone():
    from tasks import toxicity_forum as tf

    before = tf.generate(300, seed=7)
    train, dev = tf.build_civil(400, seed=7)
    assert (train, dev) == tf.build_civil(400, seed=7) and tf.generate(300, seed=7) == before
    assert {label for label, _, _ in train + dev} == {"clean"}
    assert not {tid for _, tid, _ in train} & {tid for _, tid, _ in dev}
    assert {tid for _, tid, _ in train + dev} == {tid for _, tid, _ in tf.civil_templates()}
    assert not any("{" in text for _, _, text in train + dev)

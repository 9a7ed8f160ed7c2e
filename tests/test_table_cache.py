"""The toxicity scorer's word table is cached on disk by the model's digest; a bad cache never changes a score."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.detectors import table_cache
from tasks.detectors.toxicity_linear import TABLE_KIND, LinearScorer

TEXTS = ["you are such a stupid idiot, go away", "the museum opens at nine on sundays", "a quiet harbor at dawn",
         "unseenwordzz and more unseen wordszz"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SIEVE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _stage():
    from tasks.detectors.toxicity import ToxicityConfig
    from tasks.registry import stage_class

    stage = stage_class("toxicity")(ToxicityConfig())
    stage.prepare()
    return stage


def _scores(stage) -> np.ndarray:
    lines = [" ".join(t.split()) for t in TEXTS]
    return stage._linear.score_documents([[t] for t in lines])[0]


def test_the_second_process_loads_the_table_and_scores_alike(cache, monkeypatch):
    first = _stage()
    (saved,) = (cache / TABLE_KIND).glob("*.npz")
    # named by the model's digest and the code that computes the table
    from pathlib import Path

    from tasks.detectors import toxicity_linear

    assert saved.stem == table_cache.files_key([Path(toxicity_linear.__file__)], extra=first._sha256)
    built: list[int] = []
    entries = LinearScorer._entries

    def counting(self, words):
        built.append(len(words))
        return entries(self, words)

    monkeypatch.setattr(LinearScorer, "_entries", counting)
    second = _stage()
    # the vocabulary's table was not computed again (only the probes' unseen words were)
    assert built and all(n < 10 for n in built), built
    np.testing.assert_array_equal(second._linear._rows[: second._linear._base],
                                  first._linear._rows[: first._linear._base])
    np.testing.assert_allclose(_scores(second), _scores(first), rtol=0, atol=1e-12)


def test_a_damaged_or_wrong_table_is_rebuilt(cache):
    reference = _scores(_stage())
    (saved,) = (cache / TABLE_KIND).glob("*.npz")
    saved.write_bytes(b"not a numpy file")
    assert np.allclose(_scores(_stage()), reference)  # unreadable: built again (and saved again)
    key = saved.stem
    arrays = table_cache.load_arrays(TABLE_KIND, key)
    arrays["rows"] = arrays["rows"] * 1.5  # readable, of the right shape, but not the model's
    assert table_cache.save_arrays(TABLE_KIND, key, arrays)
    stage = _stage()
    assert stage._linear.matches_predict(TEXTS)
    assert np.allclose(_scores(stage), reference)
    # ... and the wrong table is replaced on disk by the right one: the next process loads it, not builds it
    again = table_cache.load_arrays(TABLE_KIND, key)
    np.testing.assert_array_equal(again["rows"], stage._linear._rows[: stage._linear._base])


def test_a_truncated_cache_file_is_rebuilt_not_a_failed_run(cache):
    # A file cut short (a crash mid-write on a filesystem that reorders, a full disk) raised zipfile.BadZipFile,
    # which no except clause took: every run with the PII, gibberish or toxicity stage failed until it was deleted.
    from tasks.detectors import pii_names

    pii_names.census_names.cache_clear()
    fresh = pii_names.census_names()
    for saved in (cache / "pii-name-lists").glob("*.npz"):
        saved.write_bytes(saved.read_bytes()[:2000])
    pii_names.census_names.cache_clear()
    assert pii_names.census_names() == fresh
    pii_names.census_names.cache_clear()
    assert all(p.stat().st_size > 2000 for p in (cache / "pii-name-lists").glob("*.npz"))  # written anew


def test_an_unwritable_cache_folder_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("SIEVE_CACHE_DIR", str(blocker / "cache"))
    stage = _stage()
    assert stage._linear is not None and stage._linear.matches_predict(TEXTS)
    assert table_cache.save_arrays("x", "y", {"a": np.zeros(2)}) is False
    assert table_cache.load_arrays("x", "y") is None


def test_the_gibberish_word_sets_come_back_from_the_cache_unchanged(cache, monkeypatch):
    import wordfreq

    from tasks.detectors import gibberish

    gibberish._word_sets.cache_clear()
    fresh = gibberish._word_sets(3.0)
    (saved,) = (cache / "gibberish-words").glob("*.npz")  # one entry holding both sets
    assert sorted(table_cache.load_arrays("gibberish-words", saved.stem)) == ["set0", "set1"]
    gibberish._word_sets.cache_clear()
    with monkeypatch.context() as m:  # from the cache: wordfreq's lists are not read again
        m.setattr(wordfreq, "get_frequency_dict", lambda *a, **k: pytest.fail("read wordfreq again"))
        cached = gibberish._word_sets(3.0)
    assert cached == fresh and len(cached[0]) > 10_000 and "the" in cached[1]
    # another floor is another entry, not the same words
    gibberish._word_sets.cache_clear()
    assert len(gibberish._word_sets(4.0)[0]) < len(fresh[0])
    gibberish._word_sets.cache_clear()


def test_the_pii_name_lists_come_back_from_the_cache_unchanged(cache, monkeypatch):
    from tasks.detectors import pii_names

    pii_names.census_names.cache_clear()
    fresh = pii_names.census_names()
    (saved,) = (cache / "pii-name-lists").glob("*.npz")  # one entry holding both lists
    assert sorted(table_cache.load_arrays("pii-name-lists", saved.stem)) == ["set0", "set1"]
    pii_names.census_names.cache_clear()
    with monkeypatch.context() as m:  # from the cache: the census files are not read and filtered again
        m.setattr(pii_names, "_census_names", lambda folder: pytest.fail("built the lists again"))
        cached = pii_names.census_names()
    assert cached == fresh and "maria" in cached[0] and "garcia" in cached[1]
    pii_names.census_names.cache_clear()


def test_entries_unused_for_a_month_are_removed_when_another_is_saved(cache):
    import os
    import time

    assert table_cache.save_arrays("kind", "old", {"a": np.zeros(2)})
    assert table_cache.save_arrays("kind", "used", {"a": np.ones(2)})
    month_ago = time.time() - (table_cache.UNUSED_DAYS + 1) * 86400
    for key in ("old", "used"):
        os.utime(cache / "kind" / f"{key}.npz", (month_ago, month_ago))
    assert table_cache.load_arrays("kind", "used") is not None  # loading it marks it in use
    assert table_cache.save_arrays("kind", "new", {"a": np.zeros(3)})
    assert sorted(p.stem for p in (cache / "kind").glob("*.npz")) == ["new", "used"]


def test_a_saved_entry_is_readable_by_others(cache):
    # mkstemp's 0600 kept the other users of a shared SIEVE_CACHE_DIR rebuilding every table
    assert table_cache.save_arrays("kind", "shared", {"a": np.zeros(2)})
    assert (cache / "kind" / "shared.npz").stat().st_mode & 0o777 == 0o644

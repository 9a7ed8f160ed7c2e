"""The clean conversational pool: offensive sources never read, profanity dropped, split by source file."""

import gzip

import pytest

from tasks import toxicity_clean_pool as cp


def _machine(tmp_path, monkeypatch):
    fortunes = tmp_path / "fortunes"
    (fortunes / "off").mkdir(parents=True)
    (fortunes / "wisdom").write_text("Look before you leap, friend.\n%\nA stitch in time saves nine.\n%\nok\n")
    (fortunes / "wisdom.dat").write_text("index")
    (fortunes / "ethnic").write_text("A joke about a whole group of people.\n")
    (fortunes / "cookie-o").write_text("An offensive fortune that must never be read.\n")
    (fortunes / "off" / "cookie").write_text("Another offensive fortune that must never be read.\n")
    (fortunes / "zippy").write_text("Are we having fun yet, Zippy?\n%\nWhat the shit is this thing anyway?\n")
    wordnet = tmp_path / "wordnet"
    wordnet.mkdir()
    (wordnet / "data.noun").write_text(
        '00001 03 n 01 cat 0 | a small domestic animal; "the cat sat on the warm mat"\n'
        '00002 03 n 01 brute 0 | (offensive) a cruel person; "you are a filthy brute"\n'
        "  1 copyright line\n")
    doc = tmp_path / "doc"
    for pkg in ("alpha", "beta", "gamma"):
        (doc / pkg).mkdir(parents=True)
        with gzip.open(doc / pkg / "changelog.Debian.gz", "wt") as fh:
            fh.write(f"{pkg} (1.0-1) unstable; urgency=medium\n\n  * Fix the stupid build failure of {pkg} on arm64\n"
                     "    - drop the old patch that broke\n      the tests on armel\n\n -- A Person <a@b.c>  Mon\n")
    monkeypatch.setattr(cp, "FORTUNES", fortunes)
    monkeypatch.setattr(cp, "WORDNET", wordnet)
    monkeypatch.setattr(cp, "DEBIAN_DOC", doc)


def test_sources_are_read_without_the_offensive_ones(tmp_path, monkeypatch):
    _machine(tmp_path, monkeypatch)
    fortunes = cp.fortune_texts()
    assert sorted(fortunes) == ["wisdom", "zippy"]
    assert cp.wordnet_texts() == {"data.noun": ["the cat sat on the warm mat"]}
    assert cp.changelog_texts()["beta"] == ["Fix the stupid build failure of beta on arm64",
                                            "drop the old patch that broke the tests on armel"]
    pool = cp.collect()
    texts = [t for kind in pool.values() for rows in kind.values() for t in rows]
    assert "A stitch in time saves nine." in texts and not any("shit" in t or t == "ok" for t in texts)


def test_split_holds_out_whole_source_files_and_is_deterministic(tmp_path, monkeypatch):
    _machine(tmp_path, monkeypatch)
    train, dev = cp.split_by_source(cp.collect(), 0.3, seed=7)
    assert (train, dev) == cp.split_by_source(cp.collect(), 0.3, seed=7)
    assert not {s for s, _ in train} & {s for s, _ in dev}
    assert any(s.startswith("changelog:") for s, _ in dev) and any(s.startswith("changelog:") for s, _ in train)
    cp.write_rows(dev, tmp_path / "out" / "dev.txt")
    assert (tmp_path / "out" / "dev.txt").read_text().startswith("__label__clean ")
    assert len((tmp_path / "out" / "dev.src").read_text().splitlines()) == len(dev)


def test_help_names_the_mined_file_the_readme_trains_on(capsys):
    """The README trains on pool_mined_0.3.txt; the help said pool_mined.txt, a file this never writes."""
    with pytest.raises(SystemExit):
        cp.main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "pool_mined_<threshold>.txt" in help_text and "pool_mined_0.3.txt" in help_text
    assert "pool_mined.txt" not in help_text

"""The PII stage's fast paths give the reference results: pre-screens, stdlib patterns, the windowed phone recognizer,
the vectorised NER decoder and the indexed context enhancer, each against presidio's or spaCy's own, on tables and
generated text.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from tasks.detectors.pii_engine import offline_tld_extract
from tasks.detectors.pii_phones import WindowedPhoneRecognizer
from tasks.detectors.pii_recognizers import structured_recognizers
from tasks.detectors.pii_secrets import SECRET_RECOGNIZERS
from tests.pii_helpers import IBAN, SECRETS, STRUCTURED, VISA

NER_TEXTS = [
    "Yesterday Margaret Thompson flew from Chicago to Lisbon with two colleagues from Acme Corp.",
    "On 4 March 2021 the United Nations met in Geneva; Dr. Amal Haddad spoke for 20 minutes.",
    "  leading spaces,\n\nblank lines and   runs of spaces around Oslo and Bergen  ",
    "",
    "Paris",
    "The bread needs flour, water, salt and patience. " * 30 + "Signed: Samuel Otieno, Nairobi.",
]


def test_vectorised_ner_decoder_matches_spacy(ner):
    """``pii_ner_decode`` sets exactly the entities spaCy's own NER loop sets, on one batch of mixed documents."""
    from tasks.detectors.pii_ner_decode import FastNer, supports

    nlp = ner.engine.nlp_engine.nlp["en"]
    assert supports(nlp.get_pipe("ner")) and ner.engine.nlp_engine.fast_ner is not None
    expected = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(NER_TEXTS)]
    docs = [nlp.make_doc(t) for t in NER_TEXTS]
    FastNer(nlp.get_pipe("ner"))(docs)
    assert [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs] == expected
    assert sum(map(len, expected)) >= 8


PHONE_TEXTS = [
    "Call 212-555-0143 or (212) 555-0199 ext. 12.", "Fax +49 30 901820, office 030 1234567.",
    "Ring 07700 900123 or +33 1 42 68 53 00.", "Year 2019, 2020 and 2021; lot 123456.",
    "713 798 1642 (fax)\n+1 (800) 555-0199 x42", "Tel: +91 98765 43210; alt 98765-43210.",
    "Pager 1645, year 2019, Berlin 030 1234567.", "Piepser 1699 oder 1700; ruf 0164 5 an; +1640 und +49 1640.",
    "Berlin 30 1234567 und 030 1234567", "Paris 1 42 68 53 00 ou 01 42 68 53 00", "London 20 7946 0958, 020 7946 0958",
    "Mumbai 22 2345 6789 or 022 2345 6789", "49 30 1234567; 0049 30 1234567; 44 20 7946 0958",
]


@pytest.mark.parametrize("text", PHONE_TEXTS)
def test_windowed_phone_finds_what_presidio_finds(text):
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    full = {(r.start, r.end) for r in PhoneRecognizer().analyze(text, ["PHONE_NUMBER"])}
    windowed = {(r.start, r.end) for r in WindowedPhoneRecognizer(drop_lookalikes=False).analyze(
        text, ["PHONE_NUMBER"])}
    assert windowed == full


PHONE_SHAPES = [
    "0## #### ####", "(0###) ### ####", "+44 ## #### ####", "0049 ### ######", "011 44 #### ######", "###-###-####",
    "###.###.####x###", "1-###-###-####", "##### #####", "0# ## ## ## ##", "+33 # ## ## ## ##", "0###/######",
    "+49 (0) ### #####", "+972-#-###-####", "0##-###-####", "+91 ##### #####", "(##) ####-####", "+55 ## #####-####",
    "###-####", "####", "#####", "######", "19##-20##", "##.##.####", "$#,###.##", "978-#-##-######-#", "v#.##.###",
    "#### #### #### ####", "00 ## ### ####", "0#########", "##########",
]


def test_windowed_phone_region_screen_loses_nothing():
    """The windowed recognizer (regions screened per digit cluster) finds what presidio's finds, on generated text."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    rng = random.Random(11)
    regions = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
    full = PhoneRecognizer(supported_regions=regions)
    windowed = WindowedPhoneRecognizer(supported_regions=regions, drop_lookalikes=False)
    seen = 0
    for _ in range(70):
        shapes = rng.sample(PHONE_SHAPES, 3)
        numbers = ["".join(str(rng.randrange(10)) if c == "#" else c for c in shape) for shape in shapes]
        text = f"Call {numbers[0]}, fax {numbers[1]} (since {numbers[2]})."
        expected = {(r.start, r.end) for r in full.analyze(text, ["PHONE_NUMBER"])}
        seen += bool(expected)
        assert {(r.start, r.end) for r in windowed.analyze(text, ["PHONE_NUMBER"])} == expected, text
    assert seen > 25


def test_stdlib_patterns_find_what_presidio_finds():
    """Recognizers whose patterns run with ``re`` give presidio's own results (spans and scores), on generated text."""
    from presidio_analyzer import PatternRecognizer

    from tasks.detectors.pii_recognizers import StdlibPatterns

    rng = random.Random(3)
    alphabet = string.digits * 5 + " .-()/+xX\u00a0\u2013" + "extnsioETXabc"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(8, 60))) for _ in range(300)]
    texts += [f"call {''.join(str(rng.randrange(10)) if c == '#' else c for c in rng.choice(PHONE_SHAPES))} now"
              for _ in range(200)] + [t for _, t, _ in STRUCTURED]
    recognizers = [r for r in structured_recognizers(offline_tld_extract(), ("US",)) if isinstance(r, StdlibPatterns)]
    assert len(recognizers) >= 4
    for rec in recognizers:
        for text in texts:
            mine = {(r.start, r.end, r.score) for r in StdlibPatterns.analyze(rec, text, rec.supported_entities)}
            assert mine == {(r.start, r.end, r.score) for r in PatternRecognizer.analyze(
                rec, text, rec.supported_entities)}, (type(rec).__name__, text)


def test_prescreens_never_hide_a_match():
    """Fuzz: whenever a recognizer (run without its pre-screen) matches, its pre-screen passes."""
    rng = random.Random(5)
    alphabet = string.digits * 4 + ".-: ()+@xX/" + "abcdefABCDEF" + "\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(10, 80))) for _ in range(600)]
    texts += [t for _, t, _ in STRUCTURED] + [t for t, _ in SECRETS]
    recognizers = structured_recognizers(offline_tld_extract(), ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"))
    recognizers += [cls() for cls in SECRET_RECOGNIZERS]
    checked = 0
    from tasks.detectors.pii_recognizers import TextViews

    texts += ["tel\u2011555\u2012019\u301c4 and +49 30 901820", "  1.2.3.4 x 12\u00a034 (56) 7890 1234 5678 9012",
              "::1 and fe80::1ff:fe23:4567:890a", "bc1" + "q" * 30, "1" + "A" * 30 + " 3" + "z" * 26]
    texts += [f"  {t}\t{t.upper()}\n({t.lower()})" for t, _ in SECRETS]  # secrets among spaces, in any case
    texts += ["PASSWD = hunter22;", "pwd:'x'", "'pass' : 'abcd1234'", "Password=\u2003s3cr3t!", "pass word = no",
              "iban de\u212a9 3704 0044 0532 0130 00", "ſſn 123 45 6789", "123-456789 and 12345-6789"]
    for rec in recognizers:  # the cheaper views give every recognizer's own answer (long tokens: see below)
        if getattr(rec, "VIEW", "") != "long_tokens":
            assert [rec.may_match_views(TextViews(t)) for t in texts] == [rec.may_match(t) for t in texts]
    for rec in recognizers:
        parent = next(c for c in type(rec).__mro__[1:] if "analyze" in c.__dict__ and c.__module__.startswith(
            "presidio_analyzer"))
        for text in texts:
            if parent.analyze(rec, text, rec.supported_entities):
                checked += 1
                assert rec.may_match(text), (type(rec).__name__, text)
                assert rec.may_match_views(TextViews(text)), (type(rec).__name__, text)
    assert checked > 80


def test_long_token_prescreens_only_screen_long_tokens():
    """A recognizer screened on ``TextViews.long_tokens`` has only patterns of >= LONG_TOKEN non-space characters."""
    import re._parser as sre_parse

    from tasks.detectors.pii_recognizers import LONG_TOKEN

    recognizers = structured_recognizers(offline_tld_extract(), ("US",)) + [cls() for cls in SECRET_RECOGNIZERS]
    screened = [r for r in recognizers if getattr(r, "VIEW", "") == "long_tokens" or type(r).__name__ ==
                "SieveCryptoRecognizer"]
    assert len(screened) >= 10
    for rec in screened:
        for pattern in rec.patterns:
            assert sre_parse.parse(pattern.regex).getwidth()[0] >= LONG_TOKEN, pattern.name
            # nothing that can match whitespace: no unescaped dot or space, no \s \S \W or negated class
            assert not re.search(r"(?<!\\)[. ]|\\[sSW]|\[\^", pattern.regex), pattern.name


CONTEXT_TEXTS = [
    "Phone: 2962190362, ask at the desk.", "Order id 2962190362 shipped.", "For the front desk, call 555-0143.",
    "Kind regards, Marta", "My name is Torvald Brekkeflaten and my iban is " + IBAN.lower() + ".",
    "tel 48/219 9351 or\n\nfax  (08) 9876 5432; card " + VISA + " expires", "555-0143 at the very start",
]


@pytest.mark.parametrize("profile", ["patterns", "ner"])
def test_indexed_context_enhancer_scores_like_presidios(profile, patterns, ner):
    """Same results and scores with presidio's own ``LemmaContextAwareEnhancer`` on the same artifacts."""
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    analyzer = patterns if profile == "patterns" else ner
    ours = [sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in rs)
            for rs in analyzer.analyze(CONTEXT_TEXTS)]
    fast, analyzer.engine.context_aware_enhancer = analyzer.engine.context_aware_enhancer, LemmaContextAwareEnhancer()
    try:
        theirs = [sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in rs)
                  for rs in analyzer.analyze(CONTEXT_TEXTS)]
    finally:
        analyzer.engine.context_aware_enhancer = fast
    assert ours == theirs
    assert any(score > 0.5 for rs in ours for *_, score in rs if score not in (0.85,))  # some were lifted

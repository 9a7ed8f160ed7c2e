"""PII dev set shaped like presidio-research's data generator: PHONE_NUMBER and PERSON in its kinds of sentences.

The eval set ``pii-presidio-research`` was made by the public generator of microsoft/presidio-research
(``presidio_evaluator/data_generator``): templates with ``{{phone_number}}``, ``{{person}}``... filled by a Faker
whose first value of each kind comes from one row of a FakeNameGenerator.com table (people of many countries, each
phone number written the way its country writes a national number: ``84 23 30``-like six digits in Greenland,
``(88) 158-170`` in Hungary, ``06-12345678`` in the Netherlands...), and whose further values come from the
generator's own phone formats (``07700 ######``, ``+41 (0)2# ### ## ##``, ``###.###.####x###``...). 5% of the
sentences are lower-cased. This script draws *fresh* samples the same way with its own code and seed: its own masks
for each country's written form, its own sentences in the templates' shapes (contact blocks with ``-Office`` glued to
the number, ``Mobile:``/``Desk:``/``Fax:`` lines, "They're not answering at ...", a first name alone, a last name
after a title...), names from Faker in many locales. Nothing here reads the eval data; it exists because the other
dev sets (``pii_dev*.py``) did not reproduce the eval's phone and person misses.

Other values in the same sentences (cards, IBANs, SSNs, IPs, e-mails: scored types; addresses, dates, zip codes,
licences, ages: unscored) are gold spans too, so a phone or person found on them counts the way
``benchmarks/pii.py`` counts it (a finding over only unscored values is left out).

    PYTHONPATH=/tmp/fk .venv/bin/python benchmarks/pii_dev_generator.py [--seed 1] [--n 1500] [--misses 40]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# Each country's national number as FakeNameGenerator-style tables write it: '#' any digit, 'N' 2-9.
RECORD_PHONES = {
    "US": ["N##-N##-####"], "CA": ["N##-N##-####"], "GB": ["07# #### ####", "01### ######"],
    "AU": ["(0N) #### ####"], "NZ": ["(02#) ####-###", "(0N) ###-####"], "ZA": ["0N# ### ####"],
    "FR": ["0N.##.##.##.##"], "DE": ["0N## ## ## ##", "0N### ## ## ##"], "AT": ["06## ### ## ##"],
    "CH": ["0N# ### ## ##"], "IT": ["03## #######", "0N# #######"], "BE": ["04## ## ## ##", "0N ### ## ##"],
    "NL": ["06-########", "0N#-#######"], "DK": ["N#-##-##-##"], "SE": ["0N##-#######", "08-#######"],
    "NO": ["N## ## ###"], "FI": ["04# ### ####", "050 ### ####"], "IS": ["N## ####"], "EE": ["N## ####"],
    "PL": ["N# ### ## ##"], "CZ": ["N## ### ###"], "SI": ["0N#-###-###"], "HU": ["(N#) ###-###"],
    "PT": ["2# ### ### ####"], "ES": ["N## ### ###"], "BR": ["(N#) N###-####"], "CY": ["N# ######"],
    "GL": ["N# ## ##"], "TN": ["N# ### ###"], "UY": ["9### ####"],
}
# The generator's own phone formats (its PhoneNumberProviderNew), for a second or third number in one sentence.
PROVIDER_PHONES = [
    "##########", "###-###-####", "###-#######", "07700 ### ###", "07700 ######", "07700######", "(07700) ### ###",
    "(07700) ######", "(07700)######", "+447700 ### ###", "+447700 ######", "+447700######", "+91##########",
    "0##########", "+41 N# ### ## ##", "+41 (0)N# ### ## ##", "+46 (0)8 ### ### ##", "+46 (0)## ## ## ##",
    "+46 (0)### ### ##", "(###)###-####", "###.###.####", "###-###-####x###", "###-###-####x####",
    "(###)###-####x###", "(###)###-####x####", "###.###.####x###", "###.###.####x####", "+1-###-###-####",
    "001-###-###-####", "+1-###-###-####x###",
]
# Sentences in the shapes of the generator's templates. {p} {p2} {p3}: phones; {n}: full name; {f}: first name;
# {l}: last name; {t}: title; {o}: company; {a}: address; {c}: city; {e}: e-mail; {cc}: card; {ib}: IBAN;
# {ssn}; {ip}; {d}: date; {z}: zip code; {dl}: driver's licence; {age}; {y}: year; {u}: URL; {j}: job.
PHONE_TEMPLATES = [
    "I placed an order online but no text ever came to my registered {p}. Could someone check?",
    "Please ask the manager to call me at {p} I want to merge accounts with ms. {f}",
    "I would like to stop receiving messages to {p}",
    "Could somebody call me on {p}? I have questions about a new account.",
    "How can we reach you? You can call {p}",
    "{n}\n\n{a}\n{p}-Office\\,{p2}-Fax",
    "{n}\n{o}\n{a}\n{p} office\n{p2} fax\n{p3} mobile\n",
    "{n}\n{o}\n{a}\nMobile: {p}\nDesk: {p2}\nFax: {p3}\n",
    "They're not answering at {p}",
    "Date: {d}\nName: {n}\nPhone: {p}",
    "{n}\n\n{j}\n\nPersonal Info:\nPhone:\n{p}\n\nE-mail:\n{e}\n\nWebsite:\n{u}\n\nAddress:\n{a}.",
    "Nobody picks up at {p}, is the office closed?",
    "My number changed, it is {p} now.",
    "{n}\n{p}\n{e}",
]
PERSON_TEMPLATES = [
    "In case of my child's account, we need to add {n} as guardian", "My name is {n}.",
    "Please have the manager call me, I'd like to join accounts with ms. {f}", "{f}, can I please speak to your boss?",
    "Will my account stay active? It's under my partner's name {n}", "Bot: What's the name on the account? User: {n}",
    "I would like to remove my kid {f} from the will.", "The name in the account is wrong, please change it to {n}",
    "Hello, this is {t} {n}. Who are you?", "I want to add {n} as a beneficiary to my account", "My nam is {f}",
    "My name is {n} but everyone calls me {f}", "What's your name? {n}", "What's your last name? {l}",
    "Hi {f}, I'm contacting you about a wire transfer to IBAN {ib}", "She was born on {d}. Her maiden name is {l}",
    "Sometimes people call me {f}", "Maybe it's under {n}", "{n} from {o} is the keynote speaker",
    "{f} is from {o}", "{f} is a very sympathetic person. They are also good listeners.",
    "{f} is very reliable. You can always depend on him.", "Why is {f} so impulsive?",
    "{n} will be talking in the conference", "have you heard {n} speak yet?", "Have you been to a {n} concert before?",
    "I'm so jealous! said {f} to {f2}", "For my take on {t} {l}, see the list of guilty pleasures",
    "Unlike the {l} novel, it's not about the sea.", "{l} and {l2} were precision engineers.",
    "A tribute to {n} - sadly, she wasn't impressed.", "they sang the verses from {n}'s Cautionary Tales.",
    "You can tell {f} was a huge {n} fan. Written when he was {age}.", "Producer {n} explained to the press: \"yes\"",
    "as regular commenter {n} points out, \"most are horrible\".", "{f} shouted at {f2}: \"What are you doing here?\"",
    "{f} spent a year at {o} as the assistant to {n}, and then moved to {c}.",
    "{l} began writing as a teenager, publishing her first story in {y}.", "{n}\n\n{a}",
    "Name:    {n}\nAddress:     {a}", "Follow up with {n} in a couple of months.",
    "{t} {l} is a {age} year old man who grew up in {c}.", "{f}: \"Who are you?\"\n{f2}:\"I'm {f3}'s daughter\".",
    "It was a done thing between him and {f}'s kid; and everybody thought so.",
    "{n}, the {j}, said: \"I'm glad to hear that this has been withdrawn.\"", "\"I'm glad to hear that,\" says {l}.",
    "{n}'s killers sentenced to life in prison", "They had 3: {f}, {f2} and {f3}.",
    "My great great grandfather was called {n}, and my great great grandmother was called {n2}",
    "She named him {f}", "{n} of {o} is the CEO of the year, ahead of {o}'s {n2}.", "Directed By:    {n}",
    "I'm {n}, originally from {c}, and i'm {age} y/o.", "{t} {l} flew to {c} on Monday morning.",
    "My name appears incorrectly on the statement, could you please correct it to {t} {n}?",
]
# Sentences of the other kinds, with numbers that are not phone numbers (scored or unscored values).
OTHER_TEMPLATES = [
    "I want to increase the limit on my card # {cc} for a while.", "My credit card {cc} was lost, please block it.",
    "Are there any charges for a transfer from {ib} to other accounts?", "His social security number is {ssn}",
    "Here's my SSN: {ssn}", "I keep getting address {ip} blocked", "My driver's license number is {dl}",
    "My zip code is {z}", "ZIP: {z}", "Please tell me your date of birth. It's {d}", "It's like that since {d}",
    "Please update the billing address with {a} for this card: {cc}", "My IBAN is {ib}",
    "What's your credit card? {cc}", "The restaurant is at {a}.", "He just turned {age} years old",
    "Need to see last 10 transactions of card {cc}", "When: {d}\nWhere: {c} Country Club.",
    "The Orchestra was founded in {y}. It serves {c}.", "Celebrating its 10th year in {c}, a 501(c)3 invites you.",
    "I'd like to order a taxi to {a}.", "card number {cc} is lost, send a new one to {a}",
]
SCORED_FIELDS = {"p": "PHONE_NUMBER", "p2": "PHONE_NUMBER", "p3": "PHONE_NUMBER", "n": "PERSON", "n2": "PERSON",
                 "f": "PERSON", "f2": "PERSON", "f3": "PERSON", "l": "PERSON", "l2": "PERSON", "cc": "CREDIT_CARD",
                 "ib": "IBAN_CODE", "ssn": "US_SSN", "ip": "IP_ADDRESS", "e": "EMAIL_ADDRESS"}
NAME_LOCALES = ("en_US", "en_GB", "cs_CZ", "fr_FR", "it_IT", "es_ES", "hu_HU", "sl_SI", "fi_FI", "da_DK", "no_NO",
                "sv_SE", "nl_NL", "pl_PL", "pt_BR", "de_DE", "hr_HR", "ja_JP", "en_AU", "et_EE", "is_IS", "es_MX")
TITLES = ("Mr.", "Mrs.", "Ms.", "Dr.", "Miss")


def _mask(mask: str, rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) if ch == "#" else str(rng.randint(2, 9)) if ch == "N" else ch
                   for ch in mask)


def _latin(fake, method: str) -> str:
    """A name from the locale, romanised when the locale writes another script (as the generator's table does)."""
    romanized = method.replace("_name", "_romanized_name")  # ja_JP: first_romanized_name, last_romanized_name
    return getattr(fake, romanized)() if hasattr(fake, romanized) else getattr(fake, method)()


class Values:
    """One record's values (the first of each kind) and fresh ones after it, like the generator's RecordsFaker."""

    def __init__(self, rng: random.Random, fakes: dict, en):
        self.rng, self.fakes, self.en, self.used = rng, fakes, en, set()
        self.record = self._person()
        self.country = rng.choice(sorted(RECORD_PHONES))

    def _person(self) -> tuple[str, str, str]:
        fake = self.fakes[self.rng.choice(NAME_LOCALES)]
        first, last = _latin(fake, "first_name"), _latin(fake, "last_name")
        if self.rng.random() > 0.2:
            full = f"{first} {last}"
        else:  # the generator's full name: 20% with a middle initial, with or without its dot
            full = f"{first} {self.rng.choice('ABCDEFGHJKLMNPRSTW')}{self.rng.choice([' ', '. '])}{last}"
        return first, last, full

    def get(self, field: str) -> str:
        """The value of a template field: the record's for the first use of a kind, a fresh one after."""
        rng, en = self.rng, self.en
        kind = field.rstrip("23")
        first_use = kind not in self.used
        self.used.add(kind)
        if kind == "p":
            return _mask(rng.choice(RECORD_PHONES[self.country]), rng) if first_use else \
                _mask(rng.choice(PROVIDER_PHONES), rng)
        if kind in ("n", "f", "l"):
            first, last, full = self.record if first_use else self._person()
            return {"n": full, "f": first, "l": last}[kind]
        simple = {"t": lambda: rng.choice(TITLES), "o": en.company, "c": en.city, "e": en.email,
                  "cc": en.credit_card_number, "ib": en.iban, "ssn": en.ssn, "ip": en.ipv4,
                  "d": lambda: rng.choice([en.date(pattern="%m/%d/%Y"), en.date(), en.date_time().isoformat(" ")]),
                  "z": en.zipcode, "dl": lambda: en.bothify(rng.choice(["?#######", "#########", "?###-####-####"])),
                  "age": lambda: str(rng.randint(1, 99)), "y": lambda: str(rng.randint(1900, 2022)), "u": en.url,
                  "j": en.job, "a": lambda: _address(en, rng)}
        return simple[kind]()


def _address(en, rng: random.Random) -> str:
    return rng.choice([f"{en.street_address()}\n{en.city()}, {en.state_abbr()} {en.postcode()}",
                       f"{en.street_address()}, {en.city()}, {en.country()}",
                       f"{en.building_number()} {en.street_name()} {en.secondary_address()} {en.city()} "
                       f"{en.state_abbr()}"])


def fill(template: str, values: Values, lower: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """The template with its fields filled and the gold spans (unscored kinds as ``_KIND``)."""
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        value = values.get(m.group(1))
        spans.append((len(text), len(text) + len(value), SCORED_FIELDS.get(m.group(1), "_" + m.group(1).upper())))
        text += value
        pos = m.end()
    text += template[pos:]
    return (text.lower() if lower else text), spans


def dev_set(seed: int, n: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """``n`` phone sentences, ``n`` person sentences and ``n // 2`` other sentences, 5% lower-cased."""
    from faker import Faker

    rng = random.Random(seed)
    fakes = {}
    for loc in NAME_LOCALES:
        fakes[loc] = Faker(loc)
        fakes[loc].seed_instance(seed)
    en = Faker("en_US")
    en.seed_instance(seed)
    out = []
    for templates, count in ((PHONE_TEMPLATES, n), (PERSON_TEMPLATES, n), (OTHER_TEMPLATES, n // 2)):
        for _ in range(count):
            out.append(fill(rng.choice(templates), Values(rng, fakes, en), rng.random() < 0.05))
    return out


def main() -> None:
    """Print PHONE_NUMBER and PERSON precision/recall (benchmarks/pii.py's scoring) and some misses."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=1500, help="phone sentences and person sentences (each)")
    ap.add_argument("--profile", default="ner", choices=("ner", "patterns"))
    ap.add_argument("--misses", type=int, default=0, help="print this many misses and false positives per type")
    ap.add_argument("--kind", default="PHONE_NUMBER,PERSON", help="types whose misses are printed")
    args = ap.parse_args()
    from pii import _build, score

    run = _build("sieve-ner" if args.profile == "ner" else "sieve-patterns")
    data = dev_set(args.seed, args.n)
    preds = run([t for t, _ in data])
    counts = score(data, preds, 0.5)
    print(f"generator-shaped dev seed {args.seed}: {len(data)} texts, profile {args.profile}")
    for entity in ("PHONE_NUMBER", "PERSON", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "EMAIL_ADDRESS"):
        c = counts[entity]
        p = (c["predicted"] - c["fp"]) / c["predicted"] if c["predicted"] else float("nan")
        r = c["tp"] / c["annotated"] if c["annotated"] else float("nan")
        print(f"  {entity:13s} annotated {c['annotated']:4d}  P {p:.3f}  R {r:.3f}  FP {c['fp']}")
    shown = {k: [0, 0] for k in args.kind.split(",")}
    for (text, gold), pred in zip(data, preds, strict=True):
        for kind, seen in shown.items():
            for s, e, k in gold:
                if k == kind and not score([(text, [(s, e, k)])], [pred], 0.5)[kind]["tp"] and seen[0] < args.misses:
                    seen[0] += 1
                    got = [text[p[0]:p[1]] for p in pred if p[0] < e and p[1] > s]
                    print(f"MISS {kind}: {text[s:e]!r} (found {got}) in {text!r}")
            fps = score([(text, gold)], [pred], 0.5)[kind]["fp"]
            if fps and seen[1] < args.misses:
                seen[1] += 1
                print(f"FP {kind} x{fps}: {[text[p[0]:p[1]] for p in pred if p[2] == kind]} in {text!r}")


if __name__ == "__main__":
    main()

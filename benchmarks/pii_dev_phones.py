"""Phone dev set from libphonenumber's own metadata: every region and number type, in every written form.

``pii_dev.py`` draws numbers from Faker's format lists; this set is independent of them. For every region
libphonenumber supports and every number type it has an example for (fixed line, mobile, toll free, VoIP...), a
valid number is drawn (the example with its last digits changed at random until libphonenumber still calls it
valid), written as libphonenumber formats it (NATIONAL, INTERNATIONAL, E164, RFC3966, out of country from the US)
and in the separator variants people type (dots, dashes, spaces, the area code in parentheses, ``+1-``, a leading
``1 ``, ``001-``, no separators, an extension), then put in a sentence: after a phone word, without one, opening
the sentence, closing it, in parentheses, before punctuation. Near misses with no phone number (dates, versions,
prices, order numbers, ISBNs, year ranges, IP addresses, times, coordinates, amounts) count false positives.

Each gold span is the number as written (RFC3966's ``tel:`` and an ``ext.`` suffix included). Regions are
grouped: ``nanp`` (country code 1), ``configured`` (the stage's default ``phone_regions``), ``other``.

    .venv/bin/python benchmarks/pii_dev_phones.py [--seed 1] [--n 3000] [--profile patterns] [--misses 40]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CONFIGURED = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")  # PiiConfig.phone_regions' default
TYPES = ("FIXED_LINE", "MOBILE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER",
         "UAN", "VOICEMAIL")
WITH_WORD = ["Call me at {p}.", "Tel: {p}", "Phone: {p}", "Mobile: {p}", "my cell is {p}", "Fax {p}",
             "You can reach us on {p} during office hours.", "phone {p}, email below", "Contact number: {p}",
             "please ring {p} tomorrow", "Telephone ({p})", "WhatsApp me at {p}!", "call {p}; ask for Sam"]
WITHOUT_WORD = ["{p}", "{p} is the number to use.", "It's {p}.", "Questions: {p}", "Sam ({p}) will help.",
                "Booked it, {p}, see you then", "Our number changed to {p} last week.", "- {p}\n- next item",
                "{p} - after 6pm only", "got it: {p}?", "Office\n{p}\nOpen Mon-Fri"]
NEGATIVES = [
    "Order 48392017 shipped on 2021-03-04.", "Version 10.2.3 fixes the crash.", "Released 2019-12-31 at 23:59.",
    "The meeting is on 12/03/2024 at 10:30.", "born 04.07.1976 in Lyon", "ISBN 978-3-16-148410-0",
    "ISBN 0-306-40615-2", "Prices from $1,299.99 to $2,499.00.", "Total: EUR 12.345,67",
    "Between 1914-1918 and 1939-1945", "the 1990-2005 period", "Server at 192.168.100.254 is down.",
    "ping 10.0.0.1", "Coordinates 48.8566, 2.3522",
    "Invoice no. 2023-000145 due.", "Order #100-2345678-1234567", "Tracking 1Z 999 AA1 01 2345 6784",
    "Population 1,234,567 (2011)", "pages 345-367 and 401-422", "Build 22621.1702 (64-bit)", "v2.14.1-rc3",
    "Patent US 7,654,321 B2", "Case No. 2:19-cv-01234", "Scores 98 87 76 65 54", "ratio 1:250000",
    "Serial number 1234-5678-9012", "Room 1204-1206, floor 12", "DOI 10.1000/182", "ISSN 0317-8471",
    "SKU 4006381333931", "At 3.30pm on 5.6.2021 we left.", "2021/22 season: 12-3-4 record",
    "Amount 4 500 000 tonnes in 2019", "Account 00123 4567 8901", "ZIP 90210-1234", "lat 40.7128 lon -74.0060",
    "Checksum 3f2a 9c11 0042", "From 08:00-17:30 daily", "The 2008-09 crisis", "Flight LH400, seat 14C, gate 22",
]


def _vary(number, rng: random.Random):
    """The number with some of its last digits changed, if libphonenumber still calls it valid (else as is)."""
    import phonenumbers

    national = str(number.national_number)
    for _ in range(20):
        k = rng.randint(2, min(5, len(national) - 1))
        digits = national[:-k] + "".join(rng.choice("0123456789") for _ in range(k))
        candidate = phonenumbers.PhoneNumber(country_code=number.country_code, national_number=int(digits),
                                             italian_leading_zero=number.italian_leading_zero)
        if phonenumbers.is_valid_number(candidate):
            return candidate
    return number


def written_forms(number, rng: random.Random) -> dict[str, str]:
    """Form name -> the number written that way (libphonenumber's formats and typed separator variants)."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat as F

    national = phonenumbers.format_number(number, F.NATIONAL)
    intl = phonenumbers.format_number(number, F.INTERNATIONAL)
    forms = {"national": national, "international": intl, "e164": phonenumbers.format_number(number, F.E164),
             "rfc3966": phonenumbers.format_number(number, F.RFC3966),
             "from_us": phonenumbers.format_out_of_country_calling_number(number, "US")}
    forms["intl_dots"] = re.sub(r"(?<=\d)[ \-](?=\d)", ".", intl)
    forms["intl_dashes"] = "+" + re.sub(r"[ \-]+", "-", intl[1:])
    forms["national_digits"] = re.sub(r"\D", "", national) if national.strip()[:1].isdigit() or \
        national.startswith("(") else national
    forms["national_dots"] = re.sub(r"\)?[ \-]\(?|\(|\)", ".", national).strip(".")
    cc = number.country_code
    nsn = phonenumbers.national_significant_number(number)
    forms["intl_zero"] = f"+{cc} (0){intl[len(str(cc)) + 2:]}" if national.startswith("0") else intl
    forms["ext"] = f"{national} {rng.choice(('ext.', 'x', 'ext', 'Ext.'))} {rng.randint(2, 9999)}"
    if cc == 1 and len(nsn) == 10:
        a, b, c = nsn[:3], nsn[3:6], nsn[6:]
        forms.update({"nanp_dots": f"{a}.{b}.{c}", "nanp_dashes": f"{a}-{b}-{c}", "nanp_plus1": f"+1-{a}-{b}-{c}",
                      "nanp_lead1": f"1 {a} {b} {c}", "nanp_1dash": f"1-{a}-{b}-{c}", "nanp_001": f"001-{a}-{b}-{c}",
                      "nanp_paren_plus": f"+1 ({a}) {b}-{c}", "nanp_x": f"{a}-{b}-{c}x{rng.randint(2, 99999)}",
                      "nanp_spaces": f"{a} {b} {c}", "nanp_paren_dots": f"({a}) {b}.{c}",
                      "nanp_plus1_dots": f"+1.{a}.{b}.{c}", "nanp_bare": f"{a}{b}{c}",
                      "nanp_paren_dash": f"({a})-{b}-{c}", "nanp_paren_tight": f"({a}){b}-{c}",
                      "nanp_plus1_paren_dash": f"+1-({a})-{b}-{c}", "nanp_slash": f"{a}/{b}-{c}",
                      "nanp_space_dash": f"{a} {b}-{c}", "nanp_paren_cc": f"(+1) {a} {b} {c}",
                      "nanp_lead1_dots": f"1.{a}.{b}.{c}", "nanp_split7": f"{a}-{b}{c}",
                      # unassigned area codes (0xx, 1xx) as random digits in documents have them
                      "nanp_unassigned": f"({rng.choice('01')}{a[1:]}) {b}-{c}"})
    groups = re.findall(r"\d+", intl)[1:]
    if len(groups) >= 2:
        forms["intl_paren_area"] = f"+{cc} ({groups[0]}) {' '.join(groups[1:])}"
        forms["intl_00"] = f"00{cc} {' '.join(groups)}"
        forms["intl_paren_cc"] = f"(+{cc}) {' '.join(groups)}"
    if national.startswith("0") and len(groups) >= 2:
        forms["national_paren_dash"] = f"(0{groups[0]})-{'-'.join(groups[1:])}"
    return forms


def phone_items(seed: int) -> list[dict]:
    """Every (region, type, form) with a drawn number: one dict per item (text-less)."""
    import phonenumbers

    rng = random.Random(seed)
    items = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        group = "nanp" if phonenumbers.country_code_for_region(region) == 1 else (
            "configured" if region in CONFIGURED else "other")
        for type_name in TYPES:
            example = phonenumbers.example_number_for_type(region, getattr(phonenumbers.PhoneNumberType, type_name))
            if example is None:
                continue
            for form, value in written_forms(_vary(example, rng), rng).items():
                items.append({"region": region, "group": group, "type": type_name, "form": form, "value": value})
    return items


def dev_set(seed: int, n: int) -> tuple[list[tuple[str, list[tuple[int, int, str]]]], list[dict]]:
    """``n`` phone sentences sampled over every item (NANP and configured regions weighted up), then negatives."""
    rng = random.Random(seed)
    items = phone_items(seed)
    weights = [4 if i["group"] != "other" else 1 for i in items]
    chosen = rng.choices(items, weights=weights, k=n)
    data, meta = [], []
    for k, item in enumerate(chosen):
        word = k % 2 == 0
        template = rng.choice(WITH_WORD if word else WITHOUT_WORD)
        start = template.index("{p}")
        text = template.replace("{p}", item["value"])
        data.append((text, [(start, start + len(item["value"]), "PHONE_NUMBER")]))
        meta.append({**item, "word": word})
    data += [(t, []) for t in NEGATIVES]
    meta += [{"group": "negative"} for _ in NEGATIVES]
    return data, meta


def main() -> None:
    """Print recall by region group, form and phone word; false positives on the negatives."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--profile", default="patterns", choices=("ner", "patterns"))
    ap.add_argument("--misses", type=int, default=0, help="print this many misses (and every false positive)")
    ap.add_argument("--group", help="only misses of this region group")
    args = ap.parse_args()
    from pii import _build, score

    run = _build("sieve-ner" if args.profile == "ner" else "sieve-patterns")
    data, meta = dev_set(args.seed, args.n)
    preds = run([t for t, _ in data])
    by: dict[str, Counter] = defaultdict(Counter)
    misses = []
    for (text, gold), pred, m in zip(data, preds, meta, strict=True):
        if not gold:
            continue
        hit = score([(text, gold)], [pred], 0.5)["PHONE_NUMBER"]["tp"]
        for key in (f"group {m['group']}", f"form {m['form']}", f"word {m['word']}",
                    f"{m['group']} x {'word' if m['word'] else 'no word'}"):
            by[key]["n"] += 1
            by[key]["tp"] += hit
        if not hit and (args.group is None or m["group"] == args.group):
            misses.append((m["region"], m["type"], m["form"], text, [text[s:e] for s, e, t in pred
                                                                     if t == "PHONE_NUMBER"]))
    c = score(data, preds, 0.5)["PHONE_NUMBER"]
    p = (c["predicted"] - c["fp"]) / c["predicted"] if c["predicted"] else float("nan")
    print(f"phone dev seed {args.seed}, profile {args.profile}: {len(data)} texts; PHONE_NUMBER annotated "
          f"{c['annotated']} P {p:.3f} R {c['tp'] / c['annotated']:.3f} FP {c['fp']}")
    for key in sorted(by):
        print(f"  {key:28s} n {by[key]['n']:5d}  R {by[key]['tp'] / by[key]['n']:.3f}")
    neg = [(text, [text[s:e] for s, e, t in pred if t == "PHONE_NUMBER"])
           for (text, gold), pred in zip(data, preds, strict=True) if not gold]
    print(f"  negatives: {sum(1 for _, f in neg if f)} of {len(NEGATIVES)} with a PHONE_NUMBER finding")
    if args.misses:
        for t, found in neg:
            if found:
                print(f"FP {found} in {t!r}")
        for row in misses[:args.misses]:
            print("MISS", row)


if __name__ == "__main__":
    main()

"""Shared pieces of the PII tests: seeded made-up secret values, a result filter and the recognizer tables.

Import it as ``from tests.pii_helpers import ...`` (a helper module, not a test file). Every secret-looking value is
generated here at run time from a seeded RNG: no real or published key is in the repo. The values are drawn in one
fixed order when the module is first imported, so every test module sees the same ones.
"""

from __future__ import annotations

import base64
import random
import string

from tasks.detectors.pii_engine import PiiAnalyzer

RNG = random.Random(20261127)
ALNUM = string.ascii_letters + string.digits


def rand(chars: str, n: int) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


def luhn(prefix: str) -> str:
    """``prefix`` + the Luhn check digit."""
    digits = [int(d) for d in prefix][::-1]
    total = sum(d if i % 2 else sum(divmod(2 * d, 10)) for i, d in enumerate(digits))
    return prefix + str((10 - total % 10) % 10)


def iban(country: str, bban: str) -> str:
    """A valid IBAN (ISO 7064 mod 97-10 check digits) for a made-up account."""
    as_number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - as_number % 97:02d}{bban}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


VISA = luhn("4556" + rand(string.digits, 11))
MC2 = luhn("2221" + rand(string.digits, 11))
JCB = luhn("2131" + rand(string.digits, 10))
VISA19 = luhn("4" + rand(string.digits, 17))
BAD_CARD = VISA[:-1] + str((int(VISA[-1]) + 1) % 10)
IBAN = iban("DE", "37040044" + rand(string.digits, 10))
BAD_IBAN = IBAN[:2] + f"{(int(IBAN[2:4]) + 1) % 100:02d}" + IBAN[4:]
AWS = "AKIA" + rand(string.ascii_uppercase + string.digits, 16)
GITHUB = "ghp_" + rand(ALNUM, 36)
GITLAB = "glpat-" + rand(ALNUM, 20)
SLACK = f"xoxb-{rand(string.digits, 11)}-{rand(string.digits, 12)}-{rand(ALNUM, 24)}"
STRIPE = "sk_live_" + rand(ALNUM, 24)
OPENAI = "sk-proj-" + rand(ALNUM, 24) + "T3BlbkFJ" + rand(ALNUM, 24)
GCP = "AIza" + rand(ALNUM, 35)
PEM_BODY = "\n".join(rand(string.ascii_letters + string.digits + "+/", 64) for _ in range(4))
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"
JWT = ".".join([b64url(b'{"alg":"HS256","typ":"JWT"}'), b64url(b'{"sub":"4417","name":"x"}'), rand(ALNUM, 43)])
DB_PASSWORD = rand(ALNUM, 6) + "#" + rand(ALNUM, 5)


def found(analyzer: PiiAnalyzer, text: str, family: str) -> set[tuple[str, str]]:
    """(entity, matched text) of results whose entity starts with ``family``."""
    return {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type.startswith(family)}


STRUCTURED = [
    # (family, text, expected (entity, value) pairs)
    ("EMAIL", "Write to dana.kowalczyk@example.co.uk before Friday.",
     {("EMAIL_ADDRESS", "dana.kowalczyk@example.co.uk")}),
    ("EMAIL", "Mail ops+alerts@sub.example.org, thanks", {("EMAIL_ADDRESS", "ops+alerts@sub.example.org")}),
    ("EMAIL", "The handle @example and a@b.notatld are not addresses.", set()),
    ("PHONE", "Call me on (212) 555-0143 tonight.", {("PHONE_NUMBER", "(212) 555-0143")}),
    ("PHONE", "Desk: 296-219-0362x363, ask for Lee.", {("PHONE_NUMBER", "296-219-0362x363")}),
    ("PHONE", "From abroad dial 001-296-219-0362 instead.", {("PHONE_NUMBER", "001-296-219-0362")}),
    ("PHONE", "Mobile +1-296-219-0362 works too.", {("PHONE_NUMBER", "+1-296-219-0362")}),
    ("PHONE", "The London office is on +44 20 7946 0958.", {("PHONE_NUMBER", "+44 20 7946 0958")}),
    ("PHONE", "We sold 1200 units in 2019 and 1350 in 2020.", set()),
    ("PHONE", "My mobile number is 2962190362.", {("PHONE_NUMBER", "2962190362")}),
    ("PHONE", "Order id 2962190362 shipped on Monday.", set()),
    ("PHONE", "Ring the Perth desk on (08) 9876 5432 before noon.", {("PHONE_NUMBER", "(08) 9876 5432")}),
    ("PHONE", "Written without spaces: +44292018808, still a number.", {("PHONE_NUMBER", "+44292018808")}),
    ("PHONE", "Budapest office phone: 48/219 9351 until May.", {("PHONE_NUMBER", "48/219 9351")}),
    ("PHONE", "For the front desk, call 555-0143.", {("PHONE_NUMBER", "555-0143")}),
    ("PHONE", "The 555-0143 code and the dig of 1895-1897 are not numbers to call.", set()),
    ("PHONE", "Filed on 26.04.2011 in Bonn, amended 2011-04-26.", set()),
    # written shapes libphonenumber refuses (other countries' formats, a digit too many, "24/7" after the number)
    ("PHONE", "Tel. 0316/34441086 (office)", {("PHONE_NUMBER", "0316/34441086")}),
    ("PHONE", "Kontakt: +(370) 37265394 daily", {("PHONE_NUMBER", "+(370) 37265394")}),
    ("PHONE", "Customer service: call 01632 960594 24/7.", {("PHONE_NUMBER", "01632 960594")}),
    ("PHONE", "Office 8 778 210 65 66, ask for Olga.", {("PHONE_NUMBER", "8 778 210 65 66")}),
    ("PHONE", "Reach us at (351) 265 473 140 today.", {("PHONE_NUMBER", "(351) 265 473 140")}),
    ("PHONE", "Phone: 41179307", {("PHONE_NUMBER", "41179307")}),
    ("PHONE", "His cell phone is 17621427265.", {("PHONE_NUMBER", "17621427265")}),
    ("PHONE", "Mobile +54 9 3716 5607 after six.", {("PHONE_NUMBER", "+54 9 3716 5607")}),
    ("PHONE", "China Tel: 86-23-86388888 (front desk)", {("PHONE_NUMBER", "86-23-86388888")}),
    # bare national numbers without a phone word: a trunk 0 and 8-11 digits, ten (or 1 and ten) NANP digits;
    # a phone label opening the line ("T", "M:"); everyday words of contact lines ("booking", "enquiries")
    ("PHONE", "Reservations 01134960123 or online.", {("PHONE_NUMBER", "01134960123")}),
    ("PHONE", "Get in touch: 6938836859", {("PHONE_NUMBER", "6938836859")}),
    ("PHONE", "Dana Kowalczyk | Acme | 16938836859", {("PHONE_NUMBER", "16938836859")}),
    ("PHONE", "T 5832 771902\nE dana@example.com", {("PHONE_NUMBER", "5832 771902")}),
    ("PHONE", "Dana Kowalczyk\nM: 39150008", {("PHONE_NUMBER", "39150008")}),
    ("PHONE", "Booking line 609 141 777, open daily.", {("PHONE_NUMBER", "609 141 777")}),
    ("PHONE", "Enquiries 49622830", {("PHONE_NUMBER", "49622830")}),
    ("PHONE", "Leave a message on 22 83 03 88 and we will call back.", {("PHONE_NUMBER", "22 83 03 88")}),
    ("PHONE", "Front desk: 287623286", {("PHONE_NUMBER", "287623286")}),
    ("PHONE", "Dana Kowalczyk\nAcme Ltd\n920900547\ndana@example.com", {("PHONE_NUMBER", "920900547")}),
    ("PHONE", "Dana Kowalczyk\nAcme Ltd\n920900547\nRiga", set()),  # a number's own line, no e-mail beside it
    ("PHONE", "Dana Kowalczyk\nAcme Ltd, 920900547 staff\ndana@example.com", set()),  # not alone on its line
    # near misses: identifiers, numbers, years, dates and ranges shaped like phone numbers
    ("PHONE", "Invoice no. 2023-000145, due in 30 days.", set()),
    ("PHONE", "Account 00123 4567 8901 is closed.", set()),
    ("PHONE", "PMID: 23331080; tracking 6938836859 arrives Monday.", set()),
    ("PHONE", "Item 0612345678 is back in stock; model 2962190362 too.", set()),
    ("PHONE", "The town grew to 609 141 777 euros of debt.", set()),
    ("PHONE", "T-shirts 1234 567 each\nTotal 00061994936", set()),
    ("PHONE", "ISBN 0-306-40615-2 and ISSN 0317-8471 are identifiers.", set()),
    ("PHONE", "UPC 036000291452 on the barcode, company number 2297344.", set()),
    ("PHONE", "Serial 1234-5678-9012 on the box; rooms 2201 2202 2203.", set()),
    ("PHONE", "About 1 234 567 inhabitants, 12.345.678 in total.", set()),
    ("PHONE", "Scores 98 87 76 65 in 1990 1995 2000 2005.", set()),
    ("PHONE", "It costs $1,299.99 or 1.299.000 Euro.", set()),
    ("PHONE", "Printed 1800-1830; born in 1648; the ships were 350 \u2013 380 miles apart.", set()),
    ("PHONE", "Submitted: 07-30-2008 and 11-23-2013 06:01:50.", set()),
    ("PHONE", "Upgrade to version 10.2.3.4567 or 4.1.2.9 now.", set()),
    ("PHONE", "Her SSN is 372-84-5519, not a phone.", set()),
    ("CREDIT", f"Card number {VISA} expires soon.", {("CREDIT_CARD", VISA)}),
    ("CREDIT", f"Mastercard {MC2[:4]} {MC2[4:8]} {MC2[8:12]} {MC2[12:]} on file.",
     {("CREDIT_CARD", f"{MC2[:4]} {MC2[4:8]} {MC2[8:12]} {MC2[12:]}")}),
    ("CREDIT", f"Card number {BAD_CARD} fails the Luhn check.", set()),
    ("CREDIT", f"JCB {JCB} and a 19-digit {VISA19}.", {("CREDIT_CARD", JCB), ("CREDIT_CARD", VISA19)}),
    ("CREDIT", "Logged at 1732741200123 by the server.", set()),
    ("IBAN", f"Pay to IBAN {IBAN} by Monday.", {("IBAN_CODE", IBAN)}),
    ("IBAN", f"Pay to IBAN {BAD_IBAN} by Monday.", set()),
    ("IBAN", f"lower case iban {IBAN.lower()} is still one", {("IBAN_CODE", IBAN.lower())}),
    ("IP", "The server at 192.168.14.27 stopped answering.", {("IP_ADDRESS", "192.168.14.27")}),
    ("IP", "Reach it over 2001:db8:85a3::8a2e:370:7334 as well.", {("IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334")}),
    ("IP", "Upgrade to version 1.2.3.4 before the release.", set()),
    ("IP", "We ship v10.0.0.1 and build 4.1.2.9 today.", set()),
    ("IP", "The package is 1.2.3.4.5 now.", set()),
    ("US_SSN", "Her SSN is 372-84-5519 per the form.", {("US_SSN", "372-84-5519")}),
    ("US_SSN", "Order 000-12-3456 is not a social security number.", set()),
    ("CRYPTO", "Send it to 0x52908400098527886E0F7030069857D2E4169EE7 please.",
     {("CRYPTO", "0x52908400098527886E0F7030069857D2E4169EE7")}),
    ("CRYPTO", "Burn address 0x0000000000000000000000000000000000000000 is a placeholder.", set()),
]


SECRETS = [
    (f"export AWS_ACCESS_KEY_ID={AWS}", {("SECRET_AWS_ACCESS_KEY", AWS)}),
    ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE (the docs' example)", set()),
    (f'aws_secret_access_key = "{rand(ALNUM + "/+", 40)}"', None),  # checked by entity only below
    (f"token: {GITHUB}", {("SECRET_GITHUB_TOKEN", GITHUB)}),
    ("token: ghp_" + "x" * 36, set()),
    (f"GITLAB_TOKEN={GITLAB}", {("SECRET_GITLAB_TOKEN", GITLAB)}),
    (f"slack bot {SLACK}", {("SECRET_SLACK_TOKEN", SLACK)}),
    (f"STRIPE_KEY={STRIPE}", {("SECRET_STRIPE_KEY", STRIPE)}),
    (f"OPENAI_API_KEY={OPENAI}", {("SECRET_OPENAI_KEY", OPENAI)}),
    (f"maps key {GCP} in the page", {("SECRET_GCP_API_KEY", GCP)}),
    (f"key:\n{PRIVATE_KEY}\nend", {("SECRET_PRIVATE_KEY", PRIVATE_KEY)}),
    ("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", set()),
    (f"Authorization: Bearer {JWT}", {("SECRET_JWT", JWT)}),
    ("eyJub3QganNvbi4uLg.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2ln", set()),
    (f"DATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal:5432/sales",
     {("SECRET_URL_CREDENTIALS", f"app:{DB_PASSWORD}")}),
    ("see postgres://user:password@localhost/db in the docs", set()),
    ("https://example.com:8080/path is a port, not a password", set()),
    (f"Server=db1;Database=sales;User Id=app;Password={DB_PASSWORD.replace('#', 'q')};",
     {("SECRET_PASSWORD", DB_PASSWORD.replace("#", "q"))}),
    ("Password=${DB_PASSWORD}; read from the environment", set()),
    ("Forgot your password? Reset it from the settings page.", set()),
]

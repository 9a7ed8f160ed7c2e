"""Secret recognizers (entity types ``SECRET_<KIND>``): provider API keys and tokens, private keys, passwords.

Each is a presidio ``PatternRecognizer``: patterns + context + a validation hook, like presidio's email
recognizer, plus a pre-screen (a literal prefix or keyword every match contains). Patterns are case-sensitive
(``AKIA`` is a key prefix, ``akia`` is not). Validation drops what only looks like a secret: documentation
placeholders (``<password>``, ``${DB_PASS}``, ``xxxx``, ``...EXAMPLE``) and, for random tokens, strings with too
little entropy to be random. The policy quarantines ``pii.SECRET*`` by default: a leaked key is never training data.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer

from tasks.detectors.pii_recognizers import Prescreened

_CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE
_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>?|\$\{?[\w.]*\}?|\{\{.*|%\(?\w*\)?s?|\*+|x+|\.+|-+|(?:my|your|the)?_?pass(?:word|wd)?\d?|pwd|"
    r"secret|changeme|example|redacted|hidden|none|null|\?)$",
    re.IGNORECASE,
)


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text`` (random base62 is ~4.5 over 30+ characters; ``xxxx`` is 0)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def is_placeholder(value: str) -> bool:
    """True for documentation stand-ins (``<password>``, ``${TOKEN}``, ``****``, ``your_password``...)."""
    value = value.strip("'\"")
    return bool(_PLACEHOLDER.match(value)) or "EXAMPLE" in value or re.search(r"(.)\1{5}", value) is not None


class SecretRecognizer(Prescreened, PatternRecognizer):
    """Base of the secret recognizers: one entity, case-sensitive patterns, placeholder and entropy checks.

    Token recognizers screen ``TextViews.long_tokens`` (``VIEW``): each of their patterns matches at least
    ``LONG_TOKEN`` characters without whitespace (the shortest, a Slack token, is 15) and holds its pre-screen's
    match, which ``tests/test_pii_fast_paths.py`` checks on every pattern.
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[list[Pattern]]
    CONTEXT: ClassVar[list[str]] = []
    MIN_ENTROPY: ClassVar[float] = 3.0  # 0 turns the randomness check off (passwords are often not random)

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity=self.ENTITY, patterns=list(self.PATTERNS),
                         context=context or list(self.CONTEXT) or None, global_regex_flags=_CASE_SENSITIVE,
                         **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Placeholders, and tokens whose characters are too repetitive to be random, are not secrets."""
        return is_placeholder(pattern_text) or (self.MIN_ENTROPY > 0 and shannon_entropy(pattern_text) <
                                                self.MIN_ENTROPY)


class AwsAccessKeyRecognizer(SecretRecognizer):
    """AWS access key ids: a 4-letter type prefix (``AKIA`` long-term, ``ASIA`` temporary...) + 16 characters."""

    ENTITY = "SECRET_AWS_ACCESS_KEY"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])")
    PATTERNS = [Pattern("AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b", 0.8)]
    CONTEXT = ["aws", "access", "key"]


class AwsSecretKeyRecognizer(SecretRecognizer):
    """AWS secret access keys: 40 base64 characters, only where a name like ``aws_secret_access_key`` assigns them."""

    ENTITY = "SECRET_AWS_SECRET_KEY"
    PRESCREEN = re.compile(r"aws[\w\-]{0,30}secret", re.IGNORECASE)

    def may_match_views(self, views) -> bool:
        """``may_match(text)``, searched only when the folded text holds "aws" (a case-insensitive regex is slow)."""
        return "aws" in views.folded and self.PRESCREEN.search(views.text) is not None
    PATTERNS = [Pattern(
        "AWS secret key assignment",
        r"(?<=(?i:aws)[\w\-]{0,30}(?i:secret)[\w\-]{0,20}[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        0.8,
    )]
    MIN_ENTROPY = 3.5


class GcpApiKeyRecognizer(SecretRecognizer):
    """Google Cloud API keys: ``AIza`` + 35 characters."""

    ENTITY = "SECRET_GCP_API_KEY"
    VIEW = "long_tokens"
    PRESCREEN = re.compile("AIza")
    PATTERNS = [Pattern("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])", 0.8)]


class GitHubTokenRecognizer(SecretRecognizer):
    """GitHub tokens: ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_`` + 36, or fine-grained ``github_pat_`` + 82."""

    ENTITY = "SECRET_GITHUB_TOKEN"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"gh[pousr]_|github_pat_")
    PATTERNS = [Pattern("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b", 0.9)]


class GitLabTokenRecognizer(SecretRecognizer):
    """GitLab personal, deploy, pipeline-trigger and runner tokens (``glpat-``, ``gldt-``, ``glptt-``, ``glrt-``)."""

    ENTITY = "SECRET_GITLAB_TOKEN"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"gl(?:pat|dt|ptt|rt)-")
    PATTERNS = [Pattern("GitLab token", r"\bgl(?:pat|dt|ptt|rt)-[0-9A-Za-z_\-]{20,64}(?![0-9A-Za-z_\-])", 0.9)]


class SlackTokenRecognizer(SecretRecognizer):
    """Slack bot/user/app tokens (``xoxb-``, ``xoxp-``...) and incoming-webhook URLs."""

    ENTITY = "SECRET_SLACK_TOKEN"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"xox[abeprs]-|hooks\.slack\.com/")
    PATTERNS = [
        Pattern("Slack token", r"\bxox[abeprs]-[0-9A-Za-z\-]{10,250}", 0.9),
        Pattern("Slack webhook", r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,}",
                0.9),
    ]


class StripeKeyRecognizer(SecretRecognizer):
    """Stripe secret and restricted keys (``sk_live_``, ``rk_test_``...) and webhook signing secrets."""

    ENTITY = "SECRET_STRIPE_KEY"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"k_(?:live|test)_|whsec_")  # a literal start: much faster than [rs]k_
    PATTERNS = [Pattern("Stripe key", r"\b(?:[rs]k_(?:live|test)_[0-9A-Za-z]{24,99}|whsec_[0-9A-Za-z]{32,})\b",
                        0.9)]


class OpenAiKeyRecognizer(SecretRecognizer):
    """OpenAI API keys: ``sk-`` (``sk-proj-``...) keys holding the ``T3BlbkFJ`` marker, and legacy 48-char keys."""

    ENTITY = "SECRET_OPENAI_KEY"
    VIEW = "long_tokens"
    PRESCREEN = re.compile("sk-")  # a literal: a leading word boundary costs 20x more
    PATTERNS = [
        Pattern("OpenAI key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,200}T3BlbkFJ[A-Za-z0-9_\-]{16,200}",
                0.9),
        Pattern("OpenAI legacy key", r"\bsk-[A-Za-z0-9]{48}\b", 0.7),
    ]


class AnthropicKeyRecognizer(SecretRecognizer):
    """Anthropic API keys: ``sk-ant-api03-`` (or ``admin01``) + a long base64url body."""

    ENTITY = "SECRET_ANTHROPIC_KEY"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"sk-ant-")
    PATTERNS = [Pattern("Anthropic key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,120}", 0.9)]


class PrivateKeyRecognizer(SecretRecognizer):
    """PEM/OpenSSH/PGP private key blocks (RSA, EC, DSA, ENCRYPTED...), whole, or truncated after the BEGIN line."""

    ENTITY = "SECRET_PRIVATE_KEY"
    PRESCREEN = re.compile(r"-----BEGIN ")
    _BEGIN = r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
    PATTERNS = [
        Pattern("Private key block", _BEGIN + r".{0,20000}?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----",
                0.9),
        Pattern("Private key block (truncated)", _BEGIN + r"(?:\\[nr]|\s|[A-Za-z0-9+/=])+", 0.7),
    ]
    MIN_ENTROPY = 0

    def invalidate_result(self, pattern_text: str) -> bool:
        """A block without at least 64 base64 characters of body is a placeholder (``...``), not a key."""
        body = re.sub(r"-----[A-Z0-9 ]+-----|\\[nr]|[A-Za-z\-]+:[^\n]*", "", pattern_text)
        return len(re.findall(r"[A-Za-z0-9+/]", body)) < 64


class JwtRecognizer(SecretRecognizer):
    """JSON Web Tokens: three base64url parts whose header decodes to JSON naming an ``alg``."""

    ENTITY = "SECRET_JWT"
    VIEW = "long_tokens"
    PRESCREEN = re.compile(r"eyJ[A-Za-z0-9_\-]{5,}\.eyJ")
    PATTERNS = [Pattern("JWT", r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{10,}", 0.5)]
    MIN_ENTROPY = 0

    def validate_result(self, pattern_text: str) -> bool:
        """The header must decode to a JSON object with an ``alg`` field."""
        header = pattern_text.split(".", 1)[0]
        try:
            decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        except (ValueError, UnicodeDecodeError):
            return False
        return isinstance(decoded, dict) and "alg" in decoded


class UrlCredentialsRecognizer(SecretRecognizer):
    """``user:password`` embedded in a URL or connection URI (``postgres://app:s3cr3t@db:5432/x``), the user may be
    empty (``redis://:s3cr3t@cache:6379``)."""

    ENTITY = "SECRET_URL_CREDENTIALS"
    PRESCREEN = re.compile(r"://[^\s/@]*:[^\s/@]+@")
    PATTERNS = [Pattern(
        "URL userinfo with password",
        # user: no ":" "/" "@", maybe none (Redis); password: anything but whitespace, "/" and "@" ("#" and "?" occur)
        r"(?<=\b[A-Za-z][A-Za-z0-9+.\-]{1,30}://)[^\s:/?#@'\"<>\[\]]{0,128}:[^\s/@'\"<>]{1,256}(?=@[\w\[])",
        0.8,
    )]
    CONTEXT = ["password", "connection", "database", "uri", "url"]
    MIN_ENTROPY = 0

    def invalidate_result(self, pattern_text: str) -> bool:
        """A documented placeholder password (``user:password@``, ``<pass>``, ``${PW}``) is not a secret."""
        return is_placeholder(pattern_text.split(":", 1)[1])


class PasswordAssignmentRecognizer(SecretRecognizer):
    """Passwords in connection strings and configs: ``Password=...;`` (ADO/ODBC/JDBC) and ``"password": "..."``."""

    ENTITY = "SECRET_PASSWORD"
    # Each pattern needs a password word and then "=" or a quote and ":" (regex: presidio's engine and case rules).
    PRESCREEN = regex.compile(r"(?i:pass(?:wo?r?d)?|pwd)(?:\s*=|[\"']\s*:)")

    def may_match_views(self, views) -> bool:
        """``may_match(text)``, searched only when the folded text holds "pass" or "pwd"."""
        folded = views.folded
        return ("pass" in folded or "pwd" in folded) and self.PRESCREEN.search(views.text) is not None

    PATTERNS = [
        Pattern("password= assignment", r"(?<=\b(?i:password|passwd|pwd)\s*=\s*[\"']?)[^\s;'\"&<>,)]{4,128}", 0.7),
        Pattern("quoted password field",
                r"(?<=[\"'](?i:password|passwd|pwd|pass)[\"']\s*:\s*[\"'])[^\"'\s]{4,128}(?=[\"'])", 0.7),
    ]
    CONTEXT = ["password", "connection", "database", "server", "user"]
    MIN_ENTROPY = 0

    def invalidate_result(self, pattern_text: str) -> bool:
        """Variable references and placeholders (``${DB_PASS}``, ``os.environ[...]``, ``****``) are not secrets."""
        return is_placeholder(pattern_text) or bool(re.match(r"(?:os\.|process\.|env\b|getenv|\$|%|\{)",
                                                             pattern_text))


SECRET_RECOGNIZERS: tuple[type[SecretRecognizer], ...] = (
    AwsAccessKeyRecognizer, AwsSecretKeyRecognizer, GcpApiKeyRecognizer, GitHubTokenRecognizer,
    GitLabTokenRecognizer, SlackTokenRecognizer, StripeKeyRecognizer, OpenAiKeyRecognizer, AnthropicKeyRecognizer,
    PrivateKeyRecognizer, JwtRecognizer, UrlCredentialsRecognizer, PasswordAssignmentRecognizer,
)
SECRET_ENTITIES: tuple[str, ...] = tuple(r.ENTITY for r in SECRET_RECOGNIZERS)


def without_url_passwords(text: str, results: list) -> list:
    """``results`` without the e-mail addresses that are a URL's password and host: an EMAIL_ADDRESS starting inside
    a SECRET_URL_CREDENTIALS result (``https://admin:s3cret@db.example.com`` reads ``s3cret@db.example.com`` as one).

    The secret's placeholder redacts the password and the host stays; the address, if kept, would count a finding of
    the wrong type and take the host into the redaction. An address followed by ``@`` is kept (an address given as
    an anonymous-FTP password, ``ftp://anonymous:jane@example.org@ftp.example.org``). Where no secret was found (a
    documented placeholder such as ``user:pass@``, or secrets not configured) the address stays: a password is never
    left in clean text because of this.
    """
    secrets = [(r.start, r.end) for r in results if r.entity_type == "SECRET_URL_CREDENTIALS"]
    if not secrets:
        return results
    return [r for r in results if not (r.entity_type == "EMAIL_ADDRESS" and any(s < r.start < e for s, e in secrets)
                                       and not text.startswith("@", r.end))]

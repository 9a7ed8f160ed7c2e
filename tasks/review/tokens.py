"""Reviewer tokens: the ``--tokens FILE`` of ``sieve review serve``, one ``reviewer:token`` per line.

Blank lines and lines starting with ``#`` are ignored. A reviewer may have several tokens (rotation); a token
belongs to one reviewer. Tokens are kept only as SHA-256 digests and compared in constant time; no message,
log line or exception ever includes a token (errors name the line number). The file is re-read when it changes, so
removing a line revokes that token, and the browser sessions made with it, without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import threading
from pathlib import Path

MIN_TOKEN_CHARS = 16
REVIEWER_RE = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")
_TOKEN_RE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces


class TokenError(ValueError):
    """The tokens file is missing or invalid; the message names the file and line, never a token."""


def digest(token: str) -> str:
    """SHA-256 hex digest of a token (what is kept in memory and in sessions)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def parse_tokens(text: str, source: str = "tokens file") -> dict[str, str]:
    """Map token digest -> reviewer from the file's text; raise ``TokenError`` naming the first bad line."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, token = line.partition(":")
        name, token = name.strip(), token.strip()
        where = f"{source} line {n}"
        if not sep:
            raise TokenError(f"{where}: expected reviewer:token")
        if not REVIEWER_RE.match(name):
            raise TokenError(f"{where}: reviewer name must be 1-64 of letters, digits and _.@+-")
        if len(token) < MIN_TOKEN_CHARS or not _TOKEN_RE.match(token):
            raise TokenError(
                f"{where}: token must be at least {MIN_TOKEN_CHARS} printable ASCII characters without spaces "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        key = digest(token)
        if key in out:
            raise TokenError(f"{where}: this token is already given to reviewer {out[key]!r}")
        out[key] = name
    if not out:
        raise TokenError(f"{source}: no reviewer:token lines")
    return out


class TokenFile:
    """The reviewers of a tokens file, reloaded when its modification time or size changes."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path).expanduser().resolve()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_digest: dict[str, str] = {}
        self._reload()

    def _read_stamp(self) -> tuple[int, int]:
        try:
            st = self.path.stat()
        except OSError as err:
            raise TokenError(f"tokens file {self.path}: {err.strerror}") from None
        return (st.st_mtime_ns, st.st_size)

    def _reload(self) -> None:
        stamp = self._read_stamp()
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise TokenError(f"tokens file {self.path}: cannot read it ({type(err).__name__})") from None
        self._by_digest = parse_tokens(text, f"tokens file {self.path}")
        self._stamp = stamp

    def _fresh(self) -> dict[str, str]:
        with self._lock:
            try:
                if self._read_stamp() != self._stamp:
                    self._reload()
            except TokenError:
                # A file being rewritten (or broken) must not let anyone in: no reviewer until it parses again.
                self._by_digest, self._stamp = {}, None
            return self._by_digest

    def reviewers(self) -> list[str]:
        """The reviewer names (sorted, unique)."""
        return sorted(set(self._fresh().values()))

    def reviewer_for(self, token: str | None) -> str | None:
        """The reviewer whose token this is, or None."""
        if not token:
            return None
        return self.reviewer_for_digest(digest(token))

    def reviewer_for_digest(self, key: str) -> str | None:
        """The reviewer of a token digest (as kept in a session), or None once that token is revoked."""
        found = None
        for known, name in self._fresh().items():
            if hmac.compare_digest(known, key):
                found = name
        return found

    def loosely_readable(self) -> bool:
        """Whether users other than the owner may read the file (worth a warning: it holds credentials)."""
        return bool(self.path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


# Query parameters whose values an access log must not keep: a user who pastes a token into a URL (``/?token=...``)
# would otherwise leave it in every log file and terminal scroll-back the server writes to.
_SECRET_PARAM_RE = re.compile(r"(?i)([?&](?:token|access_token|api_key|key|password|secret)=)[^&#]*")


def mask_url_secrets(path: str) -> str:
    """``path`` with the values of token-like query parameters replaced by ``***``."""
    return _SECRET_PARAM_RE.sub(r"\1***", path)


class AccessLogSecretFilter:
    """A ``logging`` filter for uvicorn's access log that masks token-like query parameters in the logged path.

    uvicorn formats its access line from ``record.args = (client, method, path, http_version, status)``.
    """

    def filter(self, record: object) -> bool:
        """Rewrite the path argument in place; never drops a line."""
        args = getattr(record, "args", None)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_url_secrets(args[2]), *args[3:])  # type: ignore[attr-defined]
        return True

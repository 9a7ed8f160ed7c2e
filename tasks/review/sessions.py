"""Browser sessions of the review app: a random session id in an HttpOnly, SameSite=Strict cookie, kept in memory.

A session is made by logging in with a reviewer token and remembers only the token's digest, so revoking the token
(removing its line from the tokens file) ends the session at its next request. Each session has its own CSRF token,
sent back in a hidden field of every form and compared in constant time. Sessions live in the server process:
restarting the server logs everyone out, which is the safe default for a tool that shows unredacted PII.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IDLE_SECONDS = 8 * 3600
MAX_SESSIONS = 10_000


@dataclass
class Session:
    """One logged-in browser."""

    reviewer: str
    token_digest: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    last_seen: float = field(default_factory=time.monotonic)
    flash: list[str] = field(default_factory=list)


class Sessions:
    """The live sessions, by session id."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS):
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._by_id: dict[str, Session] = {}

    def create(self, reviewer: str, token_digest: str) -> tuple[str, Session]:
        """A new session id and its session."""
        sid = secrets.token_urlsafe(32)
        sess = Session(reviewer, token_digest)
        with self._lock:
            self._expire()
            if len(self._by_id) >= MAX_SESSIONS:  # bounded memory: drop the least recently used
                oldest = min(self._by_id, key=lambda k: self._by_id[k].last_seen)
                del self._by_id[oldest]
            self._by_id[sid] = sess
        return sid, sess

    def get(self, sid: str | None) -> Session | None:
        """The live session of ``sid`` (and mark it used), or None."""
        if not sid:
            return None
        with self._lock:
            sess = self._by_id.get(sid)
            if sess is None:
                return None
            now = time.monotonic()
            if now - sess.last_seen > self.idle_seconds:
                del self._by_id[sid]
                return None
            sess.last_seen = now
            return sess

    def drop(self, sid: str | None) -> None:
        """End a session (logout, revoked token)."""
        with self._lock:
            self._by_id.pop(sid or "", None)

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [k for k, s in self._by_id.items() if now - s.last_seen > self.idle_seconds]:
            del self._by_id[sid]


def csrf_ok(sess: Session | None, sent: str | None) -> bool:
    """Whether the form's CSRF token is the session's."""
    return bool(sess and sent) and hmac.compare_digest(sess.csrf, sent or "")


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site (no scheme, host or ``//``), else ``default``: no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target

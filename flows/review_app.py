"""The review web app (``sieve review serve``): FastAPI + Jinja2, server-rendered, one small script from /static.

Wiring only; queries, reviews, tokens and sessions live in ``tasks/review``. Security, because quarantined text is
hostile by definition (../shared/DESIGN.md section 7):

* every value reaches HTML through Jinja2 autoescaping (``autoescape=True`` for every template), invisible and bidi
  characters are shown as code points (``tasks.review.highlight``), and nothing from a record becomes a URL;
* a strict Content-Security-Policy on every response: scripts, styles and images from this origin only, no inline
  script, no remote loads, no framing; plus ``nosniff``, ``no-referrer`` and ``no-store`` (pages show raw PII);
* every page and API call needs a reviewer: ``Authorization: Bearer <token>`` for ``/api``, a login form that trades
  the token for an HttpOnly, SameSite=Strict session cookie in the browser; forms carry a per-session CSRF token;
* the ``Host`` header must name the bound address (no DNS rebinding), the lake is fixed when the app is built (a
  ``lake`` parameter is refused), ids are validated before use, static files are served by Starlette's
  ``StaticFiles`` (which refuses traversal); tokens are never logged or echoed.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from schemas.reasons import FAMILIES
from tasks.lake import Lake, LakeError
from tasks.review import access, highlight, queue, record, reviews
from tasks.review.queue import FilterError, QueueFilter
from tasks.review.sessions import Session, Sessions, csrf_ok, safe_next
from tasks.review.tokens import TokenFile, digest

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates" / "review"
STATIC = HERE / "static" / "review"
SESSION_COOKIE = "sieve_review_session"
LOGIN_COOKIE = "sieve_review_login"
PAGE_SIZE = 50
DISPLAY_CHARS = 200_000
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; require-trusted-types-for 'script'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
log = logging.getLogger("sieve.review")


class ReviewIn(BaseModel):
    """Body of ``POST /api/reviews``. The reviewer comes from the token, never from the body."""

    model_config = ConfigDict(extra="forbid")
    doc_id: str = Field(min_length=1, max_length=128)
    verdict: str = Field(description="approve | reject")
    note: str = Field("", max_length=reviews.MAX_NOTE_CHARS)
    run_id: str | None = Field(None, description="the quarantine run (default: the record's newest)")
    seen: str | None = Field(None, max_length=64, description="the record's `seen` from GET /api/records: refuse "
                             "(409) if another review came in since")


class LoginRequired(Exception):
    """A page was requested without a live session: send the browser to the login form."""


def api_reviewer(request: Request) -> str:
    """The reviewer of the request's ``Authorization: Bearer`` token; 401 without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    name = request.app.state.tokens.reviewer_for(token.strip()) if scheme.lower() == "bearer" else None
    if name is None:
        raise HTTPException(401, "a reviewer token is required: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    return name


def page_session(request: Request) -> Session:
    """The browser's live session; raises ``LoginRequired`` (-> the login form) without one."""
    sessions, tokens = request.app.state.sessions, request.app.state.tokens
    sid = request.cookies.get(SESSION_COOKIE)
    sess = sessions.get(sid)
    if sess is not None and tokens.reviewer_for_digest(sess.token_digest) != sess.reviewer:
        sessions.drop(sid)  # the token was revoked or given to someone else
        sess = None
    if sess is None:
        raise LoginRequired()
    return sess


async def posted_form(request: Request) -> tuple[dict[str, Any], Session]:
    """The fields of a posted form and its session, after checking the form's CSRF token."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    sess = page_session(request)
    if not csrf_ok(sess, form.get("csrf", "")):
        raise HTTPException(403, "the form's CSRF token is missing or stale; reload the page and try again")
    return form, sess


Api = Annotated[str, Depends(api_reviewer)]
Page = Annotated[Session, Depends(page_session)]


def _family(reason: str) -> str:
    fam = reason.split(".", 1)[0]
    return fam if fam in FAMILIES else "other"


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    env.filters["family"] = _family
    env.filters["tokens"] = highlight.tokens
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    env.globals["page_size"] = PAGE_SIZE
    env.globals["qs"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")})
    return Jinja2Templates(env=env)


def create_app(lake_path: str | Path, tokens: TokenFile, allowed_hosts: list[str] | None = None,
               read_wait: float = access.READ_WAIT_SECONDS, write_wait: float = access.WRITE_WAIT_SECONDS) -> FastAPI:
    """The review app for the lake at ``lake_path`` (fixed for the app's life) and the reviewers of ``tokens``."""
    lake = Lake(Path(lake_path).expanduser().resolve())
    access.ensure_catalog(lake)  # a lost catalog is rebuilt from the lake (a folder with no run: LakeError)
    app = FastAPI(title="Sieve review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lake, app.state.tokens, app.state.sessions = lake, tokens, Sessions()
    templates = _templates()
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if "lake" in request.query_params:
            response: Response = JSONResponse(
                {"error": "this server serves one lake, chosen when it started; a lake parameter is refused"}, 400
            )
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200,
               sess: Session | None = None, headers: dict[str, str] | None = None) -> Response:
        flash, sess_flash = [], sess.flash if sess else []
        while sess_flash:
            flash.append(sess_flash.pop(0))
        base = {"reviewer": sess.reviewer if sess else None, "csrf": sess.csrf if sess else "", "flash": flash,
                "lake": lake.root.name}
        return templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status, headers=headers)

    def reading():
        return access.reading(lake, wait=read_wait)

    # --- errors ------------------------------------------------------------------------------------------------
    def _is_api(request: Request) -> bool:
        return request.url.path.startswith(("/api/", "/static/"))

    def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if _is_api(request):
            return JSONResponse({"error": message}, status, headers=headers)
        return render(request, "error.html", {"status": status, "message": message}, status, headers=headers)

    @app.exception_handler(access.CatalogBusy)
    async def busy(request: Request, err: access.CatalogBusy) -> Response:
        if _is_api(request):
            return JSONResponse({"error": str(err)}, 503, headers={"Retry-After": "2"})
        return render(request, "busy.html", {"message": str(err)}, 503, headers={"Retry-After": "2"})

    @app.exception_handler(LakeError)
    async def lake_error(request: Request, err: LakeError) -> Response:
        # The lake cannot be read as it is (a catalog that cannot be rebuilt, a damaged file): say what, in one
        # line, instead of a bare 500
        return _error(request, 500, str(err))

    @app.exception_handler(FilterError)
    @app.exception_handler(reviews.ReviewError)
    async def bad_input(request: Request, err: ValueError) -> Response:
        status = 409 if isinstance(err, reviews.ReviewConflict) else 400
        if isinstance(err, reviews.ReviewError) and str(err).startswith("no quarantined record"):
            status = 404
        return _error(request, status, str(err))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        return _error(request, err.status_code, str(err.detail), dict(err.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, err: RequestValidationError) -> Response:
        # One line naming the parameter, in the app's own error shape (FastAPI's default is a JSON list even for a
        # page); the submitted value is never echoed: it could be a token pasted into the wrong field.
        problems = "; ".join(f"{'.'.join(str(part) for part in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                             for e in err.errors())
        return _error(request, 422, f"invalid request: {problems}")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, err: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), 303)

    def check_ids(doc_id: str, run_id: str | None) -> None:
        if not queue.valid_doc_id(doc_id) or (run_id and not queue.valid_run_id(run_id)):
            raise HTTPException(404, "no such quarantined record")

    def posted_filter(form: dict[str, Any]) -> QueueFilter:
        return QueueFilter.from_params({k.removeprefix("f_"): v for k, v in form.items() if k.startswith("f_")})

    # --- login -------------------------------------------------------------------------------------------------
    @app.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        nonce = secrets.token_urlsafe(24)
        resp = render(request, "login.html", {"next": safe_next(next), "nonce": nonce, "error": None})
        resp.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict", max_age=900)
        return resp

    @app.post("/login")
    def login(request: Request, token: Annotated[str, Form()] = "", nonce: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = "/") -> Response:
        # The nonce pair (cookie + field) stops another site from logging this browser in as someone else.
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        name = tokens.reviewer_for(token.strip()) if token else None
        if not (cookie and nonce and hmac.compare_digest(cookie, nonce)) or name is None:
            time.sleep(0.3)  # slows guessing; tokens are long enough that this is belt and braces
            return render(request, "login.html",
                          {"next": safe_next(next), "nonce": nonce, "error": "That token is not valid."}, 401)
        sid, _ = app.state.sessions.create(name, digest(token.strip()))
        log.info("reviewer %s logged in", name)
        resp = RedirectResponse(safe_next(next), 303)
        resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        resp.delete_cookie(LOGIN_COOKIE)
        return resp

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await posted_form(request)
        app.state.sessions.drop(request.cookies.get(SESSION_COOKIE))
        resp = RedirectResponse("/login", 303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    # --- pages -------------------------------------------------------------------------------------------------
    @app.get("/")
    def queue_page(request: Request, sess: Page, page: Annotated[int, Query(ge=1, le=10**7)] = 1,
                   sel: Annotated[int, Query(ge=0, le=PAGE_SIZE)] = 0) -> Response:
        flt = QueueFilter.from_params(dict(request.query_params))
        offset = (page - 1) * PAGE_SIZE
        with reading() as con:
            ctx = {
                "flt": flt, "f": flt.params(), "page": page, "offset": offset, "page_size": PAGE_SIZE,
                "rows": queue.page(con, flt, PAGE_SIZE, offset), **queue.summary(con, flt),
                "runs": queue.runs(con), "here": request.url.path + "?" + request.url.query,
            }
        ctx["sel"] = min(sel, max(len(ctx["rows"]) - 1, 0))
        ctx["datasets"] = sorted({r["dataset"] for r in ctx["runs"] if r["dataset"]})
        return render(request, "queue.html", ctx, sess=sess)

    @app.get("/queue/at")
    def queue_at(request: Request, sess: Page, pos: Annotated[int, Query(ge=-1, le=10**9)] = 0) -> Response:
        flt = QueueFilter.from_params(dict(request.query_params))
        with reading() as con:
            found = queue.record_at(con, flt, pos)
        if found is None:
            sess.flash.append("No more records in this queue." if pos >= 0 else "This is the first record.")
            page = max(pos, 0) // PAGE_SIZE + 1
            return RedirectResponse("/?" + urlencode({**flt.params(), "page": page}), 303)
        run_id, doc_id = found
        return RedirectResponse(f"/records/{run_id}/{doc_id}?" + urlencode({**flt.params(), "pos": pos}), 303)

    @app.get("/records/{doc_id}")
    def newest_record(request: Request, doc_id: str, sess: Page) -> Response:
        check_ids(doc_id, None)
        with reading() as con:
            run_id = record.latest_run_of(con, doc_id)
        if not run_id:
            raise HTTPException(404, "no such quarantined record")
        return RedirectResponse(f"/records/{run_id}/{doc_id}", 303)

    @app.get("/records/{run_id}/{doc_id}")
    def record_page(request: Request, run_id: str, doc_id: str, sess: Page,
                    pos: Annotated[int, Query(ge=-1, le=10**9)] = -1) -> Response:
        check_ids(doc_id, run_id)
        flt = QueueFilter.from_params(dict(request.query_params))
        with reading() as con:
            rec = record.detail(con, doc_id, run_id)
        if rec is None:
            raise HTTPException(404, "no such quarantined record")
        text = rec["text"] or ""
        pieces, shown = highlight.pieces(text, rec["findings"], DISPLAY_CHARS)
        ctx = {"rec": rec, "pieces": pieces, "shown": shown, "length": len(text), "flt": flt, "f": flt.params(),
               "pos": pos}
        return render(request, "record.html", ctx, sess=sess)

    @app.post("/records/{run_id}/{doc_id}/review")
    async def review_form(request: Request, run_id: str, doc_id: str) -> Response:
        form, sess = await posted_form(request)
        check_ids(doc_id, run_id)
        flt = posted_filter(form)
        try:
            pos = int(form.get("pos", -1))
        except ValueError:
            pos = -1
        try:
            row = await run_in_threadpool(partial(reviews.append_review, seen=form.get("seen") or None),
                                          lake, doc_id, sess.reviewer, str(form.get("verdict", "")),
                                          str(form.get("note", "")), run_id, write_wait)
        except reviews.ReviewConflict as err:  # another reviewer was faster: show the record as it is now
            sess.flash.append(str(err))
            back = {**flt.params(), **({"pos": pos} if pos >= 0 else {})}
            return RedirectResponse(f"/records/{run_id}/{doc_id}?" + urlencode(back), 303)
        log.info("reviewer %s: %s %s/%s", sess.reviewer, row["verdict"], run_id, doc_id)
        sess.flash.append(f"{row['verdict'].capitalize()} {doc_id}.")
        if row["superseded_by"]:
            sess.flash.append(f"Run {row['superseded_by']} quarantined it again: a release follows that newer "
                              "copy's review, not this one's.")
        if form.get("back"):
            return RedirectResponse(safe_next(str(form["back"])), 303)
        if pos < 0:
            return RedirectResponse(f"/records/{run_id}/{doc_id}", 303)
        # The reviewed record has left a queue of another status, so the same position now holds the next one.
        nxt = pos if flt.status != "all" and row["verdict"] != flt.status else pos + 1
        return RedirectResponse("/queue/at?" + urlencode({**flt.params(), "pos": nxt}), 303)

    @app.get("/bulk")
    def bulk_confirm(request: Request, sess: Page, verdict: str) -> Response:
        flt = QueueFilter.from_params(dict(request.query_params))
        verdict = reviews.normalise_verdict(verdict)
        with reading() as con:
            n = queue.count(con, flt)
        return render(request, "bulk.html", {"flt": flt, "f": flt.params(), "verdict": verdict, "count": n},
                      sess=sess)

    @app.post("/bulk")
    async def bulk(request: Request) -> Response:
        form, sess = await posted_form(request)
        flt = posted_filter(form)
        try:
            expected = int(form.get("expected", ""))
        except ValueError:
            raise HTTPException(400, "expected: the confirmed count is required") from None
        verdict = str(form.get("verdict", ""))
        n = await run_in_threadpool(reviews.review_matching, lake, flt, sess.reviewer, verdict,
                                    str(form.get("note", "")), expected, write_wait)
        log.info("reviewer %s: bulk %s of %d records", sess.reviewer, verdict, n)
        sess.flash.append(f"{reviews.normalise_verdict(verdict).capitalize()} {n} records.")
        return RedirectResponse("/?" + urlencode(flt.params()), 303)

    # --- JSON API ----------------------------------------------------------------------------------------------
    @app.get("/api/quarantine")
    def api_queue(request: Request, reviewer: Api, limit: Annotated[int, Query(ge=1, le=queue.MAX_LIMIT)] = 50,
                  offset: Annotated[int, Query(ge=0, le=10**9)] = 0, facets: bool = False) -> Response:
        flt = QueueFilter.from_params(dict(request.query_params))
        with reading() as con:
            # Counts per status and reason cost a second scan: only when asked (a script paging needs the total).
            counts = queue.summary(con, flt) if facets else {"total": queue.count(con, flt)}
            body = {"total": counts["total"], "limit": limit, "offset": offset, "filter": flt.params(),
                    "items": queue.page(con, flt, limit, offset)}
            if facets:
                body.update(statuses=counts["statuses"], reasons=dict(counts["reasons"]))
        return JSONResponse(jsonable_encoder(body))

    @app.get("/api/records/{doc_id}")
    def api_record(doc_id: str, reviewer: Api, run: str = "") -> Response:
        check_ids(doc_id, run)
        with reading() as con:
            rec = record.detail(con, doc_id, run or None)
        if rec is None:
            raise HTTPException(404, "no such quarantined record")
        return JSONResponse(jsonable_encoder(rec))

    @app.post("/api/reviews", status_code=201)
    def api_review(body: ReviewIn, reviewer: Api) -> Response:
        check_ids(body.doc_id, body.run_id)
        row = reviews.append_review(lake, body.doc_id, reviewer, body.verdict, body.note, body.run_id, write_wait,
                                    seen=body.seen)
        log.info("reviewer %s: %s %s/%s (api)", reviewer, row["verdict"], row["run_id"], body.doc_id)
        return JSONResponse(jsonable_encoder(row), 201)

    return app

"""The desk's routes: thin handlers over ``infra/users.py``, ``infra/review.py``, ``infra/admin.py``
and ``inbox/desk/views.py``. Every POST checks the CSRF token; every action a reviewer takes is
the same function the CLI calls, so the audit trail, events and rescores are the same."""

from __future__ import annotations

import logging
from datetime import date
from importlib import resources
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from inbox.desk import views
from inbox.desk.vendors import document_vendor, vendor_routes
from inbox.desk.requirements import requirement_routes
from inbox.report_pages import add_report_pages
from inbox.desk.auth import (COOKIE, DeskError, LoginLimits, SignInNeeded, check_csrf, csrf_token, deciding,
                             same_origin, session_secret, signed_in)
from infra.admin import AdminError
from infra.models import Evaluation
from infra.users import (Person, Role, SignInRefused, account_users, add_user, disable_user, link_user, set_password,
                         sign_in)
from pipeline.corrections import shown
from pipeline.scoring.labels import value_name

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn

log = logging.getLogger(__name__)

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ACTIONS = {
    "value.corrected": "corrected a value",
    "check.waived": "waived a check",
    "waiver.undone": "undid a waiver",
    "decision.overridden": "overrode the decision",
    "override.undone": "undid an override",
}

OUTCOMES = {"pass": "passed", "fail": "failed", "unknown": "to confirm", "waived": "waived"}  # in words


def create_desk(app: App, send_on: SendOn) -> FastAPI:
    desk = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    folder = resources.files("inbox.desk")
    templates = Jinja2Templates(directory=str(folder.joinpath("templates")))
    templates.env.filters["shown"] = shown
    templates.env.filters["value_name"] = value_name  # a check's value in words, never its code
    templates.env.globals["OUTCOMES"] = OUTCOMES
    templates.env.globals["ACTIONS"] = ACTIONS
    desk.mount("/static", StaticFiles(directory=str(folder.joinpath("static"))), name="static")
    https = app.settings.api_public_url.startswith("https://")
    desk.add_middleware(SessionMiddleware, secret_key=session_secret(app), session_cookie=COOKIE,
                        max_age=app.settings.desk_session_hours * 3600, path="/desk", same_site="lax",
                        https_only=https)
    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        base = request.scope.get("root_path", "")
        context.update(request=request, base=base, csrf=csrf_token(request),
                       flash=request.session.pop("flash", None))
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(PAGE_HEADERS)
        return response

    def go(request: Request, path: str, flash: str | None = None) -> RedirectResponse:
        if flash:
            request.session["flash"] = flash
        return RedirectResponse(request.scope.get("root_path", "") + path, status_code=303)

    @desk.exception_handler(DeskError)
    async def desk_error(request: Request, exc: DeskError) -> Response:
        response = render(request, "error.html", exc.status, message=exc.message, person=None)
        response.headers.update(exc.headers)
        return response

    @desk.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _exc: SignInNeeded) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return go(request, "/login?" + urlencode({"next": here}))

    @desk.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "There is nothing at this address." if exc.status_code == 404 else str(exc.detail)
        return render(request, "error.html", exc.status_code, message=message, person=None)

    @desk.exception_handler(RequestValidationError)
    async def invalid(request: Request, _exc: RequestValidationError) -> Response:
        return render(request, "error.html", 400, message="That address or form is not one the desk makes; go back "
                                                          "and try again.", person=None)

    kit = Kit(app, send_on, render, go, LoginLimits(app))
    for routes in (_sign_in_routes, _document_routes, _action_routes, _user_routes,
                   vendor_routes, requirement_routes):  # /desk/vendors, /desk/requirements
        routes(desk, kit)
    def viewer(request: Request) -> int:  # any signed-in user of the account reads its reports
        return signed_in(app, request).account_id

    add_report_pages(desk, app, viewer=viewer)  # /desk/reports (inbox/report_pages.py)
    return desk


@dataclass(frozen=True)
class Kit:
    """What every group of routes shares: the app, enqueueing what an action committed (``send_on``),
    rendering a page, sending the browser on, sign-in limits."""

    app: App
    send_on: SendOn
    render: Callable[..., HTMLResponse]
    go: Callable[..., RedirectResponse]
    limits: LoginLimits


def not_found() -> DeskError:
    return DeskError(404, "No such document in your account.")


def _sign_in_routes(desk: FastAPI, kit: Kit) -> None:
    """Signing in and out, and setting a password through a one-time link."""
    app, render, go = kit.app, kit.render, kit.go

    # -- signing in ---------------------------------------------------------------------------------

    @desk.get("/")
    def home(request: Request) -> Response:
        signed_in(app, request)
        return go(request, "/queue")

    @desk.get("/login")
    def login_form(request: Request, next: str = "") -> Response:
        return render(request, "login.html", person=None, next=_safe_next(request, next), email="", error=None)

    @desk.post("/login")
    def login(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("")) -> Response:
        same_origin(request)
        kit.limits.hit(request, email.strip())
        try:
            with app.sessions() as session:
                person = sign_in(session, email, password)
        except SignInRefused as e:
            log.info("desk sign-in refused for a user")
            return render(request, "login.html", 401, person=None, next=_safe_next(request, next), email=email,
                          error=str(e))
        request.session.clear()  # a new session on sign-in: nothing carried over from before
        request.session.update({"user_id": person.user_id, "csrf": None})
        csrf_token(request)
        return RedirectResponse(_safe_next(request, next) or request.scope.get("root_path", "") + "/queue", 303)

    @desk.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        request.session.clear()
        return go(request, "/login", "You are signed out.")

    @desk.get("/password/{token}")
    def password_form(request: Request, token: str) -> Response:
        with app.sessions() as session:
            user = link_user(session, token)
        if user is None:
            raise DeskError(404, "This link was used already or has expired; ask an admin of your account for a "
                                 "new one (coi user link).")
        return render(request, "password.html", person=None, email=user.email, token=token, error=None)

    @desk.post("/password/{token}")
    def password_set(request: Request, token: str, password: str = Form(""), again: str = Form(""),
                     csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with app.sessions() as session:
            user = link_user(session, token)
            if user is None:
                raise DeskError(404, "This link was used already or has expired.")
            email = user.email
            try:
                if password != again:
                    raise AdminError("The two passwords differ; type the same one twice.")
                set_password(session, token, password)
            except AdminError as e:
                return render(request, "password.html", 400, person=None, email=email, token=token, error=str(e))
        return go(request, "/login", "Your password is set; sign in with it.")


def _document_routes(desk: FastAPI, kit: Kit) -> None:
    """The queue, a document's page and its page images."""
    app, render = kit.app, kit.render

    # -- the queue and the documents ------------------------------------------------------------------

    @desk.get("/queue")
    def queue(request: Request, show: str = "held") -> Response:
        person = signed_in(app, request)
        wanted = ("needs_review",) if show == "needs_review" else views.HELD
        with app.sessions() as session:
            rows = views.queue(session, person, wanted)
        return render(request, "queue.html", person=person, rows=rows, show=show)

    @desk.get("/documents/{document_id}")
    def document(request: Request, document_id: str, page: int = 1, edit: str | None = None) -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            found = views.find(session, person, document_id)
            if found is None:
                raise not_found()
            model = views.document_page(session, person, found)
            scoring = _scoring_pending(session, model) or _replaced_meanwhile(session, model)
            vendor = document_vendor(session, person, document_id)
        if model.pages and page not in model.pages:
            page = model.pages[0]
        size = None
        if model.values:
            try:
                width, height = views.png_size(views.page_png(app, model.document, page))
                size = (width * 72 / views.PAGE_DPI, height * 72 / views.PAGE_DPI)
            except Exception:  # noqa: BLE001 - a page that cannot be drawn leaves the tables usable
                log.exception("the page image could not be drawn")
        editing = model.value(edit) if person.decides else None
        read_values = _read_values(model) if model.corrections else {}
        return render(request, "document.html", person=person, model=model, page=page, size=size,
                      editing=editing, scoring=scoring, read_values=read_values, today=date.today().isoformat(),
                      vendor=vendor,
                      label=lambda p: next((v.label for v in model.values if v.pointer == p), p))

    @desk.get("/documents/{document_id}/pages/{page}.png")
    def page_image(request: Request, document_id: str, page: int) -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            found = views.find(session, person, document_id)
            if found is None:
                raise not_found()
            session.expunge(found)
        try:
            png = views.page_png(app, found, page)
        except Exception as e:  # noqa: BLE001 - no such page, or an unreadable file
            raise DeskError(404, "This page cannot be drawn.") from e
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300",
                                                              "X-Content-Type-Options": "nosniff"})


def _action_routes(desk: FastAPI, kit: Kit) -> None:
    """A reviewer's corrections, waivers, overrides and undoing them."""
    app, render, go = kit.app, kit.render, kit.go

    # -- a reviewer's actions ---------------------------------------------------------------------------

    def act(request: Request, csrf: str, document_id: str | None = None) -> tuple[Person, str | None]:
        person = signed_in(app, request)
        check_csrf(request, csrf)
        deciding(person)
        if document_id is not None:
            with app.sessions() as session:
                if views.find(session, person, document_id) is None:
                    raise not_found()
        return person, document_id

    def hand_on(handoffs) -> None:
        handoffs = [h for h in handoffs if h is not None]
        if handoffs:
            kit.send_on(handoffs)  # False when the broker is away: the relay sends it on its return

    def back(request: Request, document_id: str, done: str, error: str | None = None,
             anchor: str = "") -> RedirectResponse:
        return go(request, f"/documents/{quote(document_id)}{anchor}", error or done)

    @desk.post("/documents/{document_id}/corrections")
    def add_correction(request: Request, document_id: str, pointer: str = Form(""), value: str = Form(""),
                       reason: str = Form(""), csrf: str = Form("")) -> Response:
        from infra.review import correct

        person, _ = act(request, csrf, document_id)
        try:
            with app.sessions() as session:
                row, rescore = correct(session, document_id, pointer, value, by=person.email, reason=reason)
                done = (f"Corrected {pointer}: {shown(row.old_value) or 'blank'} → {shown(row.new_value) or 'blank'}. "
                        "The certificate is being scored again.")
        except AdminError as e:
            request.session["flash"] = f"Not corrected: {e}"
            return go(request, f"/documents/{quote(document_id)}?{urlencode({'edit': pointer})}#correct")
        hand_on([rescore])
        return back(request, document_id, done)

    @desk.post("/documents/{document_id}/waivers")
    def add_waiver(request: Request, document_id: str, code: str = Form(""), line: str = Form(""),
                   key: str = Form(""), reason: str = Form(""), until: str = Form(""),
                   csrf: str = Form("")) -> Response:
        from infra.admin import waive

        person, _ = act(request, csrf, document_id)
        try:
            with app.sessions() as session:
                if not reason.strip():
                    raise AdminError("Say why the check is waived.")
                waiver, rescore = waive(session, document_id, code, by=person.email, reason=reason.strip(),
                                        line=line or None, key=key or None, until=_day(until))
                done = f"Waiver {waiver.id} recorded; the certificate is being scored again."
        except AdminError as e:
            return back(request, document_id, "", f"Not waived: {e}", "#checks")
        hand_on([rescore])
        return back(request, document_id, done)

    @desk.post("/documents/{document_id}/overrides")
    def add_override(request: Request, document_id: str, decision: str = Form(""), reason: str = Form(""),
                     until: str = Form(""), csrf: str = Form("")) -> Response:
        from infra.admin import override

        person, _ = act(request, csrf, document_id)
        try:
            with app.sessions() as session:
                if not reason.strip():
                    raise AdminError("Say why the decision is overridden.")
                row, publication = override(session, document_id, decision, by=person.email,
                                            reason=reason.strip(), until=_day(until))
                done = f"Override {row.id} recorded: the decision is {decision.replace('_', ' ')}."
        except AdminError as e:
            return back(request, document_id, "", f"Not overridden: {e}", "#reviews")
        hand_on([publication])
        return back(request, document_id, done)

    @desk.post("/{kind}/{row_id}/undo")
    def undo(request: Request, kind: str, row_id: int, reason: str = Form(""), csrf: str = Form(""),
             back_to: str = Form("")) -> Response:
        from infra.review import undo_override, undo_waiver

        if kind not in {"waivers", "overrides"}:
            raise DeskError(404, "There is nothing at this address.")
        person, _ = act(request, csrf)
        target = _safe_next(request, back_to) or request.scope.get("root_path", "") + "/reviews"
        try:
            with app.sessions() as session:
                fn = undo_waiver if kind == "waivers" else undo_override
                _, handoff = fn(session, row_id, by=person.email, reason=reason, account_id=person.account_id)
        except AdminError as e:
            if str(e).startswith("No "):
                raise DeskError(404, str(e)) from e
            request.session["flash"] = f"Not undone: {e}"
            return RedirectResponse(target, 303)
        hand_on([handoff])
        request.session["flash"] = f"{kind[:-1].capitalize()} {row_id} undone."
        return RedirectResponse(target, 303)

    @desk.get("/reviews")
    def all_reviews(request: Request) -> Response:
        from infra.review import reviews

        person = signed_in(app, request)
        with app.sessions() as session:
            found = reviews(session, person.account_id)
        return render(request, "reviews.html", person=person, reviews=found)


def _user_routes(desk: FastAPI, kit: Kit) -> None:
    """An admin's users of the account."""
    app, render, go = kit.app, kit.render, kit.go

    # -- an admin's users ----------------------------------------------------------------------------------

    def admin(request: Request) -> Person:
        person = signed_in(app, request)
        if person.role != Role.ADMIN:
            raise DeskError(403, "Only an admin of the account manages its users.")
        return person

    def users_page(request: Request, person: Person, status: int = 200, **extra: Any) -> HTMLResponse:
        with app.sessions() as session:
            rows = account_users(session, person.account_id)
            for row in rows:
                session.expunge(row)
        return render(request, "users.html", status, person=person, users=rows,
                      **{"link": None, "added": None, "error": None, **extra})

    @desk.get("/users")
    def users(request: Request) -> Response:
        return users_page(request, admin(request))

    @desk.post("/users")
    def add_one(request: Request, email: str = Form(""), role: str = Form("viewer"), csrf: str = Form("")) -> Response:
        person = admin(request)
        check_csrf(request, csrf)
        try:
            with app.sessions() as session:
                created, token = add_user(session, email, person.account_slug, role, by=person.email)
                added = created.email
        except AdminError as e:
            return users_page(request, person, 400, error=str(e))
        link = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}/password/{token}"
        if app.settings.api_public_url:
            link = app.settings.api_public_url.rstrip("/") + "/desk/password/" + token
        return users_page(request, person, link=link, added=added)  # shown once, never kept in the session

    @desk.post("/users/{user_id}/disable")
    def disable(request: Request, user_id: int, csrf: str = Form("")) -> Response:
        person = admin(request)
        check_csrf(request, csrf)
        try:
            with app.sessions() as session:
                disable_user(session, user_id, account_id=person.account_id, by=person.email)
        except AdminError as e:
            if str(e).startswith("No user"):
                raise DeskError(404, str(e)) from e
            return users_page(request, person, 400, error=str(e))
        return go(request, "/users", "The user is disabled.")


def _scoring_pending(session, model: views.Page) -> bool:
    """A correction or waiver whose rescore has not written its evaluation yet."""
    triggers = [f"correction:{c.id}" for c in model.corrections[-1:]]
    triggers += [f"waiver:{w['id']}" for w in model.reviews.get("waivers", [])[:1] if w["state"] == "active"]
    triggers += [f"waiver-undone:{w['id']}" for w in model.reviews.get("waivers", [])[:1] if w["state"] == "undone"]
    if not triggers or model.document.status != "decided":
        return False
    done = set(session.scalars(select(Evaluation.trigger).where(Evaluation.document_id == model.document.id,
                                                                Evaluation.trigger.in_(triggers))))
    return bool(set(triggers) - done)


def _replaced_meanwhile(session, model: views.Page) -> bool:
    """The evaluation the page shows was replaced while the page was being built: a rescore committed between
    the page's reads (each statement sees what is committed when it runs), so the page shows the old decision
    while nothing is pending any more. The page then reloads once, as while scoring."""
    from workers.decisions import current_evaluation

    now = current_evaluation(session, model.document.id)
    return now is not None and (now.decision, now.checks) != (model.status.get("evaluated_decision"),
                                                              model.status.get("checks"))


def _read_values(model: views.Page) -> dict[str, Any]:
    """What was read at each corrected pointer (the first correction's old value)."""
    first: dict[str, Any] = {}
    for c in model.corrections:
        first.setdefault(c.pointer, c.old_value)
    return first


def _safe_next(request: Request, target: str) -> str:
    """Only a path of the desk itself: never another site (an open redirect)."""
    base = request.scope.get("root_path", "")
    if target.startswith(base + "/") and not target.startswith("//") and "\\" not in target and "\n" not in target:
        return target
    return ""


def _day(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise AdminError(f"{value!r} is not a date (YYYY-MM-DD).") from e

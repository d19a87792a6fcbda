"""The HTML pages: log in or sign up (sets the `chat_session` cookie), the room list, a room.

Templates and static files belong to the front-end; this module passes them exactly the context
of the page contract. A form post that carries a foreign `Origin` is refused (403).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capstone.chat import end_sessions, find_room, is_member, join_room, member_room_ids
from capstone.middleware import DOOR_HEADER
from capstone.models import Room, User
from capstone.routes.auth import UsernameTaken, sign_in, sign_up
from capstone.routes.deps import ChatDep
from capstone.schemas import Credentials
from capstone.security import (
    COOKIE_NAME,
    PageUser,
    SessionDep,
    SettingsDep,
    origin_allowed,
    start_session,
    token_claims,
)
from capstone.settings import PACKAGE_DIR, Settings

TEMPLATES_DIR = PACKAGE_DIR / "templates"
templates = Jinja2Templates(directory=Path(TEMPLATES_DIR))

router = APIRouter(include_in_schema=False)


async def same_origin(request: Request, settings: SettingsDep) -> None:
    """The cookie rides along on other sites' form posts: a post must say where it comes from
    (`Origin`, or the `Referer` of a browser that sends no `Origin`), and that must be this
    site (403 otherwise)."""
    origin = request.headers.get("origin") or referer_origin(request.headers.get("referer"))
    if not origin_allowed(settings, origin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Origin not allowed")


def referer_origin(referer: str | None) -> str | None:
    """`scheme://host[:port]` of a Referer, the form an `Origin` takes; None for anything else."""
    if not referer:
        return None
    try:
        url = urlsplit(referer)
        url.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        return None
    return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else None


class SignInForm(BaseModel):
    """Both forms of the login page: checked as `Credentials` only when signing up."""

    username: str
    password: str


SignIn = Annotated[SignInForm, Form()]


async def _signed_in(session: AsyncSession, settings: Settings, user: User) -> RedirectResponse:
    token = await start_session(session, settings, user)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.access_token_minutes * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = status.HTTP_200_OK
) -> Response:
    """A page. `no-store`: a page shows who is signed in and what they may see, so neither the
    browser's back button after logging out nor a shared cache may show it again."""
    page = templates.TemplateResponse(request, name, context, status_code=status_code)
    page.headers["Cache-Control"] = "no-store"
    return page


def _login_page(
    request: Request,
    code: int,
    error: str | None,
    username: str = "",
    *,
    register: dict[str, Any] | None = None,
) -> Response:
    """The login page. `error` and `username` belong to the *Log in* form; `register` holds what
    the *Sign up* form was given back: its `username` and its errors, per field
    (`username`, `password`) or for the form as a whole (`form`)."""
    context: dict[str, Any] = {
        "error": error,
        "username": username,
        "register": register or {"username": "", "errors": {}},
    }
    return render(request, "login.html", context, status_code=code)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)


# Said next to the sign-up field a refused value came from.
FIELD_RULES = {
    "username": "Use 3 to 32 letters, digits, '-' or '_'.",
    "password": "Use at least 8 characters (at most 128).",
}


@router.get("/", response_class=HTMLResponse)
async def rooms_page(request: Request, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return _to_login()
    mine = await member_room_ids(session, user)
    rooms = await session.scalars(select(Room).order_by(Room.name))
    context = {
        "user": {"username": user.username},
        "rooms": [{"name": room.name, "member": room.id in mine} for room in rooms],
    }
    return render(request, "rooms.html", context)


# `/register` is where the sign-up form posts, so it is the address a refused sign-up shows:
# pressing Enter in the address bar there must give the page again, not a 405.
@router.get("/login", response_class=HTMLResponse)
@router.get("/register", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _login_page(request, status.HTTP_200_OK, None)


# What the login page says for a refusal the API answers with an HTTPException.
REFUSALS = {
    status.HTTP_401_UNAUTHORIZED: "Wrong username or password.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many attempts. Try again in {retry} seconds.",
    status.HTTP_503_SERVICE_UNAVAILABLE: "The server is busy. Try again in a moment.",
}
AT_THE_DOOR = {status.HTTP_429_TOO_MANY_REQUESTS: "Too many attempts from here. Try again later."}


def _refused(
    request: Request, exc: HTTPException, username: str, *, signing_up: bool = False
) -> Response:
    retry = (exc.headers or {}).get("Retry-After")
    error = REFUSALS[exc.status_code].format(retry=retry)
    if DOOR_HEADER in (exc.headers or {}):
        # The door shows this very page to the address's next tries, whoever makes them: it
        # names no one's username, and no count of seconds that would go stale.
        error, username = AT_THE_DOOR.get(exc.status_code, error), ""
    if signing_up:
        register = {"username": username, "errors": {"form": error}}
        page = _login_page(request, exc.status_code, None, register=register)
    else:
        page = _login_page(request, exc.status_code, error, username)
    for name in ("Retry-After", DOOR_HEADER):  # a throttle's: the door may answer repeats
        if name in (exc.headers or {}):
            page.headers[name] = (exc.headers or {})[name]
    return page


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(same_origin)])
async def login(
    request: Request, form: SignIn, session: SessionDep, settings: SettingsDep, chat: ChatDep
) -> Response:
    try:
        user = await sign_in(request, chat, session, form.username, form.password)
    except HTTPException as exc:
        return _refused(request, exc, form.username)
    return await _signed_in(session, settings, user)


@router.post("/register", response_class=HTMLResponse, dependencies=[Depends(same_origin)])
async def register(
    request: Request, form: SignIn, session: SessionDep, settings: SettingsDep, chat: ChatDep
) -> Response:
    username = form.username
    try:
        credentials = Credentials(username=username, password=form.password)
    except ValidationError as exc:
        fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        errors = {name: rule for name, rule in FIELD_RULES.items() if name in fields}
        return _login_page(
            request,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            None,
            register={"username": username, "errors": errors},
        )
    try:
        user = await sign_up(request, chat, session, credentials)
    except UsernameTaken:
        errors = {"username": "That username is taken: choose another one."}
        register = {"username": username, "errors": errors}
        return _login_page(request, status.HTTP_409_CONFLICT, None, register=register)
    except HTTPException as exc:
        return _refused(request, exc, username, signing_up=True)
    return await _signed_in(session, settings, user)


@router.post("/logout", dependencies=[Depends(same_origin)])
async def logout(
    request: Request, session: SessionDep, settings: SettingsDep, chat: ChatDep
) -> RedirectResponse:
    """Ends this browser's login on every worker (its sockets close), then forgets the cookie."""
    token = request.cookies.get(COOKIE_NAME)
    claims = token_claims(settings, token) if token else None
    if claims is not None:
        await end_sessions(chat, session, session_id=claims.session_id)
    response = _to_login()
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


@router.get("/logout")
def logout_address() -> RedirectResponse:
    """The address the *Log out* form posts to, typed or reloaded: a visit logs no one out (a
    link on another site could make it), it only leads on to the rooms or the login page."""
    return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/rooms/{room}", response_class=HTMLResponse)
async def room_page(request: Request, room: str, user: PageUser, session: SessionDep) -> Response:
    found = await _page_room(request, room, user, session)
    if not isinstance(found, Room):
        return found
    assert user is not None  # `_page_room` answered for a signed-out visitor
    context = {"user": {"username": user.username}, "room": {"name": found.name}}
    if not await is_member(session, found, user):
        # Joining is an explicit post: a link on another site must not make anyone a member.
        return render(request, "join.html", context)
    return render(request, "room.html", context)


@router.post("/rooms/{room}/join", dependencies=[Depends(same_origin)])
async def join_page(request: Request, room: str, user: PageUser, session: SessionDep) -> Response:
    found = await _page_room(request, room, user, session)
    if not isinstance(found, Room):
        return found
    assert user is not None
    await join_room(session, found, user)
    return RedirectResponse(f"/rooms/{found.name}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/rooms/{room}/join")
def join_address(room: str) -> RedirectResponse:
    """The address the join form posts to, typed or reloaded: the room's page, which offers the
    join button to a non-member (a visit joins nothing)."""
    return RedirectResponse(f"/rooms/{quote(room, safe='')}", status_code=status.HTTP_303_SEE_OTHER)


async def _page_room(
    request: Request, room: str, user: User | None, session: AsyncSession
) -> Room | Response:
    """The room a signed-in visitor asks for, or the page to answer with instead: the login
    page for no one, a 404 page for a room that is not there."""
    if user is None:
        return _to_login()
    found = await find_room(session, room)
    return found if found is not None else _room_not_found(request, user, room)


def _room_not_found(request: Request, user: User, room: str) -> Response:
    return render(
        request,
        "404.html",
        {"user": {"username": user.username}, "room": {"name": room}},
        status_code=status.HTTP_404_NOT_FOUND,
    )

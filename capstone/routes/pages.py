"""The HTML pages: log in or sign up (sets the `chat_session` cookie), the room list, a room.

Templates and static files belong to the front-end; this module passes them exactly the context
of the page contract. A form post that carries a foreign `Origin` is refused (403).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from capstone.chat import find_room, join_room, member_room_ids
from capstone.models import Room, User
from capstone.routes.auth import UsernameTaken, sign_in, sign_up
from capstone.routes.deps import ChatDep
from capstone.schemas import Credentials
from capstone.security import (
    COOKIE_NAME,
    PageUser,
    SessionDep,
    SettingsDep,
    create_access_token,
    origin_allowed,
)
from capstone.settings import PACKAGE_DIR, Settings

TEMPLATES_DIR = PACKAGE_DIR / "templates"
templates = Jinja2Templates(directory=Path(TEMPLATES_DIR))

router = APIRouter(include_in_schema=False)


def same_origin(request: Request, settings: SettingsDep) -> None:
    """The cookie rides along on other sites' form posts: refuse a foreign `Origin` (403)."""
    origin = request.headers.get("origin")
    if origin is not None and not origin_allowed(settings, origin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Origin not allowed")


class SignInForm(BaseModel):
    """Both forms of the login page: checked as `Credentials` only when signing up."""

    username: str
    password: str


SignIn = Annotated[SignInForm, Form()]


def _signed_in(settings: Settings, user: User) -> RedirectResponse:
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        create_access_token(settings, user.id),
        max_age=settings.access_token_minutes * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


def _login_page(request: Request, code: int, error: str | None, username: str = "") -> Response:
    context: dict[str, Any] = {"error": error, "username": username}
    return templates.TemplateResponse(request, "login.html", context, status_code=code)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)


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
    return templates.TemplateResponse(request, "rooms.html", context)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _login_page(request, status.HTTP_200_OK, None)


# What the login page says for a refusal the API answers with an HTTPException.
REFUSALS = {
    status.HTTP_401_UNAUTHORIZED: "Wrong username or password.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many attempts. Try again in {retry} seconds.",
    status.HTTP_503_SERVICE_UNAVAILABLE: "The server is busy. Try again in a moment.",
}


def _refused(request: Request, exc: HTTPException, username: str) -> Response:
    retry = (exc.headers or {}).get("Retry-After")
    page = _login_page(
        request, exc.status_code, REFUSALS[exc.status_code].format(retry=retry), username
    )
    if retry is not None:
        page.headers["Retry-After"] = retry
    return page


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(same_origin)])
async def login(
    request: Request, form: SignIn, session: SessionDep, settings: SettingsDep, chat: ChatDep
) -> Response:
    try:
        user = await sign_in(request, chat, session, form.username, form.password)
    except HTTPException as exc:
        return _refused(request, exc, form.username)
    return _signed_in(settings, user)


@router.post("/register", response_class=HTMLResponse, dependencies=[Depends(same_origin)])
async def register(
    request: Request, form: SignIn, session: SessionDep, settings: SettingsDep, chat: ChatDep
) -> Response:
    username = form.username
    try:
        credentials = Credentials(username=username, password=form.password)
    except ValidationError:
        return _login_page(
            request,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Choose a username of 3 to 32 letters, digits, '-' or '_', "
            "and a password of at least 8 characters.",
            username,
        )
    try:
        user = await sign_up(request, chat, session, credentials)
    except UsernameTaken:
        return _login_page(request, status.HTTP_409_CONFLICT, "That username is taken.", username)
    except HTTPException as exc:
        return _refused(request, exc, username)
    return _signed_in(settings, user)


@router.post("/logout", dependencies=[Depends(same_origin)])
def logout() -> RedirectResponse:
    response = _to_login()
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


@router.get("/rooms/{room}", response_class=HTMLResponse)
async def room_page(request: Request, room: str, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return _to_login()
    found = await find_room(session, room)
    if found is None:
        return templates.TemplateResponse(
            request,
            "404.html",
            {"user": {"username": user.username}, "room": {"name": room}},
            status_code=status.HTTP_404_NOT_FOUND,
        )
    await join_room(session, found, user)
    context = {"user": {"username": user.username}, "room": {"name": found.name}}
    return templates.TemplateResponse(request, "room.html", context)

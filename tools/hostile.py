"""A hostile-input run against the chat on a real uvicorn: any input must get a 4xx or a close.

    uv run python -m tools.hostile [--inputs N] [--seed S]

Starts `capstone.main:app` the way every other run serves it (`capstone.cluster.Uvicorn` with
`chat_serve_args`, SQLite in a temporary folder, its own secret), signs up two users and a room,
then sends N seeded, generated inputs, one at a time, to every path in the OpenAPI document, the
pages and the room socket: odd bodies, query strings, path parameters, headers and forged tokens,
uploads, raw HTTP that a client library would tidy away, and raw WebSocket frames. It prints a
table of the statuses seen per class of input, every 5xx and every traceback or ERROR line in the
server's log (with the input that was in flight when it was written), and exits 1 if there is any.
Traffic goes to 127.0.0.1 only. The same seed gives the same inputs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import jwt

from capstone.cluster import Uvicorn, chat_serve_args, free_port

MAX_MESSAGE = 16384
PASSWORD = "hostile-run-password-1"
PARALLEL = 8  # inputs in flight at once
READ_TIMEOUT = 10.0  # an answer slower than this is recorded as "timeout", not waited for
PAGES = ["/", "/login", "/rooms/{room}"]
PAGE_POSTS = ["/login", "/register", "/logout", "/rooms/{room}/join"]
# Hit with a real token these would end the session or the account the run needs.
DESTRUCTIVE = {("DELETE", "/api/users/me"), ("POST", "/api/auth/logout"), ("POST", "/logout")}

# ---- hostile values ------------------------------------------------------------------------------

TEXTS = [
    "", " ", "a" * 41, "A", "-", "..", "../../etc/passwd", "..%2f..%2f", "\x00", "a\x00b",
    "%00", "\r\nSet-Cookie: x=1", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:x}",
    "\u202e\u0645", "😀" * 50, "\ufeff", "\uffff", "NaN", "-1", "0", "1e999", "9" * 40,
    str(2**63), str(-(2**63) - 1), str(2**64), "1.5", "true", "null", "[]", "{}", "general",
    "%ff%fe", "%zz", "\t", "a" * 5000,
]  # fmt: skip
JSON_VALUES: list[Any] = [
    None, True, 0, -1, 2**63, -(2**63) - 1, 2**64, 10**400, 1.5, 1e308, "", "x" * 70000,
    [], {}, [1, 2], {"a": 1}, "\x00", "😀",
]  # fmt: skip
JSON_TEXTS = [
    "", "{", "}", "[", "null", "0", '"x"', "[]", "{}", '{"text": "\\ud800"}', '{"name": "\\udfff"}',
    '{"username": "\\ud83d", "password": "x"}', '{"text": 1e999}', '{"text": NaN}',
    '{"a": Infinity}', '{"name": 1' + "0" * 5000 + "}", '{"text": "a", "text": "b"}',
    '{"client_msg_id": "' + "0" * 36 + '", "text": "x"}', '{"\\u0000": "\\u0000"}',
]  # fmt: skip
RAW_BYTES = [
    b"\xff\xfe\xfd", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00" * 16, b"\xf4\x90\x80\x80",
    b'{"text": "\xff"}', b'{"name": "\xc0\xaf"}', b"username=\xff&password=\xfe",
]  # fmt: skip
CONTENT_TYPES = [
    None, "application/json", "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x",
    "application/json; charset=latin-1", "application/json; charset=utf-16", "\x7f", "*/*",
    "application/octet-stream", "application/x-www-form-urlencoded; charset=nope",
]  # fmt: skip
AUTH_SCHEMES = [
    "", "Bearer", "Bearer ", "bearer {t}", "Basic dXNlcjpwYXNz", "Digest x", "Bearer {t} {t}",
    "Bearer {t}x", "Bearer " + "a" * 9000, "Token {t}", "Bearer\t{t}", "Bearer a.b.c",
    "Bearer ....", "Bearer eyJ", "Bearer %00",
]  # fmt: skip


def nested(rng: random.Random) -> str:
    depth = rng.choice([100, 1000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    return opener * depth + "1" + closer * depth


def random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([1, 7, 64, 1024, 70_000]))


def hostile_text(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(1, 60)))
    return rng.choice(TEXTS)


# ---- the server and its two users ----------------------------------------------------------------


@dataclass
class Target:
    server: Uvicorn
    secret: str
    token: str  # alice's, who is in every room the run creates
    other_token: str  # bob's, who joins nothing
    room: str
    paths: list[tuple[str, str, dict[str, Any]]]  # (method, path, operation) from the OpenAPI

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@contextmanager
def chat_server(folder: Path) -> Iterator[tuple[Uvicorn, str]]:
    port = free_port()
    secret = secrets.token_urlsafe(48)
    env = {
        "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'chat.db'}",
        "CHAT_SECRET_KEY": secret,
        "CHAT_UPLOAD_DIR": str(folder / "uploads"),
        "CHAT_ALLOWED_ORIGINS": json.dumps([f"http://127.0.0.1:{port}"]),
        "CHAT_MAX_MESSAGE_BYTES": str(MAX_MESSAGE),
        "CHAT_RATE_LIMIT_MESSAGES": "1000000",
    }
    server = Uvicorn("capstone.main:app", port, env, chat_serve_args(MAX_MESSAGE))
    server.start(60.0)
    try:
        yield server, secret
    finally:
        server.stop()


async def sign_up(http: httpx2.AsyncClient, name: str) -> str:
    response = await http.post("/api/auth/register", json={"username": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    response = await http.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def prepare(server: Uvicorn, secret: str) -> Target:
    url = f"http://127.0.0.1:{server.port}"
    async with httpx2.AsyncClient(base_url=url, trust_env=False) as http:
        alice = await sign_up(http, "alice")
        bob = await sign_up(http, "bob")
        auth = {"Authorization": f"Bearer {alice}"}
        for room in ("hostile", "second"):
            response = await http.post("/api/rooms", json={"name": room}, headers=auth)
            assert response.status_code == 201, response.text
        schema = (await http.get("/openapi.json")).json()
    paths = [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    paths += [("GET", page, {}) for page in PAGES if not any(p == page for _, p, _ in paths)]
    paths += [("POST", page, {}) for page in PAGE_POSTS if ("POST", page, {}) not in paths]
    return Target(server, secret, alice, bob, "hostile", paths)


# ---- one input and what came back ----------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    label: str
    status: str
    log_from: int = 0  # the server's log line count when the input was sent
    log_to: int = 0  # and when its answer came


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def server_errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status.startswith("5")]

    def log_errors(self) -> list[tuple[str, list[Outcome]]]:
        """Each traceback or ERROR line of the log, with the inputs in flight when it was read
        (inputs run side by side, and the log is read a moment late, so one of these)."""
        found = []
        for index, line in enumerate(self.log):
            if "Traceback" in line or line.startswith("ERROR") or " ERROR " in line:
                if "Traceback" in line:  # the exception's own line says more than the header
                    rest = [x for x in self.log[index + 1 :] if x[:1] not in (" ", "\t")]
                    line = f"Traceback: {rest[0].strip() if rest else '?'}"
                found.append((line.rstrip(), self.suspects(index)))
        return found

    def suspects(self, index: int) -> list[Outcome]:
        during = [o for o in self.outcomes if o.log_from <= index <= o.log_to]
        before = [o for o in self.outcomes if o.log_to < index]
        return during or before[-1:]


Probe = Callable[[], Awaitable[str]]


def with_path(path: str, value: str) -> str:
    """The path with each of its parameters replaced by `value`."""
    return path.replace("{room}", value).replace("{attachment_id}", value).replace("{id}", value)


def fill(path: str, target: Target) -> str:
    return path.replace("{room}", target.room).replace("{attachment_id}", "1").replace("{id}", "1")


def auth_for(method: str, path: str, target: Target, rng: random.Random) -> dict[str, str]:
    if (method, path) in DESTRUCTIVE:
        return {"Authorization": f"Bearer {forge(target, rng)}"}
    roll = rng.random()
    if roll < 0.6:
        return {
            "Authorization": f"Bearer {target.token}",
            "Origin": target.url,
            "Cookie": f"chat_session={target.token}",
        }
    if roll < 0.8:
        return {"Authorization": f"Bearer {target.other_token}"}
    return {}


def forge(target: Target, rng: random.Random) -> str:
    """A token that must be refused: unsigned, signed with another key, expired, or odd claims."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "1", "sid": "x", "jti": "j", "iat": now, "exp": now + 600, "iss": "chat",
        "aud": "chat",
    }  # fmt: skip
    kind = rng.randrange(10)
    if kind == 0:
        head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{head}.{body}."
    if kind == 1:
        return jwt.encode(claims, "another-key-" * 4, algorithm="HS256")
    if kind == 2:
        claims["exp"] = now - 10
    if kind == 3:
        del claims[rng.choice(list(claims))]
    if kind == 4:
        claims["sub"] = rng.choice(["abc", str(2**70), "-1", "", "1.5", "\x00", 7, None, [1]])
    if kind == 5:
        claims["sid"] = rng.choice([None, 1, "\x00", "x" * 5000, {"a": 1}])
    if kind == 6:
        claims[rng.choice(["iat", "exp"])] = rng.choice(["soon", 10**30, -(10**30), 1.5e300])
    if kind == 7:
        return jwt.encode(claims, target.secret, algorithm="HS512")
    if kind == 8:
        return rng.choice(["a.b.c", "..", "e30.e30.", "x" * 3000, "\u00e9.\u00e9.\u00e9", "%00"])
    headers = {"typ": rng.choice(["at+jwt", "JWT", "ticket", None]), "kid": "../../x"}
    return jwt.encode(claims, target.secret, algorithm="HS256", headers=headers)


async def send(
    http: httpx2.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    **kwargs: Any,
) -> str:
    try:
        response = await http.request(method, url, headers=headers, content=content, **kwargs)
    except httpx2.TimeoutException:
        return "timeout"
    except httpx2.HTTPError as exc:
        return f"error {type(exc).__name__}"
    except (httpx2.InvalidURL, ValueError) as exc:  # the client would not send it: not a finding
        return f"unsent {type(exc).__name__}"
    return str(response.status_code)


# ---- the classes of input ------------------------------------------------------------------------


def body_probe(http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    method, path, _ = rng.choice([p for p in target.paths if p[0] != "GET"] or target.paths)
    roll = rng.randrange(6)
    if roll == 0:
        content, what = random_bytes(rng), "random bytes"
    elif roll == 1:
        content, what = rng.choice(RAW_BYTES), "invalid UTF-8"
    elif roll == 2:
        content, what = rng.choice(JSON_TEXTS).encode(), "odd JSON"
    elif roll == 3:
        content, what = nested(rng).encode(), "deep nesting"
    elif roll == 4:
        fields = ["username", "password", "name", "text", "client_msg_id", "grant_type"]
        value = {f: rng.choice(JSON_VALUES) for f in rng.sample(fields, rng.randrange(1, 4))}
        content, what = json.dumps(value).encode(), "odd field values"
    else:
        pairs = {rng.choice(["username", "password", "name", "x"]): hostile_text(rng)}
        content, what = "&".join(f"{k}={quote(v)}" for k, v in pairs.items()).encode(), "form"
    headers = auth_for(method, path, target, rng)
    content_type = rng.choice(CONTENT_TYPES)
    if content_type is not None:
        headers["Content-Type"] = content_type
    label = f"{method} {path} {what} ({len(content)} bytes, {content_type})"
    return label, lambda: send(http, method, fill(path, target), headers, content)


def query_probe(http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    method, path, operation = rng.choice(target.paths)
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    names += ["after", "before", "limit", "since", "next", "x"]
    parts = []
    for _ in range(rng.randrange(1, 4)):
        value = hostile_text(rng)
        encoded = value if value.startswith("%") else quote(value, safe="")
        parts.append(f"{rng.choice(names)}={encoded}")
    query = "&".join(parts)
    headers = auth_for(method, path, target, rng) if (method, path) not in DESTRUCTIVE else {}
    label = f"{method} {path}?{query[:120]}"
    return label, lambda: send(http, method, f"{fill(path, target)}?{query}", headers)


def path_probe(http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    method, path, _ = rng.choice([p for p in target.paths if "{" in p[1]])
    value = hostile_text(rng)
    encoded = (
        value if value.startswith("%") else quote(value, safe="" if rng.random() < 0.8 else "/")
    )
    encoded = encoded.replace("/", "%2F") if rng.random() < 0.5 else encoded
    url = with_path(path, encoded).replace("\x00", "%00").replace("\r\n", "%0D%0A")
    headers = auth_for(method, path, target, rng)
    return f"{method} {url[:120]}", lambda: send(http, method, url, headers, b"{}")


def header_probe(http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    method, path, _ = rng.choice(target.paths)
    token = forge(target, rng)
    headers: dict[str, str] = {}
    roll = rng.randrange(4)
    if roll == 0:
        headers["Authorization"] = rng.choice(AUTH_SCHEMES).replace("{t}", token)
        what = "odd Authorization"
    elif roll == 1:
        headers["Authorization"] = f"Bearer {token}"
        what = "forged token"
    elif roll == 2:
        value = rng.choice([token, "", '"', "a;b", "x" * 5000, target.token + "x", "%00"])
        headers["Cookie"] = rng.choice([f"chat_session={value}", f"chat_session={value}; a=b=c"])
        headers["Origin"] = rng.choice([target.url, "null", "http://evil.example", "\x7f"])
        what = "odd cookie"
    else:
        headers["Origin"] = rng.choice(["null", "http://evil.example", "file://", "a" * 4000])
        headers["Cookie"] = f"chat_session={target.token}"
        what = "foreign Origin with the cookie"
    if (method, path) in DESTRUCTIVE and "Cookie" in headers:
        headers["Cookie"] = "chat_session=forged"
    try:
        headers = {k: v.encode("latin-1").decode("ascii") for k, v in headers.items()}
    except UnicodeError:
        headers = {"Authorization": "Bearer x"}
    label = f"{method} {path} {what}: {str(headers)[:100]}"
    return label, lambda: send(http, method, fill(path, target), headers, b"")


def upload_probe(http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    room = target.room if rng.random() < 0.8 else rng.choice(["second", "nope", "%00"])
    url = f"/api/rooms/{room}/attachments"
    filename = rng.choice(
        ["../../etc/passwd", "a\x00.png", "x" * 5000, "", ".", "..", "😀.txt", "a/b\\c.js",
         "CON", "\r\n.html", "file.html", "%2e%2e%2f", hostile_text(rng)]
    )  # fmt: skip
    declared = rng.choice(
        ["image/png", "text/html", "application/x-msdownload", "", "x", "text/html; charset=\x7f"]
    )
    body = rng.choice([b"", b"<script>alert(1)</script>", b"\x89PNG\r\n", random_bytes(rng)])
    field_name = rng.choice(["file", "upload", ""])
    boundary = "hostile-boundary"
    safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
        f'filename="{safe_name}"\r\nContent-Type: {declared}\r\n\r\n'
    ).encode("utf-8", "surrogatepass")
    content = part + body + f"\r\n--{boundary}--\r\n".encode()
    if rng.random() < 0.2:
        content = content[: rng.randrange(len(content))]  # cut short: a torn multipart body
    headers = auth_for("POST", "/api/rooms/{room}/attachments", target, rng)
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    label = f"POST {url} filename={filename[:40]!r} as {declared!r}, {len(body)} bytes"
    return label, lambda: send(http, "POST", url, headers, content)


# Raw HTTP: what httpx would refuse or tidy (header bytes, framing, the request line itself).
RAW_REQUESTS = [
    b"GET /api/rooms HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
    b"GET /rooms/\xff\xfe HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET /api/rooms/%ff/messages HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}"
    b"\r\n\r\n",
    b"GET /api/rooms?after=%ff%fe HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}"
    b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: {host}\r\nCookie: chat_session=\xff\xfe\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: \xff\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: {host}\r\n\r\n",
    b"BREW / HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET http://evil.example/ HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: {host}\r\n" + b"X-Many: a\r\n" * 2000 + b"\r\n",
    b"GET / HTTP/1.1\r\nHost: {host}\r\nBad Header: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: {host}\r\nX: a\x00b\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n"
    b"Content-Length: 3\r\n\r\n{}",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Length: 99999999999999999999"
    b"\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: gzip, chunked\r\n"
    b"\r\n0\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\nfffffffffffffffffff\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: \xff\r\n\r\n",
    b"POST /api/auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\n\r\n{}GARBAGE / HTTP/1.1\r\n\r\n",
    b"POST /api/rooms HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
    b"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{\"name\": \"\xff\"}",
    b"POST /api/rooms/{room}/messages HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
    b"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    b"{\"text\": \"\xed\xa0\x80\"}    ",
    b"POST /login HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
    b"username=\xff&password=\xfe\xfd\xfc\xfb\xfa\xf9\xf8",
    b"POST /api/auth/token HTTP/1.1\r\nHost: {host}\r\n"
    b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 40\r\n\r\n"
    b"--b\r\nContent-Disposition: form-data\r\n\r\n",
]  # fmt: skip


async def raw_exchange(port: int, request: bytes) -> str:
    """Send bytes as they are and return the status of the first answer, or what happened."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return f"error {type(exc).__name__}"
    try:
        writer.write(request)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
    except TimeoutError:
        return "timeout"
    except OSError:
        return "reset"
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    parts = line.split()
    return parts[1].decode("ascii", "replace") if len(parts) > 1 else "closed"


def raw_probe(_http: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    template = rng.choice(RAW_REQUESTS)
    request = (
        template.replace(b"{host}", f"127.0.0.1:{target.server.port}".encode())
        .replace(b"{token}", target.token.encode())
        .replace(b"{room}", target.room.encode())
    )
    _head, _, body = request.partition(b"\r\n\r\n")
    request = request.replace(b"{length}", str(len(body)).encode())
    label = repr(request[:110])
    return label, lambda: raw_exchange(target.server.port, request)


# ---- the socket, through a raw client: any frame the server might be sent ------------------------


def ws_frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0) -> bytes:
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 1 << 16:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + size.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def socket_frames(rng: random.Random) -> tuple[str, list[bytes]]:
    roll = rng.randrange(9)
    if roll == 0:
        text = rng.choice([*JSON_TEXTS, "not json", "[1,2]", '"message"', nested(rng)[:20000]])
        return "invalid JSON", [ws_frame(1, text.encode())]
    if roll == 1:
        frame = {"type": rng.choice(["message", "typing", "ack", "", None, 1, "x" * 300])}
        frame |= {rng.choice(["text", "client_msg_id", "room"]): rng.choice(JSON_VALUES[:16])}
        return "wrong types", [ws_frame(1, json.dumps(frame).encode())]
    if roll == 2:
        size = rng.choice([MAX_MESSAGE + 1, MAX_MESSAGE + 5000, 200_000])
        return f"oversized frame ({size} bytes)", [ws_frame(1, b"a" * size)]
    if roll == 3:
        return "binary frame", [ws_frame(2, random_bytes(rng)[:20000])]
    if roll == 4:
        return "invalid UTF-8 text", [ws_frame(1, rng.choice(RAW_BYTES))]
    if roll == 5:
        after = ws_frame(1, b'{"type": "typing"}')
        return "frames after close", [ws_frame(8, (1000).to_bytes(2, "big")), after, after]
    if roll == 6:
        odd = [
            ws_frame(3, b"x"), ws_frame(1, b"{", fin=False) + ws_frame(2, b"}"),
            ws_frame(0, b"stray continuation"), ws_frame(1, b"{}", rsv=4),
            ws_frame(9, b"p" * 200), ws_frame(8, b"\x03"), ws_frame(8, b"\x03\xe8\xff"),
            ws_frame(8, (999).to_bytes(2, "big")),
        ]  # fmt: skip
        return "protocol violations", [rng.choice(odd)]
    if roll == 7:
        message = {"type": "message", "text": hostile_text(rng), "client_msg_id": hostile_text(rng)}
        return "hostile message", [ws_frame(1, json.dumps(message).encode())]
    return "valid message", [ws_frame(1, json.dumps({"type": "typing"}).encode())]


def handshake(target: Target, rng: random.Random) -> tuple[str, bytes]:
    room = target.room
    origin = target.url
    cookie = f"chat_session={target.token}"
    query = "since=0"
    roll = rng.randrange(10)
    what = "member"
    if roll == 0:
        origin, what = rng.choice(["http://evil.example", "null", "", "\xff"]), "foreign origin"
    elif roll == 1:
        cookie, query, what = "", f"ticket={quote(hostile_text(rng))}", "bad ticket"
    elif roll == 2:
        cookie, what = f"chat_session={forge(target, rng)}", "forged cookie"
    elif roll == 3:
        query, what = f"since={quote(hostile_text(rng))}", "odd since"
    elif roll == 4:
        room, what = quote(hostile_text(rng), safe="") or "x", "odd room"
    elif roll == 5:
        cookie, what = f"chat_session={target.other_token}", "not a member"
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/rooms/{room}?{query} HTTP/1.1\r\nHost: 127.0.0.1:{target.server.port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n\r\n"
    )
    return what, request.encode("latin-1", "replace")


async def socket_exchange(port: int, request: bytes, frames: list[bytes]) -> str:
    """Handshake, send the frames and a close, and say how it went: the status if refused, else
    whether an error frame came and the close code the server sent."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return f"error {type(exc).__name__}"
    try:
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        status = head.split()[1].decode()
        if status != "101":
            return status
        for frame in frames:
            writer.write(frame)
        writer.write(ws_frame(8, (1000).to_bytes(2, "big")))
        await writer.drain()
        return await asyncio.wait_for(read_until_close(reader), READ_TIMEOUT)
    except TimeoutError:
        return "timeout"
    except (OSError, asyncio.IncompleteReadError):
        return "101 dropped"
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def read_until_close(reader: asyncio.StreamReader) -> str:
    seen_error = False
    while True:
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(size)
        if first & 0x0F == 8:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            return f"101 {'error frame, ' if seen_error else ''}close {code}"
        seen_error = seen_error or b'"type":"error"' in payload.replace(b" ", b"")


def socket_probe(_h: httpx2.AsyncClient, target: Target, rng: random.Random) -> tuple[str, Probe]:
    who, request = handshake(target, rng)
    what, frames = socket_frames(rng)
    label = f"socket ({who}): {what}"
    return label, lambda: socket_exchange(target.server.port, request, frames)


CLASSES: dict[str, Callable[[httpx2.AsyncClient, Target, random.Random], tuple[str, Probe]]] = {
    "body": body_probe,
    "query": query_probe,
    "path": path_probe,
    "header": header_probe,
    "upload": upload_probe,
    "raw http": raw_probe,
    "socket": socket_probe,
}


# ---- the run -------------------------------------------------------------------------------------


async def throw(
    target: Target, inputs: int, seed: int, report: Report, parallel: int = PARALLEL
) -> None:
    """Send `inputs` generated inputs, `parallel` at a time, noting where the server's log stood.
    The inputs are all drawn first, so a seed gives the same ones whatever the timing."""
    rng = random.Random(seed)
    kinds = list(CLASSES)
    timeout = httpx2.Timeout(READ_TIMEOUT)
    limits = httpx2.Limits(max_connections=parallel)
    async with httpx2.AsyncClient(
        base_url=target.url, trust_env=False, timeout=timeout, limits=limits
    ) as http:
        drawn = []
        for _ in range(inputs):
            kind = rng.choice(kinds)
            drawn.append((kind, *CLASSES[kind](http, target, rng)))
        queue = iter(drawn)

        async def worker() -> None:
            for kind, label, probe in queue:
                log_from = len(target.server.lines)
                status = await probe()
                outcome = Outcome(kind, label, status, log_from, len(target.server.lines))
                report.outcomes.append(outcome)

        await asyncio.gather(*(worker() for _ in range(parallel)))


def run(inputs: int, seed: int) -> Report:
    """Start a chat, throw `inputs` inputs at it, stop it, and return what came back."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="chat-hostile-") as folder:
        with chat_server(Path(folder)) as (server, secret):

            async def main() -> None:
                target = await prepare(server, secret)
                await throw(target, inputs, seed, report)

            asyncio.run(main())
        report.log = list(server.lines)
    return report


def summary(report: Report, shown: int = 5) -> str:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in report.outcomes:
        by_kind[outcome.kind][outcome.status] += 1
    rows = [f"{'class':<10} {'inputs':>7}  statuses seen"]
    for kind, statuses in sorted(by_kind.items()):
        seen = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        rows.append(f"{kind:<10} {sum(statuses.values()):>7}  {seen}")
    errors, logged = report.server_errors(), report.log_errors()
    rows.append(f"\n{len(report.outcomes)} inputs, {len(errors)} answered 5xx")
    for outcome in errors[:shown]:
        rows.append(f"  {outcome.status} <- [{outcome.kind}] {outcome.label}")
    rows.append(f"{len(logged)} traceback or ERROR lines in the server's log")
    first: dict[str, list[Outcome]] = {}
    for line, suspects in logged:
        first.setdefault(line, suspects)
    counts = Counter(line for line, _ in logged)
    for line, suspects in list(first.items())[:shown]:
        rows.append(f"  {counts[line]} x {line[:160]}")
        rows += [f"    <- [{o.kind}] {o.label}" for o in suspects[:3]] or ["    <- no input yet"]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hostile", description=__doc__)
    parser.add_argument("--inputs", type=int, default=15_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = run(args.inputs, args.seed)
    print(summary(report))
    print(f"{time.monotonic() - started:.0f} s, seed {args.seed}")
    return 1 if report.server_errors() or report.log_errors() else 0


if __name__ == "__main__":
    raise SystemExit(main())

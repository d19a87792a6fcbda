"""The chat's settings, read from the environment with the `CHAT_` prefix.

Lists are JSON: `CHAT_ALLOWED_ORIGINS='["https://chat.example"]'`. Nothing here touches the disk
when a `Settings` is built; `secret()` creates `var/secret_key` the first time it is asked for one
and no `CHAT_SECRET_KEY` was given.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# The project's var/ (ignored by git), found from the package, never from the current directory.
VAR_DIR = PACKAGE_DIR.parent / "var"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'chat.db'}"
    # Upgrade the schema at start-up; when false, a database that is behind stops the start.
    migrate_on_start: bool = True
    redis_url: str | None = None
    secret_key: str | None = None
    allowed_origins: list[str] = ["http://127.0.0.1:8000", "http://localhost:8000"]
    max_message_bytes: int = Field(default=16384, ge=256)
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    # Every other request body (JSON, forms): the largest valid one, a message of 4000 characters
    # each written as a JSON escape, is about 48 KiB.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # A request's line and headers, refused with 431 past either limit (uvicorn has none); the
    # head must be complete this long after its first byte, or the connection is closed.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    max_header_count: int = Field(default=100, ge=10)
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    upload_dir: Path = VAR_DIR / "uploads"
    secret_file: Path = VAR_DIR / "secret_key"

    access_token_minutes: int = Field(default=60 * 24, ge=1)
    ticket_seconds: float = Field(default=30.0, ge=0)
    jwt_algorithm: str = "HS256"
    # Who issues the chat's tokens and who they are for: a token made for another service with
    # the same key (or one of ours shown to it) is refused.
    jwt_issuer: str = "chat"
    jwt_audience: str = "chat"
    # Messages and typing frames a user may send per window, across all of their sockets.
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_seconds: float = Field(default=10.0, gt=0)
    max_sockets_per_user: int = Field(default=5, ge=1)
    # Throttles, each a sliding window shared by every worker; past one, 429 with Retry-After.
    # Failed logins, per account and per client address (a correct password is not counted).
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_seconds: float = Field(default=300.0, gt=0)
    # Sign-ups per client address: loose, as many people may share one address (NAT, a campus).
    registrations_per_address: int = Field(default=100, ge=1)
    registration_window_seconds: float = Field(default=3600.0, gt=0)
    tickets_per_user: int = Field(default=120, ge=1)
    ticket_window_seconds: float = Field(default=60.0, gt=0)
    rooms_per_user: int = Field(default=20, ge=1)
    room_window_seconds: float = Field(default=3600.0, gt=0)
    uploads_per_user: int = Field(default=30, ge=1)
    upload_window_seconds: float = Field(default=3600.0, gt=0)
    # A throttled client's repeats (same path, same address or user) are answered before the
    # app, after this pause: a flood that retries as fast as it is answered waits instead.
    # At most this many such answers per address wait at once; the rest close the connection.
    refusal_delay_seconds: float = Field(default=1.0, ge=0)
    # A request body that stops arriving for this long gets 408 (its connection is closed).
    body_idle_seconds: float = Field(default=30.0, gt=0)
    refusals_held_per_address: int = Field(default=256, ge=0)
    # The total size of the attachments one user may keep stored.
    upload_quota_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    # argon2 runs on this many threads of its own (each hash holds 64 MiB while it runs); this
    # many more hashes may wait for one, and past that a login or sign-up is refused with 503.
    hash_threads: int = Field(default=2, ge=1)
    hash_queue: int = Field(default=8, ge=0)
    # Each worker refreshes its lease and presence this often; another worker's entries count
    # until they are `presence_ttl_seconds` old (several missed beats: a worker that died).
    heartbeat_seconds: float = Field(default=2.0, gt=0)
    presence_ttl_seconds: float = Field(default=10.0, gt=0)
    # Frames waiting for one slow socket before it is evicted with 1013.
    max_socket_backlog: int = Field(default=256, ge=1)
    # How long the 1013 close to an evicted socket may wait for its peer to read again.
    evict_close_timeout: float = Field(default=5.0, gt=0)
    # A seq arriving before the one it follows waits this long for it; then the database is read.
    gap_wait_seconds: float = Field(default=0.05, gt=0)
    # With Redis: how often each worker compares the rooms it follows with their heads in the
    # database, for a lost doorbell of a room's last message.
    head_check_seconds: float = Field(default=1.0, gt=0)
    history_page: int = Field(default=500, ge=1)
    cookie_secure: bool = False

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"must be at least {MIN_SECRET_BYTES} bytes")
        return value

    @model_validator(mode="after")
    def _outlives_a_beat(self) -> Settings:
        if self.presence_ttl_seconds <= self.heartbeat_seconds:
            # Or every worker's users would blink out of the room between two beats.
            raise ValueError("presence_ttl_seconds must be longer than heartbeat_seconds")
        return self

    def secret(self) -> str:
        """The signing key: the configured one, or one generated once and kept under var/."""
        if self.secret_key is None:
            self.secret_key = load_or_create_secret(self.secret_file)
        return self.secret_key


def load_or_create_secret(
    path: Path, wait: float = 5.0, pause: Callable[[float], None] = time.sleep
) -> str:
    """The key in `path`, created by whichever worker gets there first.

    `O_EXCL` makes the creation a race with one winner: every other worker reads the winner's
    key, waiting (at most `wait` seconds) while the file exists but is still empty. The key goes
    in with one `write`, so a reader sees all of it or none.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Created 0600: never world-readable, not for an instant.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path, wait, pause)
    value = secrets.token_urlsafe(48)
    try:
        written = os.write(fd, value.encode())
    finally:
        os.close(fd)
    if written != len(value):
        raise RuntimeError(f"could not write the whole secret key to {path}")
    return value


def _read_secret(path: Path, wait: float, pause: Callable[[float], None]) -> str:
    deadline = time.monotonic() + wait
    while True:
        value = path.read_text().strip()
        if len(value.encode()) >= MIN_SECRET_BYTES:
            return value
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"{path} holds no usable secret key: delete it (a new one is made) "
                "or set CHAT_SECRET_KEY"
            )
        pause(0.01)


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""The chat's settings, read from the environment with the `CHAT_` prefix.

Lists are JSON: `CHAT_ALLOWED_ORIGINS='["https://chat.example"]'`. Nothing here touches the disk
when a `Settings` is built; `secret()` creates `var/secret_key` the first time it is asked for one
and no `CHAT_SECRET_KEY` was given.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
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
    upload_dir: Path = VAR_DIR / "uploads"
    secret_file: Path = VAR_DIR / "secret_key"

    access_token_minutes: int = Field(default=60 * 24, ge=1)
    ticket_seconds: float = Field(default=30.0, ge=0)
    jwt_algorithm: str = "HS256"
    # Messages and typing frames a user may send per window, across all of their sockets.
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_seconds: float = Field(default=10.0, gt=0)
    max_sockets_per_user: int = Field(default=5, ge=1)
    # Frames waiting for one slow socket before it is evicted with 1013.
    max_socket_backlog: int = Field(default=256, ge=1)
    evict_close_timeout: float = Field(default=1.0, gt=0)
    history_page: int = Field(default=500, ge=1)
    cookie_secure: bool = False

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"must be at least {MIN_SECRET_BYTES} bytes")
        return value

    def secret(self) -> str:
        """The signing key: the configured one, or one generated once and kept under var/."""
        if self.secret_key is None:
            self.secret_key = load_or_create_secret(self.secret_file)
        return self.secret_key


def load_or_create_secret(path: Path) -> str:
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if len(value.encode()) >= MIN_SECRET_BYTES:
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL-free but mode-safe: the file is created 0600, never world-readable for an instant.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(value)
    os.chmod(path, 0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Lesson 16 — Background tasks

Work that runs after the response has gone: an invitation endpoint answers 202 at once and queues
the slow part (sending the mail) with `BackgroundTasks.add_task`; a dependency queues a task of its
own on the same request; the log the tasks write to comes from a dependency, so tests point it at a
temporary folder.

Run:  uvicorn lessons.l16_background_tasks:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l16_background_tasks.py
"""

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from pydantic import BaseModel, Field

app = FastAPI(
    title="Lesson 16 — Background tasks",
    description="Invite people to a room; the mail goes out after the answer.",
)


# --8<-- [start:log]
def get_log_path() -> Path:
    # A dependency rather than a constant: tests swap it for a temporary file with
    # app.dependency_overrides, and nothing is written until a task runs.
    return Path(tempfile.gettempdir()) / "fastapi-chat-lesson16" / "notifications.log"


LogPath = Annotated[Path, Depends(get_log_path)]


def write_log(log_path: Path, line: str) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(line + "\n")


class Mailer:
    """Stands in for an SMTP client, the slow part no user should wait for: it logs each mail."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path

    def send(self, to: str, subject: str) -> None:
        write_log(self.log_path, f"mail to {to}: {subject}")


def get_mailer(log_path: LogPath) -> Mailer:
    return Mailer(log_path)


MailerDep = Annotated[Mailer, Depends(get_mailer)]
# --8<-- [end:log]


# --8<-- [start:tasks]
def audit_inviter(
    background_tasks: BackgroundTasks, log_path: LogPath, inviter: str | None = None
) -> str | None:
    # A dependency gets the same BackgroundTasks object as the endpoint: its task joins the queue,
    # ahead of the endpoint's, because dependencies run first.
    if inviter:
        background_tasks.add_task(write_log, log_path, f"invitation sent by {inviter}")
    return inviter


class Invitation(BaseModel):
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", max_length=254)]


@app.post("/rooms/{room_id}/invitations", status_code=202)
def invite(
    room_id: int,
    invitation: Invitation,
    background_tasks: BackgroundTasks,
    mailer: MailerDep,
    inviter: Annotated[str | None, Depends(audit_inviter)],
) -> dict[str, str]:
    # Not mailer.send(...): that would make the client wait for the mail server.
    background_tasks.add_task(mailer.send, invitation.email, f"You are invited to room {room_id}")
    sender = f" from {inviter}" if inviter else ""
    return {"message": f"Invitation to room {room_id}{sender} is on its way to {invitation.email}"}


# --8<-- [end:tasks]


# --8<-- [start:read]
@app.get("/notifications/log")
def read_log(log_path: LogPath) -> list[str]:
    if not log_path.exists():
        return []
    return log_path.read_text(encoding="utf-8").splitlines()


# --8<-- [end:read]

"""The chat on several workers: private PostgreSQL, Redis, uvicorn workers and nginx on loopback.

    python -m capstone.cluster [--workers 3] [--port 8080]      # or: make cluster

PostgreSQL and Redis run from the machine's packages in `var/cluster/` (kept between runs, so the
history survives), the workers share one secret (`var/cluster/secret_key`) and one upload folder,
and nginx on `--port` spreads the sockets over them. Ctrl-C stops everything. Redis or a worker
that dies is started again (kill one to watch the chat carry on); nginx or PostgreSQL dying stops
everything, and the message says which.

The classes are plain so the tests start the same services the same way:

    redis = Redis(folder, free_port()); redis.start(); ...; redis.kill(); redis.start()
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from capstone.__main__ import FRAME_MARGIN, own_origins
from capstone.settings import PACKAGE_DIR, VAR_DIR, Settings, load_or_create_secret

ROOT = PACKAGE_DIR.parent
CLUSTER_DIR = VAR_DIR / "cluster"
# uvicorn prints this once its socket is bound; "Application startup complete" comes before that.
UVICORN_READY = "Uvicorn running on"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_ports(count: int, after: int) -> list[int]:
    """`count` consecutive free ports above `after`, so the workers are easy to tell apart."""
    first = after + 1
    while not all(port_is_free(port) for port in range(first, first + count)):
        first += 1
    return list(range(first, first + count))


class Child:
    """A child process whose output is kept, started once a line of it says it is ready.

    Each child runs in its own session: a Ctrl-C in the terminal reaches only us, and we stop
    the children in order. `on_exit` is called (from a reader thread) when the child's output
    ends, that is when it has died or been stopped.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        ready: str,
        *,
        cwd: Path = ROOT,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.ready = ready
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.on_exit: Callable[[Child], None] | None = None
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        seen_ready = threading.Event()
        settled = threading.Event()
        self._reader = threading.Thread(
            target=self._read, args=(self.process, seen_ready, settled), daemon=True
        )
        self._reader.start()
        if not settled.wait(timeout) or not seen_ready.is_set():
            self.kill()
            raise RuntimeError(f"{self.name} did not start:\n{self.output}")

    def _read(
        self, process: subprocess.Popen[str], seen_ready: threading.Event, settled: threading.Event
    ) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)
            if not seen_ready.is_set() and self.ready in line:
                seen_ready.set()
                settled.set()
        settled.set()  # the output ended: stop waiting, whatever happened
        process.stdout.close()
        if self.on_exit is not None:
            self.on_exit(self)

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._reap()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            self.process.wait(STOP_TIMEOUT)
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT)


# ---- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps them under a version number)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Postgres:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        found = postgres_bin()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = found

    def _as_owner(self, command: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root: run it as the packages' `postgres` user instead.
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            self._as_owner(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{log}")

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():  # a kept data dir is started, not re-made
            initdb = [str(self.bin / "initdb"), "--no-sync", "-A", "trust", "-U", "postgres"]
            self._run([*initdb, "-D", str(self.data)])
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200"
        )
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        self._run([*pg_ctl, "-w", "-t", str(int(START_TIMEOUT)), "-o", options, "start"])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def url(self, db: str = "chat") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str, *, exist_ok: bool = False) -> None:
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        psql = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        psql += ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c"]
        if exist_ok:
            found = subprocess.run(
                [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                capture_output=True,
                text=True,
                check=True,
            )
            if found.stdout.strip() == "1":
                return
        subprocess.run([*psql, f'CREATE DATABASE "{name}"'], capture_output=True, check=True)


# ---- Redis ---------------------------------------------------------------------------------------


class Redis(Child):
    def __init__(self, directory: Path, port: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        command = [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(directory),
        ]  # fmt: skip
        super().__init__(f"redis on port {port}", command, "Ready to accept connections",
                         cwd=directory)  # fmt: skip
        self.port = port

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        super().start(timeout)
        if not self.ping(timeout):
            self.kill()
            raise RuntimeError(f"{self.name} does not answer PING:\n{self.output}")

    def ping(self, timeout: float = 5.0) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False


class OnLoopback:
    """A server of ours on a loopback port: its HTTP and WebSocket base addresses."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


# ---- nginx ---------------------------------------------------------------------------------------

NGINX_CONFIG = """\
# Written by capstone.cluster: a private nginx on loopback in front of the chat's workers.
daemon off;
{user}pid {directory}/nginx.pid;
error_log stderr notice;
worker_processes 1;
events {{ worker_connections 4096; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    # The app answers 413 itself while an upload arrives; nginx only passes the body on.
    client_max_body_size 64m;
    proxy_request_buffering off;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream chat {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://chat;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            # The port stays in Host, so the app sees the same origin the browser does.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A quiet chat socket is not a dead one.
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }}
    }}
}}
"""


def nginx_bin() -> str | None:
    if os.access("/usr/sbin/nginx", os.X_OK):
        return "/usr/sbin/nginx"
    return shutil.which("nginx")


class Nginx(OnLoopback, Child):
    def __init__(self, directory: Path, port: int, upstreams: list[int]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.config = directory / "nginx.conf"
        servers = "\n".join(f"        server 127.0.0.1:{up};" for up in upstreams)
        # As root, nginx hands requests to `nobody`, who cannot reach a private temp folder; this
        # proxy listens on loopback only.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            NGINX_CONFIG.format(directory=directory, port=port, servers=servers, user=user)
        )
        command = [nginx_bin() or "nginx", "-p", str(directory), "-e", "stderr"]
        command += ["-c", str(self.config)]
        # nginx binds its listening socket before it starts the worker processes.
        super().__init__(f"nginx on port {port}", command, "start worker processes", cwd=directory)


# ---- uvicorn -------------------------------------------------------------------------------------


def chat_serve_args(max_message_bytes: int) -> list[str]:
    """The uvicorn options `python -m capstone` uses, as command-line arguments."""
    return [
        "--http", "capstone.server:ChatHttpProtocol",
        "--ws", "capstone.server:ChatWebSocketProtocol",
        "--ws-per-message-deflate", "false",
        "--ws-max-size", str(max_message_bytes + FRAME_MARGIN),
    ]  # fmt: skip


class Uvicorn(OnLoopback, Child):
    """One uvicorn process serving `app` on loopback."""

    def __init__(
        self,
        app: str,
        port: int,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        super().__init__(f"{app} on port {port}", [*command, *args], UVICORN_READY, env=env)
        self.port = port


class Worker(Uvicorn):
    """One of the chat's workers, trusting `X-Forwarded-*` from a proxy on loopback."""

    def __init__(self, port: int, env: Mapping[str, str]) -> None:
        default = Settings.model_fields["max_message_bytes"].default
        max_message = int(env.get("CHAT_MAX_MESSAGE_BYTES", default))
        args = [*chat_serve_args(max_message), "--proxy-headers"]
        super().__init__(
            "capstone.main:app", port, env, [*args, "--forwarded-allow-ips", "127.0.0.1"]
        )
        self.name = f"worker on port {port}"


# ---- throwaway services, for the tests and the benchmarks ----------------------------------------
# A PostgreSQL or Redis of its own in a temporary folder, removed after; and why one cannot run
# here, as a sentence, or None. The tests' fixtures and `benchmarks.fanout` both use these.

REDIS_SERVER = "/usr/bin/redis-server"


def postgres_missing() -> str | None:
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "PostgreSQL refuses root and there is no `postgres` user to run it as"
    return None


def redis_missing() -> str | None:
    if shutil.which("redis-server") or os.access(REDIS_SERVER, os.X_OK):
        return None
    return "Redis is not installed (apt-get install redis-server)"


def nginx_missing() -> str | None:
    return None if nginx_bin() else "nginx is not installed (apt-get install nginx)"


@contextmanager
def service_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder the `postgres` user can reach too (pytest's own are 0700 root)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    with service_folder("chat-postgres-") as folder:
        server = Postgres(folder / "postgres", free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def running_redis() -> Iterator[Redis]:
    with service_folder("chat-redis-") as folder:
        server = Redis(folder, free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


def fresh_database(postgres: Postgres) -> str:
    """A new empty database with a unique name, as an asyncpg URL."""
    name = f"chat_{uuid.uuid4().hex[:16]}"
    postgres.create_database(name)
    return postgres.url(name)


# ---- the command ---------------------------------------------------------------------------------


def cluster_env(postgres: Postgres, redis: Redis, proxy_port: int, var: Path) -> dict[str, str]:
    """The settings every worker must share: one database, one Redis, one secret, one folder."""
    return {
        "CHAT_DATABASE_URL": postgres.url("chat"),
        "CHAT_REDIS_URL": redis.url,
        "CHAT_SECRET_KEY": load_or_create_secret(var / "secret_key"),
        "CHAT_ALLOWED_ORIGINS": json.dumps(own_origins("127.0.0.1", proxy_port)),
        "CHAT_UPLOAD_DIR": str(var / "uploads"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m capstone.cluster", description=__doc__)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")

    wake = threading.Event()
    stopping = False
    asked = False
    died: list[Child] = []

    def child_ended(child: Child) -> None:
        if not stopping:
            died.append(child)
        wake.set()

    def asked_to_stop(_signum: int, _frame: object) -> None:
        nonlocal asked
        asked = True
        wake.set()

    signal.signal(signal.SIGINT, asked_to_stop)
    signal.signal(signal.SIGTERM, asked_to_stop)

    var = CLUSTER_DIR
    var.mkdir(parents=True, exist_ok=True)
    postgres = Postgres(var / "postgres", free_port())
    redis = Redis(var / "redis", free_port())
    children: list[Child] = []
    try:
        postgres.start()
        postgres.create_database("chat", exist_ok=True)
        redis.start()
        children.append(redis)
        env = cluster_env(postgres, redis, args.port, var)
        # One after the other: the first worker brings the schema up to date alone.
        for port in free_ports(args.workers, after=args.port):
            worker = Worker(port, env)
            worker.start()
            children.append(worker)
        proxy = Nginx(var / "nginx", args.port, [w.port for w in children if isinstance(w, Worker)])
        proxy.start()
        children.append(proxy)
        for child in children:
            child.on_exit = child_ended
            if not child.running:  # it died before anyone was listening
                child_ended(child)
        print(
            f"The chat is on http://127.0.0.1:{args.port}, {args.workers} workers. Ctrl-C stops it."
        )
        sys.stdout.flush()
        while not asked:
            wake.wait()
            wake.clear()
            while died and not asked:
                child = died.pop(0)
                if not isinstance(child, (Redis, Worker)):
                    died.append(child)
                    asked = True  # the proxy and the database are not ours to lose: stop
                    break
                # As a process manager would: Redis and the workers come back by themselves,
                # and the chat goes on (clients resume with `since`; the database has it all).
                code = child.process.wait(STOP_TIMEOUT) if child.process else None
                print(f"{child.name} exited with code {code}: starting it again", flush=True)
                child.start()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        stopping = True
        for child in reversed(children):
            child.stop()
        postgres.stop()
    for child in died[-1:]:
        tail = "".join(child.lines[-20:])
        print(f"{child.name} exited with code {child.process and child.process.returncode}; "
              f"everything was stopped. Its last output:\n{tail}", file=sys.stderr)  # fmt: skip
    return 1 if died else 0


if __name__ == "__main__":
    sys.exit(main())

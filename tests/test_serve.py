"""`jigsaw class serve` in front of a classroom: a cap on open sessions, idle tabs ended, the
public address on the page, and nothing loaded from the internet (no browser needed)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.classroom.store import Classroom
from tui.serve import _envelope, _number, public_url, terminal_size

from .conftest import shortened

aiohttp = pytest.importorskip("aiohttp", reason="textual-serve (extra serve) is not installed")
JIGSAW = str(Path(sys.executable).with_name("jigsaw"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    """A two-team class served with a cap of 1 tab, idle after 3 s, on every interface."""
    room, _, _ = Classroom.create(tmp_path / "class.db", shortened("classic", 2), ["Red", "Blue"])
    room.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["--host", "0.0.0.0", "--port", str(port), "--public-url", url]
    args += ["--max-sessions", "1", "--idle-minutes", "0.05"]
    server = subprocess.Popen(
        [JIGSAW, "class", "serve", "--db", str(room.path), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


async def page(http, url: str) -> str:
    for _ in range(120):
        try:
            async with http.get(url + "/") as r:
                return await r.text()
        except aiohttp.ClientError:
            await asyncio.sleep(0.25)
    raise AssertionError("jigsaw class serve did not start")


async def drew(ws) -> bool:
    """The game process started and drew its first screen."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        msg = await ws.receive(timeout=30)
        if msg.type == aiohttp.WSMsgType.BINARY and len(msg.data) > 10:
            return True
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return False
    return False


async def test_the_page_points_at_the_public_url_and_loads_nothing_from_outside(served) -> None:
    async with aiohttp.ClientSession() as http:
        html = await page(http, served)
    addresses = re.findall(r'(?:src|href|data-session-websocket-url)="([^"]+)"', html)
    addresses += re.findall(r'url\("([^"]+)"\)', html)  # CSS: fonts and images
    assert addresses and "0.0.0.0" not in html
    outside = [a for a in addresses if not a.startswith((served, served.replace("http", "ws")))]
    assert not outside, f"the page loads from elsewhere: {outside}"
    assert "googleapis" not in html and "fonts/RobotoMono" in html
    async with aiohttp.ClientSession() as http:  # the websocket's address, asked as a page
        async with http.get(served + "/ws") as r:
            assert r.status == 400 and "websocket" in await r.text()


def test_a_tabs_terminal_size_and_messages_are_bounded() -> None:
    assert terminal_size(30_000, 30_000) == (500, 200) and terminal_size(1, 1) == (20, 10)
    assert _number("120") == 120 and _number("30000000") is None and _number("١٢") is None
    assert terminal_size(_number("-5") or 80, 24) == (20, 24) and _number(None) is None
    assert _envelope("[" * 60_000) is None  # nested past the parser's limit: dropped
    assert _envelope('["resize", {"width": 100, "height": 30}]') == (
        "resize",
        {"width": 100, "height": 30},
    )


async def test_a_tab_over_the_cap_is_refused_and_an_idle_tab_is_ended(served) -> None:
    ws_url = served.replace("http", "ws") + "/ws?width=100&height=30"
    async with aiohttp.ClientSession() as http:
        await page(http, served)
        async with http.ws_connect(ws_url) as first:
            assert await drew(first), "the first tab never drew the login screen"
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with http.ws_connect(ws_url):
                    pass
            assert refused.value.status == 503
            # nobody types: after 3 s the tab is closed and its game process ends
            started = time.monotonic()
            while not first.closed and time.monotonic() - started < 20:
                await first.receive(timeout=20)
            assert first.closed, "an idle tab was never ended"
        for _ in range(40):  # its place is free again once its process has stopped
            try:
                async with http.ws_connect(ws_url) as again:
                    assert await drew(again)
                    break
            except aiohttp.WSServerHandshakeError:
                await asyncio.sleep(0.25)
        else:
            raise AssertionError("the place of an ended tab was never freed")


def test_a_wildcard_host_needs_a_public_url() -> None:
    from sim.model.errors import InputError

    with pytest.raises(InputError, match="--public-url http://THIS-MACHINE:8000"):
        public_url(None, "0.0.0.0", 8000)
    assert public_url(None, "127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("https://class.example.edu/", "0.0.0.0", 8000) == "https://class.example.edu"
    for bad in ("ftp://x", "http://", "http://x/path", "http://x:port"):
        with pytest.raises(InputError):
            public_url(bad, "0.0.0.0", 8000)


def test_a_flood_of_idle_connections_neither_kills_the_server_nor_holds_it(tmp_path: Path) -> None:
    """300 connections that never send a request, against a server allowed 256 open files: it
    runs out of files for a while (before, logging that error needed a file, and the server
    died), stays up, and closes the idle connections itself, so it serves pages again while
    the flood still holds its sockets open."""
    import resource
    import urllib.request

    from tui.serve import IDLE_CONNECTION_SECONDS

    room, _, _ = Classroom.create(tmp_path / "class.db", shortened("classic", 2), ["Red", "Blue"])
    room.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    server = subprocess.Popen(
        [JIGSAW, "class", "serve", "--db", str(room.path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=few_files,
        start_new_session=True,
    )

    def status() -> int | None:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status
        except OSError:
            return None

    flood: list[socket.socket] = []
    try:
        for _ in range(120):
            if status() == 200:
                break
            time.sleep(0.25)
        else:
            raise AssertionError("jigsaw class serve did not start")
        for _ in range(300):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                s.close()
                break
            flood.append(s)
        assert len(flood) > 256  # more than the server can hold open
        started = time.monotonic()
        while time.monotonic() - started < 3 * IDLE_CONNECTION_SECONDS:
            assert server.poll() is None, "the server died"
            if status() == 200:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the idle connections were never closed")
        assert server.poll() is None
    finally:
        for s in flood:
            s.close()
        os.killpg(server.pid, signal.SIGTERM)
        try:  # a server that has just run out of files may take a while to wind down
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_the_server_raises_its_open_file_limit_as_far_as_it_may() -> None:
    import resource

    from tui.serve import room_for_files

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))
        now = room_for_files(10_000)
        expected = 10_000 if hard == resource.RLIM_INFINITY else min(10_000, hard)
        assert now == expected == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

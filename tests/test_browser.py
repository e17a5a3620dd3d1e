"""Class play in a real browser: `jigsaw class serve` (textual-serve) in headless Chromium.

The test drives the page through the Chrome DevTools Protocol (over aiohttp, which
textual-serve already depends on): a team picks its name, types its code and submits its
decisions with the keyboard, and the submission lands in the class file. It is skipped, with
the reason, where Chromium or textual-serve is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from sim.classroom.store import Classroom

from .conftest import shortened

aiohttp = pytest.importorskip("aiohttp", reason="textual-serve (extra serve) is not installed")
pytest.importorskip("textual_serve", reason="textual-serve (extra serve) is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI") == "true"  # .ci/run: the browser test runs, never skips
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not IN_CI,
    reason="headless Chromium is not installed (Debian: apt-get install chromium)",
)
JIGSAW = str(Path(sys.executable).with_name("jigsaw"))
KEYS = {"enter": ("Enter", 13, "\r"), "down": ("ArrowDown", 40, ""), "tab": ("Tab", 9, "")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    """One Chromium tab over the DevTools Protocol: evaluate, type, screenshot."""

    def __init__(self, ws) -> None:
        self.ws, self.n = ws, 0

    async def call(self, method: str, **params):
        self.n += 1
        await self.ws.send_json({"id": self.n, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json()
            if msg.get("id") == self.n:
                return msg.get("result", {})

    async def js(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def key(self, name: str) -> None:
        key, code, text = KEYS[name]
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
                text=text if kind == "keyDown" else "",
            )
        await asyncio.sleep(0.4)

    async def type(self, text: str) -> None:
        for ch in text:
            await self.call("Input.dispatchKeyEvent", type="keyDown", key=ch, text=ch)
            await self.call("Input.dispatchKeyEvent", type="keyUp", key=ch)
        await asyncio.sleep(0.4)

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@asynccontextmanager
async def chromium_page(http, url: str, tmp_path: Path) -> AsyncIterator[Page]:
    """Headless Chromium showing `url`, driven over the DevTools Protocol (a fresh profile;
    no background networking: the closed network refuses it)."""
    assert CHROMIUM is not None, "CI=true but headless Chromium is not installed"
    profile = tempfile.mkdtemp(dir=tmp_path)
    chrome = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = Path(profile) / "DevToolsActivePort"

        async def devtools() -> bool:
            return active.exists() and bool(active.read_text().strip())

        assert await until(devtools), "Chromium did not open its DevTools port"
        async with http.get(f"http://127.0.0.1:{active.read_text().split()[0]}/json/list") as r:
            target = next(t for t in await r.json() if t["type"] == "page")
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            yield Page(ws)
    finally:
        chrome.kill()
        chrome.wait()


async def _true(awaitable) -> bool:
    return bool(await awaitable)


async def until(check, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if await check():
            return True
        await asyncio.sleep(0.25)
    return False


async def test_a_team_logs_in_and_submits_in_a_browser(tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI=true but headless Chromium is not installed"
    room, _, codes = Classroom.create(
        tmp_path / "class.db", shortened("classic", 2), ["Red", "Blue"]
    )
    room.close()
    port = free_port()
    server = subprocess.Popen(
        [
            JIGSAW,
            "class",
            "serve",
            "--db",
            str(room.path),
            "--port",
            str(port),
            "--host",
            "0.0.0.0",
            "--public-url",
            f"http://127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the server and the app processes it starts, killed together
    )
    try:
        async with aiohttp.ClientSession() as http:

            async def serving() -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/") as r:
                        return r.status == 200
                except aiohttp.ClientError:
                    return False

            assert await until(serving), "jigsaw class serve did not start"
            async with chromium_page(http, f"http://127.0.0.1:{port}/", tmp_path) as page:

                async def started() -> bool:
                    return bool(await page.js("document.body.classList.contains('-first-byte')"))

                assert await until(started), "the served app never drew"
                loaded = await page.js(
                    "performance.getEntriesByType('resource').map(e => e.name)"
                    ".concat([document.querySelector('#terminal').dataset.sessionWebsocketUrl])"
                )
                public = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/")
                assert loaded and all(u.startswith(public) for u in loaded), loaded
                await asyncio.sleep(3)  # the login screen mounts
                await page.js("document.querySelector('.xterm-helper-textarea').focus()")
                await page.key("enter")  # open the team list
                await page.key("down")
                await page.key("enter")  # Red
                await page.key("tab")
                await page.type(codes["Red"])
                await page.key("enter")  # join

                async def submitted() -> bool:
                    check = Classroom(room.path)
                    try:
                        return check.status().submitted.get("Red") is not None
                    finally:
                        check.close()

                for _ in range(3):  # the boardroom may take a moment to open: press n again
                    await asyncio.sleep(2)
                    await page.type("n")
                    if await until(submitted, timeout=5):
                        break
                await page.screenshot(tmp_path / "browser.png")
                assert await submitted(), "the team's submission never reached the class file"
        mine = Classroom(room.path).own_decision(room.team("Red"))
        assert mine is not None and mine.by.startswith("Red (boardroom ")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


# axe-core (npm), installed beside the test extras by `make test` (Makefile: $(VENV)/axe).
AXE = Path(sys.prefix) / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


async def test_the_debrief_meets_wcag_aa_with_no_serious_violation(tmp_path: Path) -> None:
    """axe-core over the HTML debrief of a played class: headings, table headers, text
    alternatives for charts, contrast, landmarks; no serious or critical violation."""
    if not AXE.exists():
        assert not IN_CI, f"CI=true but axe-core is not installed ({AXE}; make test installs it)"
        pytest.skip("axe-core is not installed (make test installs it with npm)")
    from sim.classroom.debrief import write_debrief

    room, instructor, codes = Classroom.create(
        tmp_path / "class.db", shortened("classic", 2), ["Red", "Blue"]
    )
    room.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.3})
    room.advance(instructor)
    room.advance(instructor)
    write_debrief(room, tmp_path / "debrief", hindsight=True, draws=3, quality_draws=1)
    room.close()
    assert "Luck against skill" in (tmp_path / "debrief" / "index.html").read_text()
    page_url = (tmp_path / "debrief" / "index.html").as_uri()
    async with aiohttp.ClientSession() as http:
        async with chromium_page(http, page_url, tmp_path) as page:
            loaded = await until(lambda: _true(page.js("document.readyState === 'complete'")))
            assert loaded, "the debrief never loaded"
            await page.js(AXE.read_text(encoding="utf-8"))
            result = await page.call(
                "Runtime.evaluate",
                expression=(
                    "axe.run(document, {runOnly: {type: 'tag', values: "
                    + json.dumps(WCAG_AA)
                    + "}}).then(r => ({violations: r.violations.map(v => ({id: v.id, "
                    "impact: v.impact, help: v.help, nodes: v.nodes.length, where: "
                    "v.nodes.slice(0, 3).map(n => n.target.join(' '))})), "
                    "passes: r.passes.length}))"
                ),
                awaitPromise=True,
                returnByValue=True,
            )
    outcome = result["result"]["value"]
    serious = [v for v in outcome["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert outcome["passes"] >= 10  # it really checked the page

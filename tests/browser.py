"""Helpers for the real-browser tests: start ChartLab (`streamlit run asgi.py`, as `make run`
does) on a free loopback port and drive Debian's chromium with Playwright.

Without /usr/bin/chromium a browser test is skipped on a developer machine, but under CI=true a
missing browser is a failure (`.ci/run` installs chromium with apt-get when missing)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT_S = 120
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def need_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Debian's chromium is not installed at /usr/bin/chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium) - skipped outside CI")
    pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    proc.wait(timeout=15)
    log.seek(0)
    pytest.fail("streamlit did not start: " + log.read().decode(errors="replace")[-3000:])


@contextmanager
def chartlab(db_path: Path, *, port: int | None = None, env: dict | None = None,
             args: tuple[str, ...] = ()) -> Iterator[str]:
    """ChartLab served on 127.0.0.1 with its database at `db_path`; yields the base URL."""
    port = port or free_port()
    full_env = dict(os.environ, CHARTLAB_DB=str(db_path),
                    CHARTLAB_CACHE_DIR=os.environ.get("CHARTLAB_CACHE_DIR", str(ROOT / "data" / "cache")),
                    **(env or {}))
    log = tempfile.TemporaryFile()   # a file, not a pipe: a chatty server never blocks on it
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "asgi.py"),
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *args],
                            cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.seek(0)
        print("---- streamlit log (tail) ----\n" + log.read().decode(errors="replace")[-4000:])   # shown on failure
        log.close()


def launch(pw):
    """Headless Debian chromium (never a downloaded browser)."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


def loopback_context(browser, **options):
    """A browser context that only talks to this machine: any other request (a CDN stylesheet
    on the test provider's page, Streamlit's optional external assets) is aborted at once, so
    the tests behave the same with or without internet and never wait on DNS."""
    context = browser.new_context(**options)
    context.route(lambda url: url.startswith(("http:", "https:")) and not LOOPBACK.match(url),
                  lambda route: route.abort())
    return context

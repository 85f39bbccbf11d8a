"""Helpers of the real-browser tests: serve the view with ``solara run`` and drive Chromium.

The browser is Debian's ``chromium`` (Playwright cannot download its own browser without
internet). :func:`missing_requirements` says what is missing; the tests skip with that message,
or fail when ``REQUIRE_BROWSER_TESTS=1`` (CI sets it, see ``.ci/run``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "sim" / "view" / "app.py"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_SECONDS = 60.0


def missing_requirements() -> str | None:
    """What the browser tests need but cannot find, as an install hint; None when all is there."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(
            f"Chromium at {CHROMIUM} (Debian: `sudo bash scripts/install_browser_test_deps.sh`"
            ", or set CHROMIUM=/path/to/chromium)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (`./scripts/bootstrap` installs it)")
    if importlib.util.find_spec("solara") is None:
        missing.append("the solara package (`./scripts/bootstrap` installs it)")
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cache_solara_assets.py"), "--check"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        missing.append(
            "Solara's cached front-end files "
            "(`.venv/bin/python scripts/cache_solara_assets.py`, needs npm)"
        )
    return "; ".join(missing) or None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def solara_server(app: Path = APP, log_path: Path | None = None) -> Iterator[str]:
    """Serve ``app`` with ``solara run`` on a free local port; yield its URL; stop it after.

    Raises:
        RuntimeError: when the server exits early or is not ready within a minute (the message
            points at the server log).
    """
    from sim.cli import view_command

    port = free_port()
    # the very command `python -m sim view` runs, with the app under test
    argv, env = view_command(port, "rijnmond")
    argv[argv.index("run") + 1] = str(app)
    log_path = log_path or ARTIFACTS / "solara-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*argv, "--no-open"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_ready(proc, url, log_path)
            yield url
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    start = time.monotonic()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"solara exited early (code {proc.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() - start > READY_SECONDS:
            raise RuntimeError(f"solara not ready after {READY_SECONDS:.0f} s; see {log_path}")
        time.sleep(0.25)


def _stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

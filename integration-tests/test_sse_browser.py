"""The SSE example in a real browser: headless Chromium runs the page's EventSource.

uvicorn serves ``examples/sse/app.py``; ``chromium --headless --dump-dom`` loads the page and
prints the DOM its script built from the events. ``--virtual-time-budget`` makes Chromium
wait until the page is quiet: virtual time stands still while a request (the event stream)
is open, so the DOM is printed after the stream has ended and the page has closed it.

With ``batch=2`` the server ends each connection after two events, so the browser must
reconnect by itself and send ``Last-Event-ID`` for the stream to resume without gaps or
repeats: the list of ticks and the connection count on the page prove that it did.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``). Without it the test
skips locally and fails when ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sse"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def chromium() -> str:
    """The path of the chromium command; skips (locally) or fails (CI) without it.

    Debian calls it ``chromium``; GitHub's Ubuntu runners ship Google Chrome, which takes
    the same flags.
    """
    for name in ("chromium", "google-chrome"):
        path = shutil.which(name)
        if path is not None:
            return path
    reason = "chromium is not installed (apt-get install -y chromium): the browser test cannot run"
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(f"!!! {reason}")


def dump_dom(chromium: str, url: str, timeout: float = 60) -> str:
    """The page's DOM once it is quiet, as headless Chromium serialises it."""
    with tempfile.TemporaryDirectory(prefix="covet-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # Chromium refuses to run as root with its sandbox on
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ]
        # A session of its own: /usr/bin/chromium is a shell script that starts the browser
        # as a child, and a timeout must stop the whole process group, not only the script.
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"chromium did not finish within {timeout} s")
    assert process.returncode == 0, f"chromium failed ({process.returncode}):\n{stderr.decode()}"
    return stdout.decode()


def test_a_browser_receives_every_event_and_resumes_after_reconnecting(
    chromium: str, sse_server: str
) -> None:
    dom = dump_dom(chromium, f"{sse_server}/?count=5&delay=0.2&batch=2")

    assert "<title>done</title>" in dom, f"the page never got the done event:\n{dom}"
    ticks = re.findall(r"<li>(.*?)</li>", dom)
    assert ticks == ["tick 1", "tick 2", "tick 3", "tick 4", "tick 5"]
    # Two events per connection: the browser opened three, each resuming after the last id.
    connections = re.search(r'<span id="connections">(\d+)</span>', dom)
    assert connections is not None
    assert connections.group(1) == "3"
    assert httpx.get(f"{sse_server}/streams", timeout=5).json() == {"open": 0}

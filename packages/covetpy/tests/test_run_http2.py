"""covet/cli/run.py with ``--http2``: the arguments become a Hypercorn Config, and it serves.

The HTTP/2 wire itself (h2c and TLS with ALPN) is tested against the example app in
``integration-tests/test_http2_hypercorn.py``, where the development environment has an
HTTP/2 client. Here: the argument mapping, the missing-extra message, and a real Hypercorn
started by ``covet run --http2`` answering HTTP/1.1, with workers and with the reloader.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from covet.cli import build_parser, main
from covet.cli.run import http2_extra_missing, hypercorn_config

# The fixture of conftest.py: covet_run(*options, body=..., app_dir=None) -> CovetRun.
CovetRunFixture = Callable[..., Any]


def parse(*args: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", "served:app", "--http2", *args])


# --- the argument mapping


def test_every_option_reaches_the_hypercorn_config() -> None:
    config = hypercorn_config(
        parse(
            "--host",
            "127.0.0.2",
            "--port",
            "9001",
            "--workers",
            "3",
            "--log-level",
            "warning",
            "--certfile",
            "cert.pem",
            "--keyfile",
            "key.pem",
        )
    )
    assert config.application_path == "served:app"
    assert config.bind == ["127.0.0.2:9001"]
    assert config.workers == 3
    assert config.use_reloader is False
    assert config.loglevel == "WARNING"
    assert (config.certfile, config.keyfile) == ("cert.pem", "key.pem")
    assert config.ssl_enabled
    # What the TLS handshake offers, in order of preference.
    assert config.alpn_protocols == ["h2", "http/1.1"]


def test_the_defaults_are_one_worker_plain_tcp_on_loopback() -> None:
    config = hypercorn_config(parse())
    assert config.bind == ["127.0.0.1:8000"]
    # One worker process under a supervising process: the reloader needs that supervisor.
    assert config.workers == 1
    assert config.loglevel == "INFO"
    assert config.certfile is None
    assert config.keyfile is None
    assert not config.ssl_enabled


def test_reload_turns_on_the_hypercorn_reloader() -> None:
    assert hypercorn_config(parse("--reload")).use_reloader is True


def test_an_ipv6_host_is_bracketed_in_the_bind() -> None:
    assert hypercorn_config(parse("--host", "::1", "--port", "9001")).bind == ["[::1]:9001"]


def test_trace_logs_at_debug_level() -> None:
    # uvicorn's "trace" has no counterpart in the standard logging that Hypercorn uses.
    assert hypercorn_config(parse("--log-level", "trace")).loglevel == "DEBUG"


# --- errors before any server starts


def test_without_hypercorn_http2_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None entry in sys.modules makes `import hypercorn...` raise ImportError, as if the
    # package were not installed; modules already imported are covered the same way.
    for name in [name for name in sys.modules if name.split(".")[0] == "hypercorn"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "hypercorn", None)
    monkeypatch.setattr(sys, "path", [*sys.path])  # covet run puts --app-dir on it

    assert main(["run", "served:app", "--http2"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == http2_extra_missing() + "\n"
    assert f"{sys.executable} -m pip install 'hypercorn>=" in err


@pytest.mark.parametrize(
    "tls_option", [["--certfile", "cert.pem"], ["--keyfile", "key.pem"]], ids=["cert", "key"]
)
@pytest.mark.parametrize("server", [["--http2"], []], ids=["hypercorn", "uvicorn"])
def test_a_certificate_without_its_key_or_a_key_without_its_certificate_is_refused(
    capsys: pytest.CaptureFixture[str], tls_option: list[str], server: list[str]
) -> None:
    assert main(["run", "served:app", *server, *tls_option]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "covet run: --certfile and --keyfile must be given together\n"


# --- a real Hypercorn


def test_covet_run_http2_serves_the_app_with_hypercorn(covet_run: CovetRunFixture) -> None:
    served = covet_run("--http2", body="served by hypercorn")
    response = served.get("/anything")
    assert response.status_code == 200
    assert response.text == "served by hypercorn"
    # HTTP/1.1 from this client; Hypercorn names the protocol it served in its header.
    assert response.headers["server"] == "hypercorn-h11"


def test_http2_workers_find_the_app_in_app_dir(tmp_path: Path, covet_run: CovetRunFixture) -> None:
    # The working directory does not hold served.py: each worker process, started by
    # Hypercorn with multiprocessing's spawn method, finds it through the sys.path it inherits.
    app_dir = tmp_path / "elsewhere"
    served = covet_run("--http2", "--workers", "2", body="from app-dir", app_dir=app_dir)
    assert served.get().text == "from app-dir"
    served.server.wait_for_log("Running on http://127.0.0.1", count=2)


def test_http2_reload_serves_the_edited_module(covet_run: CovetRunFixture) -> None:
    served = covet_run("--http2", "--reload", body="version 1")
    assert served.get().text == "version 1"
    # Hypercorn compares modification times once a second: an edit every 1.5 s is seen.
    assert served.edit_until_served("version 2", every=1.5) == "version 2", served.server.log()


def test_the_server_limits_reach_the_hypercorn_config() -> None:
    config = hypercorn_config(parse())
    assert (config.keep_alive_timeout, config.h11_max_incomplete_size) == (5, 16384)
    config = hypercorn_config(
        parse("--timeout-keep-alive", "9", "--h11-max-incomplete-event-size", "4096")
    )
    assert (config.keep_alive_timeout, config.h11_max_incomplete_size) == (9, 4096)

"""The benchmark harness itself works; the figures are not tested (speed is never asserted).

One smoke run of ``python -m benchmarks`` (every registered suite, each app answering every
scenario once and checked byte for byte, tiny measurements) writes into a temporary
directory; the tests read what it wrote. The loopback suite needs wrk: without it that part
is skipped with the command that installs it.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_WRK = "wrk is not installed (apt-get install -y wrk): the loopback suite cannot run"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    """The ``benchmarks`` package, importable from the repository root for these tests."""
    sys.path.insert(0, str(ROOT))
    try:
        yield importlib.import_module("benchmarks")
    finally:
        sys.path.remove(str(ROOT))


def _module(name: str) -> Any:
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def smoke(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run every registered suite in smoke mode; the directory it wrote."""
    suites = [module.rsplit(".", 1)[1] for module in _module("benchmarks.suites").SUITE_MODULES]
    if shutil.which("wrk") is None:
        suites.remove("http_loopback")
    output = tmp_path_factory.mktemp("bench-results")
    command = [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(output)]
    for suite in suites:
        command += ["--suite", suite]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return output


@pytest.fixture(scope="module")
def results(smoke: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((smoke / "latest.json").read_text())
    return data


def test_the_run_writes_the_report_the_json_and_every_chart_it_names(smoke: Path) -> None:
    markdown = (smoke / "latest.md").read_text()
    assert markdown.startswith("# CovetPy benchmark results")
    for section in (
        "## Summary",
        "## HTTP in process",
        "## Start-up and memory",
        "## ORM",
        "## Machine",
    ):
        assert section in markdown
    charts = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", markdown)
    assert {"inprocess_ratios.png", "orm_sqlite.png"} <= set(charts)
    for name in charts:
        png = (smoke / name).read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(png) < 100_000, f"{name} is {len(png)} bytes; keep results files small"


def test_every_target_appears_in_the_summary_with_its_verdict(
    smoke: Path, results: dict[str, Any]
) -> None:
    summary = (smoke / "latest.md").read_text().split("## Summary", 1)[1].split("\n## ", 1)[0]
    targets = [t for suite in results["suites"].values() for t in suite["targets"]]
    assert len(targets) >= 5
    for target in targets:
        verdict = "yes" if target["met"] else "**no**"
        assert f"| {target['description']} | {target['measured']} | {verdict} |" in summary


def test_in_process_figures_cover_every_framework_and_scenario(
    bench: ModuleType, smoke: Path, results: dict[str, Any]
) -> None:
    apps = _module("benchmarks.apps")
    scenarios = _module("benchmarks.apps.scenarios").SCENARIOS
    micros = results["suites"]["http_inprocess"]["data"]["microseconds_per_request"]
    assert set(micros) == set(scenarios)
    assert {"demo_plaintext", "demo_path_param", "realistic_app"} <= set(micros)
    for scenario, by_framework in micros.items():
        assert set(by_framework) == set(apps.frameworks_for(scenarios[scenario])), scenario
        assert all(value > 0 for value in by_framework.values()), scenario
    # The bare app has no realistic app: every peer has one, and the tables say "-".
    assert set(micros["realistic_app"]) == set(apps.FRAMEWORKS) - {"bare"}
    section = (smoke / "latest.md").read_text().split("## HTTP in process", 1)[1]
    realistic = next(line for line in section.splitlines() if line.startswith("| realistic app"))
    assert "| - |" in realistic


def test_loopback_figures_cover_every_framework_without_errors(
    bench: ModuleType, results: dict[str, Any]
) -> None:
    if "http_loopback" not in results["suites"]:
        pytest.skip(NO_WRK)
    frameworks = _module("benchmarks.apps").FRAMEWORKS
    measured = results["suites"]["http_loopback"]["data"]["results"]["json"]
    assert set(measured) == set(frameworks)
    for framework, figures in measured.items():
        assert figures["requests_per_second"] > 0, framework
        assert 0 < figures["p50_us"] <= figures["p99_us"], framework
        assert figures["errors"] == 0, framework


def test_start_up_figures_cover_every_import_and_every_hello_app(
    bench: ModuleType, results: dict[str, Any]
) -> None:
    data = results["suites"]["startup"]["data"]
    assert set(data["import_ms"]) == set(_module("benchmarks.startup").IMPORTS)
    assert set(data["hello_rss_mib"]) == set(_module("benchmarks.apps").FRAMEWORKS)
    figures = [*data["import_ms"].values(), *data["hello_rss_mib"].values()]
    assert all(value > 0 for value in figures)


def test_orm_figures_cover_every_peer_and_operation_on_each_backend(
    bench: ModuleType, results: dict[str, Any]
) -> None:
    orm = _module("benchmarks.orm")
    peers = set(_module("benchmarks.orm_peers").PEER_CLASSES)
    data = results["suites"]["orm"]["data"]
    # PostgreSQL may be missing on a developer's machine, never silently: the reason is
    # in the results. With CI=true it must have been measured.
    measured = set(data["microseconds_per_operation"])
    assert measured | set(data["not_measured"]) == set(orm.BACKENDS)
    assert "sqlite" in measured
    if os.environ.get("CI") == "true":
        assert "postgresql" in measured, data["not_measured"]
    for reason in data["not_measured"].values():
        assert reason
    for backend in measured:
        figures = data["microseconds_per_operation"][backend]
        assert set(figures) == set(orm.SCENARIOS), backend
        for operation, by_peer in figures.items():
            assert set(by_peer) == peers, (backend, operation)
            assert all(value > 0 for value in by_peer.values()), (backend, operation)
        hydration = data["hydration_us_per_row"][backend]
        assert set(hydration) == {"fetch", "select_related"}
        assert set(hydration["fetch"]) == peers - {"raw"}
    descriptions = [t["description"] for t in results["suites"]["orm"]["targets"]]
    assert len(descriptions) == 3 * len(orm.BACKENDS)


def test_an_orm_peer_that_answers_differently_is_refused(bench: ModuleType) -> None:
    orm = _module("benchmarks.orm")
    peers_module = _module("benchmarks.orm_peers.raw_driver")

    class WrongAge(peers_module.RawDriverPeer):  # type: ignore[misc, name-defined]
        name = "wrong"

        async def get_by_pk(self, key: int) -> Any:
            author = await super().get_by_pk(key)
            return (*author[:3], author[3] + 1)

    async def check() -> None:
        async with orm.TARGETS["sqlite"]() as target:
            raw, wrong = peers_module.RawDriverPeer(), WrongAge()
            await raw.open(target)
            await wrong.open(target)
            try:
                await _module("benchmarks.orm_peers.schema").create_schema(raw)
                peers = {"raw": raw, "wrong": wrong}
                await orm.check_scenario(orm.SCENARIOS["filter"], peers)  # the same answer
                await orm.check_scenario(orm.SCENARIOS["get"], peers)
            finally:
                await wrong.close()
                await raw.close()

    with pytest.raises(AssertionError, match="wrong answers 'get by primary key' differently"):
        asyncio.run(check())


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://postgres@192.0.2.1:5432/test", "is not on loopback"),
        ("postgresql://postgres@127.0.0.1:1/test", "PostgreSQL at 127.0.0.1:1 is unreachable"),
    ],
)
def test_a_postgresql_server_that_cannot_be_used_is_reported_not_measured(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, url: str, reason: str
) -> None:
    orm = _module("benchmarks.orm")
    monkeypatch.setenv("COVET_BENCH_POSTGRES_URL", url)

    async def enter() -> None:
        async with orm.TARGETS["postgresql"]():
            pass

    with pytest.raises(orm.NotMeasured, match=re.escape(reason)):
        asyncio.run(enter())
    figures = {s: dict.fromkeys(_module("benchmarks.orm_peers").PEER_CLASSES, 1.0)
               for s in orm.SCENARIOS}  # fmt: skip
    result = orm._result({"sqlite": figures}, {"postgresql": reason}, {"sqlite": "SQLite"})
    unmeasured = [t for t in result.targets if "PostgreSQL" in t.description]
    assert unmeasured
    assert all(not t.met and t.measured == f"not measured: {reason}" for t in unmeasured)
    assert any(table.title == "PostgreSQL: not measured" for table in result.tables)


def test_the_results_name_the_machine_and_the_versions(results: dict[str, Any]) -> None:
    assert results["mode"] == "smoke"
    assert {"date", "cpu", "cores", "ram_gib", "python"} <= set(results["machine"])
    assert {"covet-asgi", "starlette", "fastapi", "litestar", "uvicorn"} <= set(results["versions"])
    assert {"covet-orm", "sqlalchemy", "tortoise-orm", "aiosqlite", "psycopg"} <= set(
        results["versions"]
    )


def test_an_app_that_answers_differently_is_refused(bench: ModuleType) -> None:
    check_response = _module("benchmarks.http_inprocess").check_response
    scenario = _module("benchmarks.apps.scenarios").SCENARIOS["json"]
    headers = {b"content-type": b"application/json"}
    check_response("x", scenario, 200, headers, scenario.response_body)
    with pytest.raises(AssertionError, match=re.escape("body b'{}'")):
        check_response("x", scenario, 200, headers, b"{}")
    with pytest.raises(AssertionError, match="status 404"):
        check_response("x", scenario, 404, headers, scenario.response_body)


WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:8000/json
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  310.00us   8.00ms   90.00%
    Req/Sec    15.20k   400.00     16.00k    70.00%
  Latency Distribution
     50%    2.05ms
     75%    2.20ms
     90%    2.40ms
     99%  910.00us
  30400 requests in 2.00s, 4.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  15199.50
Transfer/sec:      2.10MB
"""


def test_wrk_output_is_read_into_figures_and_errors(bench: ModuleType) -> None:
    result = _module("benchmarks.http_loopback").parse_wrk_output(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(15199.5)
    assert result.p50_us == pytest.approx(2050.0)
    assert result.p99_us == pytest.approx(910.0)
    assert result.errors == 7
    with pytest.raises(ValueError, match="unexpected wrk output"):
        _module("benchmarks.http_loopback").parse_wrk_output("Running 2s test\n")


def test_every_suite_module_is_in_the_registry(bench: ModuleType) -> None:
    # A suite module that is not registered would silently never run.
    defining = {
        f"benchmarks.{path.stem}"
        for path in (ROOT / "benchmarks").glob("*.py")
        if re.search(r"^SUITE = Suite\(", path.read_text(), re.MULTILINE)
    }
    assert defining == set(_module("benchmarks.suites").SUITE_MODULES)


def test_loopback_checks_the_demo_targets_and_shows_no_bare_realistic_app(
    bench: ModuleType,
) -> None:
    loopback = _module("benchmarks.http_loopback")
    layout = _module("benchmarks.servers").CoreLayout(server=0, load=1)

    def figures(rps: float) -> dict[str, float]:
        return {"requests_per_second": rps, "p50_us": 1000.0, "p99_us": 2000.0, "errors": 0.0}

    peers = {"starlette": 100.0, "fastapi": 50.0, "litestar": 80.0}
    results = {
        "demo_path_param": {"bare": figures(150.0), "covetpy": figures(121.0)}
        | {peer: figures(rps) for peer, rps in peers.items()},
        "realistic_app": {"covetpy": figures(90.0)}
        | {peer: figures(rps) for peer, rps in peers.items()},
    }
    result = loopback._result(results, list(_module("benchmarks.apps").FRAMEWORKS), layout, 1, 1)
    verdicts = {target.description: (target.measured, target.met) for target in result.targets}
    title = "demo style: path parameter"
    assert verdicts[f"Loopback {title}: CovetPy >= 0.75x the bare ASGI app"] == ("0.81x", True)
    assert verdicts[f"Loopback {title}: CovetPy >= 1.2x Starlette"] == ("1.21x", True)
    realistic = [row for table in result.tables for row in table.rows if "realistic" in row[0]]
    assert realistic
    assert all(row[1] == "-" for row in realistic)  # the bare app's column

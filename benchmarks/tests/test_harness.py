"""The benchmark harness itself works; the figures are not tested (speed is never asserted).

One smoke run of ``python -m benchmarks`` (every registered suite, each app answering every
scenario once and checked byte for byte, tiny measurements) writes into a temporary
directory; the tests read what it wrote. The loopback suite needs wrk: without it that part
is skipped with the command that installs it.
"""

from __future__ import annotations

import importlib
import json
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
    for section in ("## Summary", "## HTTP in process", "## Start-up and memory", "## Machine"):
        assert section in markdown
    charts = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", markdown)
    assert "inprocess_ratios.png" in charts
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
    bench: ModuleType, results: dict[str, Any]
) -> None:
    frameworks = _module("benchmarks.apps").FRAMEWORKS
    scenarios = _module("benchmarks.apps.scenarios").SCENARIOS
    micros = results["suites"]["http_inprocess"]["data"]["microseconds_per_request"]
    assert set(micros) == set(scenarios)
    for scenario, by_framework in micros.items():
        assert set(by_framework) == set(frameworks), scenario
        assert all(value > 0 for value in by_framework.values()), scenario


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


def test_the_results_name_the_machine_and_the_versions(results: dict[str, Any]) -> None:
    assert results["mode"] == "smoke"
    assert {"date", "cpu", "cores", "ram_gib", "python"} <= set(results["machine"])
    assert {"covet-asgi", "starlette", "fastapi", "litestar", "uvicorn"} <= set(results["versions"])


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

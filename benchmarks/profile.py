"""Profile one framework's app on one in-process scenario: where does a request's time go?

    hatch run bench:profile                      # CovetPy, every scenario, pyinstrument
    hatch run bench:profile -- json path_param   # chosen scenarios
    hatch run bench:profile -- --cprofile json   # cProfile: exact call counts, own times
    hatch run bench:profile -- --framework starlette json
    hatch run bench:profile -- --time json       # no profiler: µs per request, as measured
    hatch run bench:profile -- --instructions demo_path_param   # callgrind: vs Starlette
    hatch run bench:profile -- --instructions --served demo_path_param   # under uvicorn
    hatch run bench:profile -- --orm sqlite fetch select_related   # an ORM peer's operations
    hatch run bench:profile -- --orm postgresql --time --framework sqlalchemy fetch

The app is driven exactly as ``http_inprocess`` drives it (same scope, receive and send),
after the same response check, for about a second per scenario. ``--time`` times it without a
profiler, for one framework alone, as nine batches of about 0.2 s (median and min): the
before and after of an optimisation, in seconds rather than minutes.

With ``--orm BACKEND`` the scenarios are the ORM suite's (``benchmarks/orm.py``): a fresh
database is made and filled as in the suite, and ``--framework`` names an ORM peer
(``covetpy`` by default, or ``raw``, ``sqlalchemy``, ``tortoise``).

``--instructions`` counts instructions per request with valgrind's callgrind instead
(``instructions.py``): figures a busy machine does not move, for CovetPy and Starlette, or
CovetPy and the ``--framework`` named; with ``--served`` the app runs under uvicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.apps import FRAMEWORKS, build_app
from benchmarks.apps.scenarios import SCENARIOS
from benchmarks.http_inprocess import (
    Receiver,
    call_once,
    check_response,
    event_loop_factory,
    request_scope,
    run_lifespan,
)

__all__ = ["main"]


async def _drive(app: Any, scenario_name: str, calls: int) -> None:
    scenario = SCENARIOS[scenario_name]
    template = request_scope(scenario)

    async def discard(message: dict[str, Any]) -> None:
        pass

    for _ in range(calls):
        await app({**template, "state": {}}, Receiver(scenario.body), discard)


async def _profile_one(framework: str, scenario_name: str, use_cprofile: bool) -> None:
    scenario = SCENARIOS[scenario_name]
    app = build_app(framework, scenario_name)
    async with run_lifespan(app):
        check_response(framework, scenario, *await call_once(app, scenario))
        start = time.perf_counter()
        await _drive(app, scenario_name, 200)
        calls = max(200, int(1.0 / ((time.perf_counter() - start) / 200)))
        print(f"=== {framework} / {scenario_name}: {calls} calls ===")
        await _profile(_drive(app, scenario_name, calls), use_cprofile)


async def _profile(work: Awaitable[None], use_cprofile: bool) -> None:
    """Await ``work`` under cProfile (exact call counts) or pyinstrument; print the report."""
    if use_cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        await work
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    from pyinstrument import Profiler

    with Profiler(interval=0.0001, async_mode="disabled") as instrument:
        await work
    print(instrument.output_text(unicode=True, color=False, show_all=False))


async def _time_one(framework: str, scenario_name: str, batches: int = 9) -> None:
    """Microseconds per request over ``batches`` batches of about 0.2 s: median and min."""
    scenario = SCENARIOS[scenario_name]
    app = build_app(framework, scenario_name)
    async with run_lifespan(app):
        check_response(framework, scenario, *await call_once(app, scenario))
        start = time.perf_counter()
        await _drive(app, scenario_name, 500)
        calls = max(500, int(0.2 / ((time.perf_counter() - start) / 500)))
        timings = []
        for _ in range(batches):
            gc.collect()
            start = time.perf_counter()
            await _drive(app, scenario_name, calls)
            timings.append((time.perf_counter() - start) / calls * 1e6)
    print(
        f"{framework} {scenario_name:<13} median {statistics.median(timings):6.2f}"
        f"  min {min(timings):6.2f} us/request ({batches} batches of {calls})"
    )


async def _orm(vendor: str, names: list[str], peer_name: str, how: str) -> None:
    """Profile (or time, ``how == "time"``) one ORM peer's operations on a fresh database."""
    from benchmarks.orm import SCENARIOS as ORM_SCENARIOS
    from benchmarks.orm import TARGETS, open_peers, time_batch
    from benchmarks.orm_peers.raw_driver import RawDriverPeer

    async with TARGETS[vendor]() as target, open_peers(target) as peers:
        peer, raw = peers[peer_name], peers["raw"]
        assert isinstance(raw, RawDriverPeer)
        for name in names or list(ORM_SCENARIOS):
            scenario = ORM_SCENARIOS[name]
            # Batches as the suite times them: scenario.after puts the tables back between.
            calls = max(5, int(1.0 / await time_batch(scenario, peer, raw, 0, 5)))
            if how == "time":
                batch = max(1, calls // 5)
                timings = [await time_batch(scenario, peer, raw, 0, batch) * 1e6 for _ in range(9)]
                print(
                    f"{peer_name} {vendor} {name:<15} median {statistics.median(timings):8.1f}"
                    f"  min {min(timings):8.1f} us/operation"
                )
                continue
            print(f"=== {peer_name} / {vendor} / {name}: {calls} calls ===")
            await _profile(_operations(scenario.call, peer, calls), how == "cprofile")
            if scenario.after is not None:  # outside the profile, as outside the timing
                await scenario.after(raw)


async def _operations(call: Callable[[Any, int], Awaitable[Any]], peer: Any, calls: int) -> None:
    for n in range(calls):
        await call(peer, n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("scenarios", nargs="*", default=[])
    parser.add_argument("--framework", default="covetpy")
    parser.add_argument("--cprofile", action="store_true", help="use cProfile, not pyinstrument")
    parser.add_argument("--time", action="store_true", help="no profiler: µs per request")
    parser.add_argument("--orm", choices=["sqlite", "postgresql"], help="an ORM backend")
    parser.add_argument(
        "--instructions", action="store_true", help="callgrind: instructions per request"
    )
    parser.add_argument("--served", action="store_true", help="with --instructions: uvicorn")
    args = parser.parse_args(argv)
    how = "time" if args.time else "cprofile" if args.cprofile else "pyinstrument"
    if args.orm:
        with asyncio.Runner(loop_factory=event_loop_factory) as runner:
            runner.run(_orm(args.orm, args.scenarios, args.framework, how))
        return
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown or args.framework not in FRAMEWORKS:
        parser.error(f"unknown scenario(s) {unknown} or framework {args.framework!r}")
    if args.instructions:
        from benchmarks.instructions import report

        other = "starlette" if args.framework == "covetpy" else args.framework
        report([other, "covetpy"], args.scenarios or list(SCENARIOS), served=args.served)
        return
    with asyncio.Runner(loop_factory=event_loop_factory) as runner:
        for name in args.scenarios or list(SCENARIOS):
            if args.time:
                runner.run(_time_one(args.framework, name))
            else:
                runner.run(_profile_one(args.framework, name, args.cprofile))


if __name__ == "__main__":
    main()

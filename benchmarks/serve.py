"""Serve one framework's app for one scenario under uvicorn: ``python -m benchmarks.serve``.

    python -m benchmarks.serve FRAMEWORK SCENARIO PORT

uvicorn runs as in production: uvloop, httptools, one worker, no access log (it would
measure the logger). The loopback and memory suites start this under ``taskset``, so the
server has a core of its own. Only the chosen framework is imported.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from benchmarks.apps import build_app

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    framework, scenario, port = argv if argv is not None else sys.argv[1:]
    os.environ["COVET_BENCH_PORT"] = port  # Litestar's allowed hosts name the port
    uvicorn.run(
        build_app(framework, scenario),
        host="127.0.0.1",
        port=int(port),
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()

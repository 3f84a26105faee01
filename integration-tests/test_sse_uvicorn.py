"""The SSE example under a real uvicorn: events reach the client one by one, as sent.

The in-process test client reads a whole response before returning it, so it cannot show
that each event leaves the server when it is yielded. Here a uvicorn subprocess serves
``examples/sse/app.py`` on 127.0.0.1 and an httpx client reads the stream line by line,
noting when each event arrives.
"""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path

import httpx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sse"


def test_events_arrive_one_by_one_as_the_server_sends_them(sse_server: str) -> None:
    arrivals: list[tuple[float, dict[str, object]]] = []
    with (
        httpx.Client(base_url=sse_server, timeout=10) as client,
        client.stream("GET", "/events", params={"count": 4, "delay": 0.3}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        for line in response.iter_lines():
            if line.startswith("data: {"):
                arrivals.append((time.monotonic(), json.loads(line.removeprefix("data: "))))

    assert [data["text"] for _, data in arrivals] == ["tick 1", "tick 2", "tick 3", "tick 4"]
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(arrivals)]
    # The server sleeps 0.3 s before each event. Had uvicorn (or CovetPy) buffered the body,
    # all four would arrive together at the end, with gaps near zero.
    assert all(gap >= 0.2 for gap in gaps), f"events bunched together: gaps {gaps}"


def test_a_client_that_leaves_ends_the_stream_on_the_server(sse_server: str) -> None:
    with httpx.Client(base_url=sse_server, timeout=10) as client:
        with client.stream("GET", "/events", params={"count": 1000, "delay": 0.05}) as response:
            lines = response.iter_lines()
            while not next(lines).startswith("data: "):
                pass
            assert client.get("/streams").json() == {"open": 1}
        # Leaving the `with` closed the connection mid-stream; the generator's finally block
        # on the server lowers the count once uvicorn reports the disconnect.
        deadline = time.monotonic() + 5
        while client.get("/streams").json() != {"open": 0}:
            assert time.monotonic() < deadline, "the stream was still open 5 s after leaving"
            time.sleep(0.05)

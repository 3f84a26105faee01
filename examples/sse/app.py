"""Server-Sent Events with CovetPy: a page that shows events as the server sends them.

Run it from this folder, then open http://127.0.0.1:8000/ ::

    python -m uvicorn app:app --host 127.0.0.1 --port 8000

- ``/`` is a page whose script opens ``new EventSource("/events")`` and adds each event to a
  list. Its query string is passed on: ``/?count=6&batch=2`` streams ``/events?count=6&batch=2``.
- ``/events`` sends ``count`` numbered events, ``delay`` seconds apart, then a ``done`` event
  that tells the page to stop listening. With ``batch=N`` each connection ends after N events,
  as if the server restarted: the browser reconnects by itself, sends the id of the last event
  it saw (``Last-Event-ID``), and the stream resumes where it stopped.
- ``/streams`` says how many event streams are open right now: close the tab mid-stream and
  watch it fall back to 0, because the stream's ``finally`` runs when the client leaves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from covet.asgi import (
    CovetPy,
    EventSourceResponse,
    HTMLResponse,
    Request,
    ServerSentEvent,
    last_event_id,
)

app = CovetPy()

#: How long the browser waits before reconnecting, in milliseconds (browsers default to ~3 s).
RECONNECT_AFTER_MS = 500

# The streams in progress. A module-level counter is enough for one worker process.
open_streams = 0

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>streaming</title>
</head>
<body>
  <h1>Server-Sent Events</h1>
  <p>Connections: <span id="connections">0</span></p>
  <ul id="events"></ul>
  <script>
    const list = document.getElementById("events");
    const connections = document.getElementById("connections");
    const source = new EventSource("/events" + location.search);

    source.onopen = () => {
      connections.textContent = Number(connections.textContent) + 1;
    };

    // Events without an "event:" field arrive as "message".
    source.onmessage = (message) => {
      const item = document.createElement("li");
      item.textContent = JSON.parse(message.data).text;
      list.append(item);
    };

    // When a stream ends, EventSource reconnects; "done" tells the page to close it instead.
    source.addEventListener("done", () => {
      source.close();
      document.title = "done";
    });
  </script>
</body>
</html>
"""


@app.get("/")
async def page() -> HTMLResponse:
    """The page that listens to ``/events``."""
    return HTMLResponse(PAGE)


@app.get("/events")
async def events(
    request: Request, count: int = 5, delay: float = 0.3, batch: int = 0
) -> EventSourceResponse:
    """Events numbered 1 to ``count``, ``delay`` seconds apart, then a ``done`` event.

    A reconnecting browser names the last event it saw, and the stream resumes after it.
    ``batch`` > 0 ends each connection after that many events, to show that happening.
    """
    resume_after = last_event_id(request)
    first = int(resume_after) + 1 if resume_after is not None and resume_after.isdigit() else 1
    last = count if batch <= 0 else min(count, first + batch - 1)

    async def ticks() -> AsyncIterator[ServerSentEvent]:
        global open_streams
        open_streams += 1
        try:
            yield ServerSentEvent(retry=RECONNECT_AFTER_MS)
            for number in range(first, last + 1):
                await asyncio.sleep(delay)
                yield ServerSentEvent({"number": number, "text": f"tick {number}"}, id=str(number))
            if last >= count:
                yield ServerSentEvent("no more events", event="done")
        finally:
            # Runs when the stream ends, and also when the client goes away mid-stream.
            open_streams -= 1

    return EventSourceResponse(ticks())


@app.get("/streams")
async def streams() -> dict[str, int]:
    """How many ``/events`` streams are open at this moment."""
    return {"open": open_streams}

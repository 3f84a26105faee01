"""The SSE example, driven in-process with the test client."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from covet.asgi.testing import TestClient


def load_example() -> ModuleType:
    # Loaded by path under a name of its own: every example has an app.py.
    spec = importlib.util.spec_from_file_location(
        "sse_example_app", Path(__file__).with_name("app.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = load_example()


def test_the_page_opens_an_event_source_and_has_a_list_to_fill() -> None:
    with TestClient(example.app) as client:
        reply = client.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert 'new EventSource("/events" + location.search)' in reply.text
    assert '<ul id="events"></ul>' in reply.text


def test_events_are_numbered_and_end_with_done() -> None:
    with TestClient(example.app) as client:
        reply = client.get("/events", params={"count": 2, "delay": 0})
    assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert reply.text == (
        "retry: 500\n\n"
        'id: 1\ndata: {"number":1,"text":"tick 1"}\n\n'
        'id: 2\ndata: {"number":2,"text":"tick 2"}\n\n'
        "event: done\ndata: no more events\n\n"
    )


def test_a_reconnect_resumes_after_the_last_event_id() -> None:
    with TestClient(example.app) as client:
        reply = client.get(
            "/events", params={"count": 3, "delay": 0}, headers={"Last-Event-ID": "2"}
        )
    assert reply.text == (
        "retry: 500\n\n"
        'id: 3\ndata: {"number":3,"text":"tick 3"}\n\n'
        "event: done\ndata: no more events\n\n"
    )


def test_an_id_that_is_not_a_number_starts_from_the_beginning() -> None:
    with TestClient(example.app) as client:
        reply = client.get(
            "/events", params={"count": 1, "delay": 0}, headers={"Last-Event-ID": "x"}
        )
    assert 'id: 1\ndata: {"number":1,"text":"tick 1"}\n\n' in reply.text


def test_a_batch_ends_the_connection_early_without_done() -> None:
    params = {"count": 3, "delay": 0, "batch": 2}
    with TestClient(example.app) as client:
        first = client.get("/events", params=params)
        second = client.get("/events", params=params, headers={"Last-Event-ID": "2"})
    assert first.text == (
        "retry: 500\n\n"
        'id: 1\ndata: {"number":1,"text":"tick 1"}\n\n'
        'id: 2\ndata: {"number":2,"text":"tick 2"}\n\n'
    )
    assert second.text == (
        "retry: 500\n\n"
        'id: 3\ndata: {"number":3,"text":"tick 3"}\n\n'
        "event: done\ndata: no more events\n\n"
    )


def test_finished_streams_are_no_longer_counted() -> None:
    with TestClient(example.app) as client:
        client.get("/events", params={"count": 1, "delay": 0})
        assert client.get("/streams").json() == {"open": 0}

"""covet.asgi.background: tasks run later, in order, sync ones in a thread."""

from __future__ import annotations

import contextvars
import functools
import threading

import pytest

from covet.asgi.background import BackgroundTask, BackgroundTasks

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


async def test_an_async_function_is_awaited_with_its_arguments() -> None:
    calls: list[tuple[int, str]] = []

    async def record(number: int, *, label: str) -> None:
        calls.append((number, label))

    task = BackgroundTask(record, 7, label="seven")
    assert calls == []  # creating a task does not run it
    await task()
    assert calls == [(7, "seven")]


async def test_a_sync_function_runs_in_a_worker_thread() -> None:
    threads: list[threading.Thread] = []

    def record() -> None:
        threads.append(threading.current_thread())

    await BackgroundTask(record)()
    assert len(threads) == 1
    assert threads[0] is not threading.main_thread()


async def test_a_sync_function_sees_the_callers_context_variables() -> None:
    seen: list[str] = []
    request_id.set("req-42")
    await BackgroundTask(lambda: seen.append(request_id.get()))()
    assert seen == ["req-42"]


async def test_partials_and_async_callable_objects_are_recognised_as_async() -> None:
    calls: list[str] = []

    async def record(label: str) -> None:
        calls.append(label)

    class Recorder:
        async def __call__(self, label: str) -> None:
            calls.append(label)

    partial_task = BackgroundTask(functools.partial(record, "partial"))
    object_task = BackgroundTask(Recorder(), "object")
    assert partial_task.is_async
    assert object_task.is_async
    assert not BackgroundTask(print).is_async
    await partial_task()
    await object_task()
    assert calls == ["partial", "object"]


async def test_tasks_run_in_the_order_they_were_added() -> None:
    order: list[str] = []

    async def async_step(name: str) -> None:
        order.append(name)

    def sync_step(name: str) -> None:
        order.append(name)

    tasks = BackgroundTasks([BackgroundTask(sync_step, "first")])
    tasks.add_task(async_step, "second")
    tasks.add_task(sync_step, "third")
    tasks.add_task(async_step, "fourth")
    await tasks()
    assert order == ["first", "second", "third", "fourth"]


async def test_a_failing_task_stops_the_ones_after_it() -> None:
    order: list[str] = []

    def fail() -> None:
        raise RuntimeError("mail server down")

    tasks = BackgroundTasks()
    tasks.add_task(order.append, "before")
    tasks.add_task(fail)
    tasks.add_task(order.append, "after")
    with pytest.raises(RuntimeError, match="mail server down"):
        await tasks()
    assert order == ["before"]


def test_repr_names_the_function() -> None:
    def send_welcome_email() -> None: ...

    task = BackgroundTask(send_welcome_email)
    assert "send_welcome_email" in repr(task)
    assert "send_welcome_email" in repr(BackgroundTasks([task]))

"""Work that runs after the response has been sent.

Sending a welcome e-mail or writing an audit record should not make the client wait. Attach a
task to a response and the response runs it *after* its last body message has gone out::

    async def signup(request):
        user = await create_user(request)
        return JSONResponse(
            {"id": user.id},
            background=BackgroundTask(send_welcome_email, user.email),
        )

The task still runs inside the request's ASGI call, so the server keeps the connection's
resources until it finishes, and an exception it raises reaches the server's error log.
For long jobs that must survive a restart, use a real job queue instead.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

__all__ = ["BackgroundTask", "BackgroundTasks"]

P = ParamSpec("P")


def _is_async_callable(func: Any) -> bool:
    # Sees through functools.partial and objects whose __call__ is ``async def``.
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(type(func).__call__)


class BackgroundTask:
    """One function call to make later: ``BackgroundTask(func, *args, **kwargs)``.

    An ``async def`` function is awaited on the event loop. A plain function runs in a worker
    thread (``asyncio.to_thread``), so a blocking call such as ``smtplib`` does not stall every
    other request. Either way, context variables set by the request are visible to it.
    """

    def __init__(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.is_async = _is_async_callable(func)

    async def __call__(self) -> None:
        """Run the call now."""
        if self.is_async:
            await self.func(*self.args, **self.kwargs)
        else:
            await asyncio.to_thread(self.func, *self.args, **self.kwargs)

    def __repr__(self) -> str:
        name = getattr(self.func, "__qualname__", repr(self.func))
        return f"BackgroundTask({name})"


class BackgroundTasks:
    """Several tasks, run one after another in the order they were added.

    If a task raises, the ones after it do not run and the exception propagates: running
    them anyway could act on a state the failed task was supposed to set up.
    """

    def __init__(self, tasks: Sequence[BackgroundTask] | None = None) -> None:
        self.tasks: list[BackgroundTask] = list(tasks or [])

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
        """Queue ``func(*args, **kwargs)`` to run after the tasks already added."""
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    async def __call__(self) -> None:
        """Run every task in order."""
        for task in self.tasks:
            await task()

    def __repr__(self) -> str:
        return f"BackgroundTasks({self.tasks!r})"

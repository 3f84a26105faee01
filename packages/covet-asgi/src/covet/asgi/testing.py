"""Test clients: drive an application in-process through httpx.

:class:`AsyncTestClient` is an ``httpx.AsyncClient`` on httpx's ASGI
transport; use it from async tests. :class:`TestClient` is the same for
ordinary (sync) tests: it runs an event loop in a background thread and
hands each request to it, so ``client.get("/")`` just works.

``root_path`` plays a proxy that serves the app under a prefix: requests
then go to ``/prefix/...`` and the scope says so, as behind a real server.

Both run the application's lifespan (startup on entering ``with``/``async
with``, shutdown on leaving), and both re-raise an exception the app did not
handle, after the app's 500 response was produced, so a failing test shows
the real traceback. Pass ``raise_server_exceptions=False`` to get the 500
response instead. Requires the ``testing`` extra (httpx).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

import httpx

from covet.asgi.types import ASGIApp, Message

__all__ = ["AsyncTestClient", "LifespanManager", "TestClient"]

T = TypeVar("T")


class LifespanManager:
    """Send ``lifespan.startup`` / ``lifespan.shutdown`` to an app and wait for its answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _run_app(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        try:
            await self.app(scope, self._to_app.get, self._from_app.put)
        except BaseException as exc:  # reported through the failed message below
            await self._from_app.put({"type": "covet.app_crashed", "exc": exc})

    async def _exchange(self, phase: str) -> None:
        await self._to_app.put({"type": f"lifespan.{phase}"})
        message = await self._from_app.get()
        if message["type"] == f"lifespan.{phase}.complete":
            return
        if message["type"] == f"lifespan.{phase}.failed":
            crashed = await self._from_app.get()
            raise RuntimeError(f"Lifespan {phase} failed") from crashed.get("exc")
        raise RuntimeError(f"Lifespan {phase}: unexpected message {message!r}") from message.get(
            "exc"
        )

    async def startup(self) -> None:
        self._task = asyncio.create_task(self._run_app())
        await self._exchange("startup")

    async def shutdown(self) -> None:
        await self._exchange("shutdown")
        if self._task is not None:
            await self._task


def _transport(
    app: ASGIApp,
    lifespan: LifespanManager,
    raise_server_exceptions: bool,
    client: tuple[str, int],
    root_path: str,
) -> httpx.ASGITransport:
    return httpx.ASGITransport(
        app=_with_state(app, lifespan.state),
        raise_app_exceptions=raise_server_exceptions,
        client=client,
        root_path=root_path,
    )


class AsyncTestClient(httpx.AsyncClient):
    """``async with AsyncTestClient(app) as client: await client.get("/")``."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(
        self,
        app: ASGIApp,
        *,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        root_path: str = "",
        **kwargs: Any,
    ) -> None:
        self.app = app
        self.lifespan = LifespanManager(app)
        transport = _transport(app, self.lifespan, raise_server_exceptions, client, root_path)
        super().__init__(transport=transport, base_url=base_url, **kwargs)

    async def __aenter__(self) -> AsyncTestClient:
        await super().__aenter__()
        await self.lifespan.startup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            await self.lifespan.shutdown()
        finally:
            await super().__aexit__(exc_type, exc_value, traceback)


def _with_state(app: ASGIApp, state: dict[str, Any]) -> ASGIApp:
    """Give each request a copy of the lifespan state, as ASGI servers do."""

    async def app_with_state(scope: Any, receive: Any, send: Any) -> None:
        scope["state"] = dict(state)
        await app(scope, receive, send)

    return app_with_state


class _LoopThread:
    """An event loop running in a daemon thread; run coroutines on it from sync code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class _SyncASGITransport(httpx.BaseTransport):
    """A sync httpx transport that runs the async ASGI transport on a loop thread."""

    def __init__(self, transport: httpx.ASGITransport, loop: _LoopThread) -> None:
        self.transport = transport
        self.loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            request.stream = httpx.ByteStream(request.read())
            response = await self.transport.handle_async_request(request)
            # The raw bytes, not aread(): the Response built below decodes a gzip body
            # itself, and decoding it twice would fail.
            content = b"".join([chunk async for chunk in response.aiter_raw()])
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                extensions=response.extensions,
                request=request,
            )

        return self.loop.run(send())

    def close(self) -> None:
        self.loop.close()


class TestClient(httpx.Client):
    """``with TestClient(app) as client: client.get("/")`` — for ordinary test functions.

    Without ``with`` requests work too, but the lifespan hooks do not run.
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        *,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        root_path: str = "",
        **kwargs: Any,
    ) -> None:
        self.app = app
        self._loop = _LoopThread()
        self.lifespan = LifespanManager(app)
        transport = _transport(app, self.lifespan, raise_server_exceptions, client, root_path)
        super().__init__(
            transport=_SyncASGITransport(transport, self._loop), base_url=base_url, **kwargs
        )

    def __enter__(self) -> TestClient:
        super().__enter__()
        self._loop.run(self.lifespan.startup())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            self._loop.run(self.lifespan.shutdown())
        finally:
            super().__exit__(exc_type, exc_value, traceback)  # closes the transport and its loop

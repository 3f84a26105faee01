"""The middleware of the ``middleware_3`` scenario: a pure ASGI layer that passes through.

Every framework stacks three of these around its app, registered the way that framework
registers middleware, so the scenario measures what each framework adds per layer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PassThrough"]


class PassThrough:
    """``await app(scope, receive, send)`` and nothing else."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

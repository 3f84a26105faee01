"""Signals: let other code react when a model instance is saved or deleted.

This is the observer pattern. A :class:`Signal` is a list of *receivers* (functions). Code that
wants to know about an event *connects* a receiver; the ORM *sends* the signal at the right
moment, and the signal calls each receiver in turn. The sender (``Model.save``) does not know
who listens, and the listeners do not change the sender's code::

    from covet.orm.signals import post_save, receiver

    @receiver(post_save, sender=User)
    async def welcome(sender, instance, created, **kwargs):
        if created:
            await Email.objects.create(to=instance.email, subject="Welcome!")

The four signals, and what their receivers get (always as keyword arguments):

==============  ==========================================  =====================================
signal          sent by                                     arguments
==============  ==========================================  =====================================
``pre_save``    ``Model.save()``, before validation         ``sender, instance, created,
                                                            update_fields, signal``
``post_save``   ``Model.save()``, after the INSERT/UPDATE   the same
``pre_delete``  ``Model.delete()`` and, per row,            ``sender, instance, signal``
                ``QuerySet.delete()``, before the DELETE
``post_delete`` the same, after the DELETE (``instance.pk``  the same
                still names the deleted row)
==============  ==========================================  =====================================

``sender`` is the model class, ``created`` is True when the save INSERTs, ``update_fields`` is
the frozenset given to ``save(update_fields=...)`` or None. A receiver should accept
``**kwargs``, so that a later version may send more arguments without breaking it.

Rules, each one a decision:

* Receivers run **in the order they were connected**, one after the other (not concurrently:
  a receiver may rely on the one before it).
* A receiver may be a coroutine function (awaited) or a plain function (called directly).
* **An exception in a receiver propagates**: nothing is swallowed. When a signal has
  receivers, the write and its signals run together in ``atomic()``, so a receiver that raises
  undoes the write it was told about (and any writes of the receivers before it).
* ``QuerySet.delete()`` sends ``pre_delete``/``post_delete`` once per row when the model has
  receivers (it then reads the rows first: one SELECT, one DELETE per row); without receivers
  it is a single DELETE. ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()`` send
  **no** signals: they exist to write many rows with few statements, as in Django.
* Receivers are held by strong references: one defined inside a function stays connected
  until :meth:`Signal.disconnect` is called.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from covet.orm.transactions import atomic

if TYPE_CHECKING:
    from covet.orm.models import Model

__all__ = [
    "Signal",
    "post_delete",
    "post_save",
    "pre_delete",
    "pre_save",
    "receiver",
    "atomic_if_observed",
]

#: A receiver: ``receiver(sender=..., instance=..., ...)``, a coroutine function or not.
Receiver = Callable[..., Awaitable[object] | object]
R = TypeVar("R", bound=Receiver)


class Signal:
    """A named event: a list of ``(receiver, sender)`` pairs, called by :meth:`send`.

    ``sender=None`` on :meth:`connect` means "for every model"; a model class means "only
    when that exact class sends" (not its subclasses, as in Django).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[tuple[Receiver, type[Model] | None]] = []

    def __repr__(self) -> str:
        return f"<Signal {self.name}: {len(self._receivers)} receiver(s)>"

    def connect(self, receiver: R, sender: type[Model] | None = None) -> R:
        """Call ``receiver`` each time ``sender`` (or any model) sends this signal.

        Connecting the same receiver for the same sender again changes nothing. Returns the
        receiver, so ``connect`` can be used as a decorator too.
        """
        if not callable(receiver):
            raise TypeError(f"{self.name}.connect() needs a callable, got {receiver!r}")
        if (receiver, sender) not in self._receivers:
            self._receivers.append((receiver, sender))
        return receiver

    def disconnect(self, receiver: Receiver, sender: type[Model] | None = None) -> bool:
        """Stop calling ``receiver`` for ``sender``; returns whether it was connected."""
        try:
            self._receivers.remove((receiver, sender))
        except ValueError:
            return False
        return True

    def receivers_for(self, sender: type[Model]) -> list[Receiver]:
        """The receivers :meth:`send` would call for ``sender``, in connection order."""
        return [
            receiver for receiver, wanted in self._receivers if wanted is None or wanted is sender
        ]

    def has_receivers(self, sender: type[Model]) -> bool:
        """Whether sending for ``sender`` would call anything (the ORM skips work if not)."""
        return bool(self.receivers_for(sender))

    async def send(self, sender: type[Model], **arguments: Any) -> None:
        """Call every receiver for ``sender`` in order; await those that return awaitables.

        The first exception stops the sending and propagates to the caller.
        """
        # A copy: a receiver that connects or disconnects another does not change this round.
        for receiver in self.receivers_for(sender):
            result = receiver(sender=sender, signal=self, **arguments)
            if inspect.isawaitable(result):
                await result


pre_save = Signal("pre_save")
post_save = Signal("post_save")
pre_delete = Signal("pre_delete")
post_delete = Signal("post_delete")


def receiver(signal: Signal, *, sender: type[Model] | None = None) -> Callable[[R], R]:
    """Decorator form of ``signal.connect(function, sender=sender)``."""

    def connect(function: R) -> R:
        return signal.connect(function, sender=sender)

    return connect


def atomic_if_observed(model: type[Model], *signals: Signal) -> AbstractAsyncContextManager[object]:
    """``atomic()`` on the model's database if any of ``signals`` has receivers, else nothing.

    Used by ``save()`` and ``delete()``: the write and its receivers succeed or fail
    together, and a model nobody observes pays for no transaction.
    """
    if any(signal.has_receivers(model) for signal in signals):
        return atomic(model._meta.database)
    return contextlib.nullcontext()

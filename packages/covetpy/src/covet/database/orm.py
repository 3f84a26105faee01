"""``from covet.database.orm import Model, CharField``: covet.orm under the facade's name.

The launch demo imports the ORM from here. Everything covet-orm offers publicly
(``covet.orm.__all__``) is re-exported, the same objects: ``covet.database.orm.Model is
covet.orm.Model``, so there is one ORM, whichever name you use. One name is added, the one
that needs the web side too: :class:`QueryTrackingMiddleware` (``covet/database/tracking.py``),
the N+1 guard per request.
"""

from covet.database.tracking import QueryTrackingMiddleware
from covet.orm import *  # noqa: F403 - the whole public API, as listed in covet.orm.__all__
from covet.orm import __all__ as _orm_public_names

__all__ = [*_orm_public_names, "QueryTrackingMiddleware"]

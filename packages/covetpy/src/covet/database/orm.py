"""``from covet.database.orm import Model, CharField``: covet.orm under the facade's name.

The launch demo imports the ORM from here. Everything in this module is covet-orm's public
API (``covet.orm.__all__``), the same objects, re-exported: ``covet.database.orm.Model is
covet.orm.Model``. Nothing is defined here, so there is one ORM, whichever name you use.
"""

from covet.orm import *  # noqa: F403 - the whole public API, as listed in covet.orm.__all__
from covet.orm import __all__ as _orm_public_names

__all__ = list(_orm_public_names)

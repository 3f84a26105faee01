"""covet/database/orm.py: the ORM under the facade's name is the very same covet.orm."""

from __future__ import annotations

import covet.database.orm as facade
import covet.orm


def test_it_re_exports_the_whole_public_api_of_covet_orm() -> None:
    assert facade.__all__ == [*covet.orm.__all__, "QueryTrackingMiddleware"]
    for name in covet.orm.__all__:
        assert getattr(facade, name) is getattr(covet.orm, name), name
    from covet.database.tracking import QueryTrackingMiddleware

    assert facade.QueryTrackingMiddleware is QueryTrackingMiddleware


def test_the_launch_demo_names_are_there() -> None:
    from covet.database.orm import CharField, IntegerField, Model

    assert Model is covet.orm.Model
    assert CharField is covet.orm.CharField
    assert IntegerField is covet.orm.IntegerField

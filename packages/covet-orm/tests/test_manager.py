"""manager.py: User.objects, and managers of your own."""

from __future__ import annotations

import pytest

from covet.orm import (
    BooleanField,
    CharField,
    Count,
    Database,
    Manager,
    Model,
    QuerySet,
    atomic,
    create_tables,
)


class ActiveManager(Manager["Member"]):
    def get_queryset(self) -> QuerySet[Member]:
        return super().get_queryset().filter(active=True)

    async def named(self, name: str) -> Member:
        return await self.get(name=name)


class Member(Model):
    __tablename__ = "members"

    name = CharField(max_length=20)
    active = BooleanField(default=True)

    objects = Manager()
    active_members = ActiveManager()


def test_each_access_is_bound_to_the_model() -> None:
    assert Member.objects.model is Member
    assert Member.active_members.model is Member
    assert isinstance(Member.active_members, ActiveManager)


async def test_a_custom_manager_narrows_every_query(database: Database) -> None:
    await create_tables(database, Member)
    await Member.objects.create(name="on")
    await Member.objects.create(name="off", active=False)
    assert await Member.objects.count() == 2
    assert await Member.active_members.count() == 1
    assert [m.name for m in await Member.active_members.all()] == ["on"]
    assert (await Member.active_members.named("on")).active is True
    with pytest.raises(Member.DoesNotExist):
        await Member.active_members.named("off")


async def test_the_manager_offers_the_queryset_api(database: Database) -> None:
    await create_tables(database, Member)
    objects = Member.objects
    created = await objects.create(name="a")
    await objects.bulk_create([Member(name="b"), Member(name="c", active=False)])
    assert (await objects.get(name="a")).pk == created.pk
    assert await objects.filter(active=False).count() == 1
    assert await objects.exclude(active=False).count() == 2
    assert [m.name for m in await objects.order_by("-name")] == ["c", "b", "a"]
    assert await objects.values_list("active", flat=True).distinct().count() == 2
    assert await objects.distinct().count() == 3
    assert await objects.values("name").count() == 3
    assert await objects.annotate(n=Count("id")).count() == 3
    assert (await objects.first()).name == "a"  # type: ignore[union-attr]
    assert (await objects.last()).name == "c"  # type: ignore[union-attr]
    assert await objects.exists()
    assert await objects.aggregate(n=Count("id")) == {"n": 3}
    assert set(await objects.in_bulk()) == {m.pk for m in await objects.all()}
    assert await objects.update(active=True) == 3
    everyone = await objects.all()
    for member in everyone:
        member.name = member.name.upper()
    assert await objects.bulk_update(everyone, ["name"]) == 3
    assert (await objects.get_or_create(name="A"))[1] is False
    assert (await objects.update_or_create(name="D", defaults={"active": False}))[1] is True
    async with atomic():
        assert len(await objects.select_for_update().filter(name="A")) == 1
    assert not hasattr(objects, "delete")  # deleting everything takes .all().delete()
    assert len(await objects.raw("SELECT id, name, active FROM members")) == 4

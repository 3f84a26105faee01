"""signals.py: connecting receivers, sending, and the signals of save() and delete()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from covet.orm import (
    CharField,
    Database,
    FieldError,
    IntegerField,
    Model,
    ValidationError,
    capture_queries,
    create_tables,
)
from covet.orm.signals import (
    Signal,
    atomic_if_observed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
    receiver,
)


class Article(Model):
    title = CharField(max_length=50)
    slug = CharField(max_length=50)
    views = IntegerField(default=0)


class AuditEntry(Model):
    action = CharField(max_length=50)


class Special(Article):
    __tablename__ = "special_article"


@pytest.fixture(autouse=True)
def clean_signals() -> Iterator[None]:
    """Every test starts and ends with no receiver connected to the ORM's signals."""
    signals = (pre_save, post_save, pre_delete, post_delete)
    saved = [list(signal._receivers) for signal in signals]
    for signal in signals:
        signal._receivers.clear()
    yield
    for signal, receivers in zip(signals, saved, strict=True):
        signal._receivers[:] = receivers


def recorder(calls: list[tuple[Any, ...]], label: str) -> Any:
    """A sync receiver that records (label, sender, its keyword arguments)."""

    def record(sender: type[Model], **kwargs: Any) -> None:
        calls.append((label, sender, kwargs))

    return record


# --- Signal on its own --------------------------------------------------------------------


async def test_receivers_run_in_connection_order_sync_and_async() -> None:
    signal = Signal("test")
    order: list[str] = []

    async def first(sender: Any, **kwargs: Any) -> None:
        order.append(f"async:{kwargs['value']}")

    def second(sender: Any, **kwargs: Any) -> None:
        order.append(f"sync:{kwargs['value']}")

    signal.connect(first)
    signal.connect(second)
    await signal.send(Article, value=1)
    assert order == ["async:1", "sync:1"]


async def test_receivers_get_sender_signal_and_arguments_as_keywords() -> None:
    signal = Signal("test")
    calls: list[tuple[Any, ...]] = []
    signal.connect(recorder(calls, "r"))
    await signal.send(Article, instance="x")
    assert calls == [("r", Article, {"signal": signal, "instance": "x"})]


async def test_sender_filter_is_the_exact_class() -> None:
    signal = Signal("test")
    calls: list[tuple[Any, ...]] = []
    signal.connect(recorder(calls, "article"), sender=Article)
    signal.connect(recorder(calls, "any"))
    await signal.send(Special)
    await signal.send(Article)
    assert [(label, sender) for label, sender, _ in calls] == [
        ("any", Special),
        ("article", Article),
        ("any", Article),
    ]
    assert signal.has_receivers(Article)
    assert not Signal("empty").has_receivers(Article)


async def test_connect_twice_is_once_and_disconnect_says_whether_it_was_connected() -> None:
    signal = Signal("test")
    calls: list[tuple[Any, ...]] = []
    record = recorder(calls, "r")
    assert signal.connect(record, sender=Article) is record
    signal.connect(record, sender=Article)
    await signal.send(Article)
    assert len(calls) == 1
    assert signal.disconnect(record) is False  # connected for Article, not for every model
    assert signal.disconnect(record, sender=Article) is True
    assert signal.disconnect(record, sender=Article) is False
    await signal.send(Article)
    assert len(calls) == 1
    assert repr(signal) == "<Signal test: 0 receiver(s)>"


def test_connect_refuses_what_cannot_be_called() -> None:
    with pytest.raises(TypeError, match=r"test.connect\(\) needs a callable"):
        Signal("test").connect("not a function")  # type: ignore[type-var]


async def test_receiver_decorator_connects_for_the_sender() -> None:
    signal = Signal("test")
    calls: list[str] = []

    @receiver(signal, sender=Article)
    async def on_article(sender: Any, **kwargs: Any) -> None:
        calls.append(sender.__name__)

    await signal.send(Article)
    await signal.send(AuditEntry)
    assert calls == ["Article"]
    assert signal.receivers_for(Article) == [on_article]


async def test_an_exception_in_a_receiver_propagates_and_stops_the_sending() -> None:
    signal = Signal("test")
    calls: list[tuple[Any, ...]] = []

    def fail(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    signal.connect(fail)
    signal.connect(recorder(calls, "after"))
    with pytest.raises(RuntimeError, match="receiver failed"):
        await signal.send(Article)
    assert calls == []


async def test_a_receiver_connected_while_sending_waits_for_the_next_send() -> None:
    signal = Signal("test")
    calls: list[tuple[Any, ...]] = []
    late = recorder(calls, "late")

    def connect_another(sender: Any, **kwargs: Any) -> None:
        signal.connect(late)

    signal.connect(connect_another)
    await signal.send(Article)
    assert calls == []
    await signal.send(Article)
    assert [label for label, _, _ in calls] == ["late"]


async def test_no_transaction_when_nobody_listens() -> None:
    # Without receivers there is no database to ask: the context manager is a no-op.
    async with atomic_if_observed(Article, pre_save, post_save) as entered:
        assert entered is None


# --- save() ---------------------------------------------------------------------------------


async def test_save_sends_pre_and_post_save_with_created(database: Database) -> None:
    await create_tables(database, Article)
    seen: list[tuple[str, Any, bool, Any, Any]] = []

    def record(label: str) -> Any:
        def receive(sender: Any, instance: Article, created: bool, **kwargs: Any) -> None:
            seen.append((label, instance.pk, created, kwargs["update_fields"], sender))

        return receive

    pre_save.connect(record("pre"), sender=Article)
    post_save.connect(record("post"), sender=Article)
    article = Article(title="Signals", slug="signals")
    await article.save()
    first_pk = article.pk
    assert first_pk is not None
    article.views = 5
    await article.save()
    await article.save(update_fields=["views"])
    assert seen == [
        ("pre", None, True, None, Article),
        ("post", first_pk, True, None, Article),
        ("pre", first_pk, False, None, Article),
        ("post", first_pk, False, None, Article),
        ("pre", first_pk, False, frozenset({"views"}), Article),
        ("post", first_pk, False, frozenset({"views"}), Article),
    ]


async def test_create_sends_post_save_with_the_saved_instance(database: Database) -> None:
    await create_tables(database, Article)
    saved: list[Article] = []

    @receiver(post_save, sender=Article)
    async def on_saved(sender: Any, instance: Article, created: bool, **kwargs: Any) -> None:
        assert created
        saved.append(instance)

    article = await Article.objects.create(title="A", slug="a")
    assert saved == [article]
    assert saved[0] is article


async def test_pre_save_may_fill_in_a_value_which_is_then_validated_and_stored(
    database: Database,
) -> None:
    await create_tables(database, Article)

    @receiver(pre_save, sender=Article)
    def slugify(sender: Any, instance: Article, **kwargs: Any) -> None:
        instance.slug = instance.title.lower().replace(" ", "-")

    article = await Article.objects.create(title="Hello World", slug="")
    assert (await Article.objects.get(pk=article.pk)).slug == "hello-world"
    with pytest.raises(ValidationError, match="at most 50 characters"):
        await Article.objects.create(title="x " * 30, slug="")
    assert await Article.objects.count() == 1


async def test_a_failing_post_save_receiver_undoes_the_insert(database: Database) -> None:
    await create_tables(database, Article, AuditEntry)

    @receiver(post_save, sender=Article)
    async def audit_then_fail(sender: Any, instance: Article, **kwargs: Any) -> None:
        await AuditEntry.objects.create(action=f"saved {instance.pk}")
        raise RuntimeError("audit refused")

    with pytest.raises(RuntimeError, match="audit refused"):
        await Article.objects.create(title="A", slug="a")
    assert await Article.objects.count() == 0
    assert await AuditEntry.objects.count() == 0


async def test_a_failing_pre_save_receiver_stops_the_save(database: Database) -> None:
    await create_tables(database, Article)
    calls: list[tuple[Any, ...]] = []

    def refuse(sender: Any, **kwargs: Any) -> None:
        raise PermissionError("read-only")

    pre_save.connect(refuse)
    post_save.connect(recorder(calls, "post"))
    with pytest.raises(PermissionError):
        await Article(title="A", slug="a").save()
    assert calls == []
    pre_save.disconnect(refuse)
    assert await Article.objects.count() == 0


async def test_unknown_update_fields_fail_before_any_signal(database: Database) -> None:
    await create_tables(database, Article)
    calls: list[tuple[Any, ...]] = []
    pre_save.connect(recorder(calls, "pre"))
    article = await Article.objects.create(title="A", slug="a")
    calls.clear()
    with pytest.raises(FieldError, match="Article has no field 'nope'"):
        await article.save(update_fields=["nope"])
    assert calls == []


async def test_receivers_for_another_model_do_not_open_a_transaction(database: Database) -> None:
    await create_tables(database, Article)
    post_save.connect(recorder([], "audit"), sender=AuditEntry)
    with capture_queries() as queries:
        await Article.objects.create(title="A", slug="a")
    assert [q.sql.split()[0] for q in queries] == ["INSERT"]


# --- delete() -------------------------------------------------------------------------------


async def test_delete_sends_pre_and_post_delete_around_the_delete(database: Database) -> None:
    await create_tables(database, Article)
    article = await Article.objects.create(title="A", slug="a")
    seen: list[tuple[str, Any, int]] = []

    def record(label: str) -> Any:
        async def receive(sender: Any, instance: Article, **kwargs: Any) -> None:
            assert instance is article
            seen.append((label, instance.pk, await Article.objects.filter(pk=instance.pk).count()))

        return receive

    pre_delete.connect(record("pre"), sender=Article)
    post_delete.connect(record("post"), sender=Article)
    pk = article.pk
    await article.delete()
    # post_delete still sees the pk of the row that is gone.
    assert seen == [("pre", pk, 1), ("post", pk, 0)]
    assert article.pk is None


async def test_a_failing_post_delete_receiver_keeps_the_row(database: Database) -> None:
    await create_tables(database, Article)
    article = await Article.objects.create(title="A", slug="a")

    @receiver(post_delete, sender=Article)
    def refuse(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("keep it")

    with pytest.raises(RuntimeError, match="keep it"):
        await article.delete()
    assert await Article.objects.filter(pk=article.pk).exists()


async def test_queryset_delete_sends_the_signals_once_per_row(database: Database) -> None:
    await create_tables(database, Article)
    for n in range(4):
        await Article.objects.create(title=f"t{n}", slug=f"s{n}", views=n)
    deleted: list[tuple[str, str]] = []
    pre_delete.connect(lambda sender, instance, **kw: deleted.append(("pre", instance.title)))
    post_delete.connect(lambda sender, instance, **kw: deleted.append(("post", instance.title)))
    count = await Article.objects.filter(views__gte=2).order_by("views").delete()
    assert count == 2
    assert deleted == [("pre", "t2"), ("post", "t2"), ("pre", "t3"), ("post", "t3")]
    assert sorted(await Article.objects.values_list("title", flat=True)) == ["t0", "t1"]


async def test_queryset_delete_after_values_still_sends_instances(database: Database) -> None:
    await create_tables(database, Article)
    await Article.objects.create(title="A", slug="a")
    instances: list[Any] = []
    post_delete.connect(lambda sender, instance, **kw: instances.append(instance))
    assert await Article.objects.values("title").delete() == 1
    assert len(instances) == 1
    assert isinstance(instances[0], Article)


async def test_queryset_delete_rolls_back_every_row_when_a_receiver_fails(
    database: Database,
) -> None:
    await create_tables(database, Article)
    for n in range(3):
        await Article.objects.create(title=f"t{n}", slug=f"s{n}", views=n)

    @receiver(pre_delete, sender=Article)
    def refuse_the_last(sender: Any, instance: Article, **kwargs: Any) -> None:
        if instance.views == 2:
            raise RuntimeError(f"{instance.title} is protected")

    with pytest.raises(RuntimeError, match="t2 is protected"):
        await Article.objects.order_by("views").delete()
    assert await Article.objects.count() == 3


async def test_queryset_delete_without_receivers_is_one_statement(database: Database) -> None:
    await create_tables(database, Article)
    await Article.objects.create(title="A", slug="a")
    pre_delete.connect(recorder([], "other"), sender=AuditEntry)
    with capture_queries() as queries:
        assert await Article.objects.all().delete() == 1
    assert [q.sql.split()[0] for q in queries] == ["DELETE"]


async def test_sliced_queryset_delete_with_receivers_is_refused(database: Database) -> None:
    await create_tables(database, Article)
    pre_delete.connect(recorder([], "r"))
    with pytest.raises(FieldError, match="sliced"):
        await Article.objects.all()[:1].delete()


async def test_update_bulk_create_and_bulk_update_send_no_signals(database: Database) -> None:
    await create_tables(database, Article)
    calls: list[tuple[Any, ...]] = []
    for signal in (pre_save, post_save, pre_delete, post_delete):
        signal.connect(recorder(calls, signal.name))
    await Article.objects.bulk_create([Article(title="A", slug="a"), Article(title="B", slug="b")])
    assert await Article.objects.filter(title="A").update(views=7) == 1
    assert sorted(await Article.objects.values_list("views", flat=True)) == [0, 7]
    fetched = await Article.objects.all()
    for article in fetched:
        article.views = 9
    assert await Article.objects.bulk_update(fetched, ["views"]) == 2
    assert await Article.objects.values_list("views", flat=True) == [9, 9]
    assert calls == []

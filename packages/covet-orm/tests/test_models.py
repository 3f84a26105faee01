"""models.py: class declaration (_meta, keys, errors) and the life of an instance."""

from __future__ import annotations

import pytest

from covet.orm import (
    AutoField,
    CharField,
    Database,
    DateTimeField,
    DoesNotExist,
    FieldError,
    IntegerField,
    IntegrityError,
    Model,
    MultipleObjectsReturned,
    OrmError,
    ValidationError,
    capture_queries,
    create_tables,
)
from covet.orm.models import table_name_for


class User(Model):
    __tablename__ = "users"

    name = CharField(max_length=100)
    email = CharField(max_length=255, unique=True)
    age = IntegerField(default=18)


class BlogPost(Model):
    title = CharField(max_length=50, db_column="post_title")


class Timestamped(Model):
    __abstract__ = True

    created = DateTimeField(null=True)


class Event(Timestamped):
    name = CharField(max_length=20)


class Admin(User):
    __tablename__ = "admins"

    level = IntegerField(default=1)


# --- declaration ------------------------------------------------------------------------------


def test_meta_describes_the_table() -> None:
    meta = User._meta
    assert meta.table_name == "users"
    assert [f.name for f in meta.fields] == ["id", "name", "email", "age"]
    assert meta.pk is meta.fields_by_name["id"]
    assert isinstance(meta.pk, AutoField)
    assert meta.database == "default"
    assert repr(meta) == "<Options for User>"
    assert User.id is meta.pk  # type: ignore[attr-defined]
    assert User.name is meta.get_field("name")
    assert meta.get_field("pk") is meta.pk


def test_table_names_derive_from_class_names() -> None:
    assert BlogPost._meta.table_name == "blog_post"
    assert table_name_for("HTTPLog2Entry") == "httplog2_entry"
    assert BlogPost._meta.get_field("title").column == "post_title"


def test_abstract_models_share_fields_and_have_no_table() -> None:
    assert [f.name for f in Event._meta.fields] == ["id", "created", "name"]
    assert Event._meta.get_field("created") is not Timestamped._meta.get_field("created")
    assert Event._meta.get_field("created").model is Event
    with pytest.raises(TypeError, match="abstract"):
        Timestamped()
    with pytest.raises(TypeError, match="abstract"):
        Timestamped.objects.all()


def test_subclasses_of_a_concrete_model_copy_its_fields() -> None:
    assert [f.name for f in Admin._meta.fields] == ["id", "name", "email", "age", "level"]
    assert issubclass(Admin.DoesNotExist, User.DoesNotExist)


def test_each_model_has_its_own_does_not_exist() -> None:
    assert issubclass(User.DoesNotExist, DoesNotExist)
    assert issubclass(User.MultipleObjectsReturned, MultipleObjectsReturned)
    assert User.DoesNotExist is not BlogPost.DoesNotExist
    assert not issubclass(User.DoesNotExist, BlogPost.DoesNotExist)
    assert User.DoesNotExist.__qualname__ == "User.DoesNotExist"


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(FieldError, match="several primary keys: a, b"):

        class TwoKeys(Model):
            a = IntegerField(primary_key=True)
            b = IntegerField(primary_key=True)

    with pytest.raises(FieldError, match="cannot be 'pk' or contain '__'"):

        class Dunder(Model):
            a__b = IntegerField()

    with pytest.raises(FieldError, match="invalid table name"):

        class BadTable(Model):
            __tablename__ = "users; DROP TABLE users"


def test_instances_take_known_fields_only() -> None:
    with pytest.raises(
        FieldError, match="User has no field\\(s\\) nmae; choices are: pk, id, name"
    ):
        User(nmae="x")
    user = User(pk=5, name="a")
    assert user.id == 5  # type: ignore[attr-defined]
    assert user.age == 18


def test_equality_and_hash_follow_the_primary_key() -> None:
    assert User(pk=1) == User(pk=1)
    assert User(pk=1) != User(pk=2)
    assert User(pk=1) != Admin(pk=1)
    unsaved = User()
    assert unsaved == unsaved
    assert unsaved != User()
    assert len({User(pk=1), User(pk=1)}) == 1
    with pytest.raises(TypeError, match="unhashable"):
        hash(User())
    assert (User(pk=1) == "x") is False
    assert repr(User(pk=3)) == "<User: pk=3>"


def test_the_manager_is_reached_through_the_class() -> None:
    with pytest.raises(AttributeError, match="through the model class"):
        User(name="x").objects  # noqa: B018


# --- an instance's life on every backend -----------------------------------------------------


@pytest.fixture
async def users(database: Database) -> Database:
    await create_tables(database, User)
    return database


async def test_save_inserts_then_updates(users: Database) -> None:
    user = User(name="Ann", email="ann@example.com")
    assert user.pk is None
    await user.save()
    assert isinstance(user.pk, int)
    user.age = 40
    with capture_queries() as queries:
        await user.save()
    assert [q.sql.split()[0] for q in queries] == ["UPDATE"]
    assert (await User.objects.get(pk=user.pk)).age == 40
    assert await User.objects.count() == 1


async def test_save_with_update_fields_writes_only_those(users: Database) -> None:
    user = await User.objects.create(name="Ann", email="ann@example.com", age=20)
    user.name = "Changed"
    user.age = 21
    with capture_queries() as queries:
        await user.save(update_fields=["age"])
    assert "name" not in queries[-1].sql
    stored = await User.objects.get(pk=user.pk)
    assert (stored.name, stored.age) == ("Ann", 21)
    with pytest.raises(FieldError, match="primary key"):
        await user.save(update_fields=["id"])
    with pytest.raises(FieldError, match="has no field 'nope'"):
        await user.save(update_fields=["nope"])
    with pytest.raises(OrmError, match="unsaved instance"):
        await User(name="x", email="y").save(update_fields=["age"])
    await user.save(update_fields=[])  # nothing to write: no query, no error


async def test_validation_happens_before_anything_is_sent(users: Database) -> None:
    user = User(name="x" * 101, email="a@b")
    with capture_queries() as queries, pytest.raises(ValidationError) as caught:
        await user.save()
    assert queries == []
    assert caught.value.field == "name"
    assert "User.name: ensure this value has at most 100 characters" in str(caught.value)
    with pytest.raises(ValidationError, match=r"User\.email: this field cannot be null"):
        await User.objects.create(name="no email")
    assert await User.objects.count() == 0


async def test_unique_violations_are_integrity_errors(users: Database) -> None:
    await User.objects.create(name="a", email="same@example.com")
    with pytest.raises(IntegrityError) as caught:
        await User.objects.create(name="b", email="same@example.com")
    assert caught.value.driver_error is not None
    # Case counts in unique columns too (utf8mb4_bin on MySQL, like the others).
    await User.objects.create(name="c", email="SAME@example.com")


async def test_delete_and_refresh_from_db(users: Database) -> None:
    user = await User.objects.create(name="Ann", email="a@x")
    other = await User.objects.get(pk=user.pk)
    other.age = 99
    await other.save()
    await user.refresh_from_db()
    assert user.age == 99
    await user.delete()
    assert user.pk is None
    assert await User.objects.count() == 0
    with pytest.raises(OrmError, match="no primary key"):
        await user.delete()
    with pytest.raises(User.DoesNotExist):
        await other.refresh_from_db()
    # A deleted instance saves as a new row.
    await user.save()
    assert user.pk is not None
    assert user.pk != other.pk


async def test_an_explicit_primary_key_is_inserted(users: Database) -> None:
    user = await User.objects.create(pk=1000, name="Ann", email="a@x")
    assert user.pk == 1000
    assert (await User.objects.get(pk=1000)).name == "Ann"

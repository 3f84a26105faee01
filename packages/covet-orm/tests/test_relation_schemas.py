"""schemas.py and relations: keys as ``<name>_id``, nested schemas on request, both ways.

The blog here is small but has every kind of relation: a ForeignKey (``Post.author``), a
nullable one (``Post.editor``), a OneToOneField (``Profile.author``, read back as
``author.profile``), a ManyToManyField (``Post.tags``) and a reverse ForeignKey
(``post.comments``). Database tests run on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from covet.orm import (
    CASCADE,
    SET_NULL,
    CharField,
    Database,
    FieldError,
    ForeignKey,
    ManyToManyField,
    Model,
    NotLoadedError,
    OneToOneField,
    TextField,
    create_tables,
)
from covet.orm.events import capture_queries


class Writer(Model):
    __tablename__ = "rs_writer"
    name = CharField(max_length=50)


class Bio(Model):
    __tablename__ = "rs_bio"
    writer = OneToOneField(Writer, on_delete=CASCADE, related_name="bio")
    text = TextField(default="")


class Label(Model):
    __tablename__ = "rs_label"
    name = CharField(max_length=30)


class Article(Model):
    __tablename__ = "rs_article"
    author = ForeignKey(Writer, on_delete=CASCADE, related_name="articles")
    editor = ForeignKey(Writer, on_delete=SET_NULL, null=True, related_name="edited")
    title = CharField(max_length=100)
    labels = ManyToManyField(Label, related_name="articles")


class Remark(Model):
    __tablename__ = "rs_remark"
    article = ForeignKey(Article, on_delete=CASCADE, related_name="remarks")
    body = TextField()


WriterOut = Writer.schema()
LabelOut = Label.schema()
RemarkOut = Remark.schema(exclude={"article"}, name="RemarkInArticle")
ArticleNested = Article.schema(
    nested={"author": WriterOut, "editor": WriterOut, "labels": LabelOut, "remarks": RemarkOut},
    name="ArticleNested",
)


# --- building: keys by default, nested on request -------------------------------------------


def test_a_foreign_key_appears_as_its_key_column() -> None:
    schema = Article.schema()
    assert list(schema.model_fields) == ["id", "author_id", "editor_id", "title"]
    properties = schema.model_json_schema()["properties"]
    assert properties["author_id"]["type"] == "integer"
    assert properties["editor_id"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert schema.model_fields["author_id"].is_required()
    assert schema.model_fields["editor_id"].default is None
    assert list(Article.schema(for_="input").model_fields) == ["author_id", "editor_id", "title"]
    assert list(Bio.schema().model_fields) == ["id", "writer_id", "text"]
    assert list(Article.schema(exclude={"editor"}).model_fields) == ["id", "author_id", "title"]
    with pytest.raises(pydantic.ValidationError) as caught:
        Article.schema(for_="input").model_validate({"title": "x", "author_id": "one"})
    assert [error["loc"] for error in caught.value.errors()] == [("author_id",)]


def test_nested_asks_for_related_schemas_single_or_many() -> None:
    fields = ArticleNested.model_fields
    assert list(fields) == ["id", "author", "editor", "title", "labels", "remarks"]
    json_schema = ArticleNested.model_json_schema()
    properties = json_schema["properties"]
    assert properties["author"] == {"$ref": "#/$defs/WriterSchema"}
    assert properties["editor"]["anyOf"] == [{"$ref": "#/$defs/WriterSchema"}, {"type": "null"}]
    assert properties["labels"]["items"] == {"$ref": "#/$defs/LabelSchema"}
    assert properties["remarks"]["items"] == {"$ref": "#/$defs/RemarkInArticle"}
    assert set(json_schema["required"]) == {"id", "author", "title"}
    with_bio = Writer.schema(nested={"bio": Bio.schema(), "articles": Article.schema()})
    assert list(with_bio.model_fields) == ["id", "name", "bio", "articles"]
    assert with_bio.model_fields["bio"].default is None


def test_nested_mistakes_are_clear_errors() -> None:
    with pytest.raises(FieldError, match=r"nested= names relations; title is not one \(rel"):
        Article.schema(nested={"title": WriterOut})
    with pytest.raises(FieldError, match="nested= names relations; nope is not one"):
        Article.schema(nested={"nope": WriterOut})
    with pytest.raises(FieldError, match="editor is left out by include/exclude"):
        Article.schema(exclude={"editor"}, nested={"editor": WriterOut})
    with pytest.raises(ValueError, match="nested= describes loaded related rows, for output"):
        Article.schema(for_="input", nested={"author": WriterOut})


# --- converting, with a database ------------------------------------------------------------


@pytest.fixture
async def articles(database: Database) -> dict[str, Any]:
    await create_tables(database, Writer, Bio, Label, Article, Remark)
    ann = await Writer.objects.create(name="Ann")
    bob = await Writer.objects.create(name="Bob")
    await Bio.objects.create(writer=ann, text="writes about ORMs")
    orm = await Label.objects.create(name="orm")
    sql = await Label.objects.create(name="sql")
    joins = await Article.objects.create(author=ann, editor=bob, title="Joins")
    await joins.labels.add(orm, sql)
    await Remark.objects.create(article=joins, body="clear")
    alone = await Article.objects.create(author=bob, title="Alone")
    return {"ann": ann, "bob": bob, "orm": orm, "sql": sql, "joins": joins, "alone": alone}


async def test_keys_go_out_and_come_back_without_loading_anything(
    articles: dict[str, Any],
) -> None:
    ann, bob = articles["ann"], articles["bob"]
    joins = await Article.objects.get(title="Joins")
    with capture_queries() as queries:
        out = joins.to_schema()
    assert queries == []
    assert out.model_dump() == {
        "id": joins.pk,
        "author_id": ann.pk,
        "editor_id": bob.pk,
        "title": "Joins",
    }
    back = Article.from_schema(out)
    assert (back.pk, back.author_id, back.editor_id) == (joins.pk, ann.pk, bob.pk)
    # An input schema carries keys: the new row points at the right writers.
    body = Article.schema(for_="input").model_validate_json(
        f'{{"title": "New", "author_id": {bob.pk}}}'
    )
    created = Article.from_schema(body)
    await created.save()
    stored = await Article.objects.select_related("author").get(pk=created.pk)
    assert stored.author.name == "Bob"
    assert stored.editor_id is None


async def test_nested_output_of_loaded_relations_and_back(articles: dict[str, Any]) -> None:
    loaded = (
        Article.objects.select_related("author", "editor")
        .prefetch_related("labels", "remarks")
        .order_by("id")
    )
    with capture_queries() as queries:
        joins, alone = await loaded
        out = joins.to_schema(ArticleNested)
        other = ArticleNested.model_validate(alone)
    assert len(queries) == 1 + 2  # converting ran none
    assert out.model_dump() == {
        "id": joins.pk,
        "author": {"id": articles["ann"].pk, "name": "Ann"},
        "editor": {"id": articles["bob"].pk, "name": "Bob"},
        "title": "Joins",
        "labels": [
            {"id": articles["orm"].pk, "name": "orm"},
            {"id": articles["sql"].pk, "name": "sql"},
        ],
        "remarks": [{"id": out.remarks[0].id, "body": "clear"}],  # type: ignore[attr-defined]
    }
    assert other.model_dump()["editor"] is None
    assert other.model_dump()["labels"] == other.model_dump()["remarks"] == []
    # Back to an instance: the related rows come back as loaded, so no query is needed.
    with capture_queries() as queries:
        again = Article.from_schema(out)
        assert again.author.name == "Ann"
        assert [label.name for label in again.labels.loaded()] == ["orm", "sql"]
        assert again.to_schema(ArticleNested) == out
    assert queries == []
    # Through JSON too.
    assert ArticleNested.model_validate_json(out.model_dump_json()) == out


async def test_the_reverse_one_to_one_nested(articles: dict[str, Any]) -> None:
    schema = Writer.schema(nested={"bio": Bio.schema(exclude={"writer"})}, name="WriterWithBio")
    writers = await Writer.objects.prefetch_related("bio").order_by("id")
    dumped = [writer.to_schema(schema).model_dump() for writer in writers]
    assert [(d["name"], d["bio"] and d["bio"]["text"]) for d in dumped] == [
        ("Ann", "writes about ORMs"),
        ("Bob", None),
    ]
    # Back: the bio comes back as loaded (or as loaded and None), no query needed.
    with capture_queries() as queries:
        ann, bob = (Writer.from_schema(d) for d in dumped)
        assert ann.bio.text == "writes about ORMs"
        assert bob.bio is None
        assert ann.to_schema(schema).model_dump() == dumped[0]
    assert queries == []


async def test_a_nested_relation_that_is_not_loaded_says_how_to_load_it(
    articles: dict[str, Any],
) -> None:
    plain = await Article.objects.get(title="Joins")
    with pytest.raises(NotLoadedError) as single:
        plain.to_schema(ArticleNested)
    message = str(single.value)
    assert "Article.author is not loaded, so ArticleNested cannot include it" in message
    assert "Article.objects.select_related('author')" in message
    only_single = await Article.objects.select_related("author", "editor").get(title="Joins")
    with pytest.raises(NotLoadedError) as many:
        only_single.to_schema(ArticleNested)
    assert "Article.labels is not loaded" in str(many.value)
    assert "Article.objects.prefetch_related('labels')" in str(many.value)
    writer = await Writer.objects.get(name="Ann")
    with pytest.raises(NotLoadedError, match=r"Writer\.bio is not loaded"):
        writer.to_schema(Writer.schema(nested={"bio": Bio.schema()}))
    with pytest.raises(NotLoadedError, match=r"Writer\.articles is not loaded"):
        writer.articles.loaded()

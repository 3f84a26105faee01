"""Relations on a blog: Author 1-n Post n-n Tag, Post 1-n Comment n-1 Author, Author 1-1 Profile.

Every database test runs on SQLite, PostgreSQL and MariaDB (the ``database`` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest

from covet.orm import (
    CASCADE,
    PROTECT,
    SET_NULL,
    CharField,
    Count,
    Database,
    F,
    FieldError,
    ForeignKey,
    IntegerField,
    IntegrityError,
    ManyToManyField,
    Max,
    Model,
    NotLoadedError,
    OneToOneField,
    OrmError,
    ProtectedError,
    RelatedRef,
    TextField,
    create_tables,
)
from covet.orm.dialects import PostgreSQLDialect, SQLiteDialect
from covet.orm.events import capture_queries
from covet.orm.tracking import (
    NPlusOneWarning,
    QueryTracker,
    debug_enabled,
    query_shape,
    set_debug,
    track_queries,
)


class Author(Model):
    __tablename__ = "blog_author"
    name = CharField(max_length=50)


class Profile(Model):
    __tablename__ = "blog_profile"
    author = OneToOneField(Author, on_delete=CASCADE, related_name="profile")
    bio = TextField(default="")


class Tag(Model):
    __tablename__ = "blog_tag"
    name = CharField(max_length=30)


class Post(Model):
    __tablename__ = "blog_post"
    author = ForeignKey(Author, on_delete=CASCADE, related_name="posts")
    title = CharField(max_length=100)
    tags = ManyToManyField(Tag, related_name="posts")


class Comment(Model):
    __tablename__ = "blog_comment"
    post = ForeignKey(Post, on_delete=CASCADE, related_name="comments")
    author = ForeignKey(Author, on_delete=PROTECT, related_name="comments")
    body = TextField()


BLOG = (Author, Profile, Tag, Post, Comment)


@pytest.fixture
async def blog(database: Database) -> dict[str, Any]:
    """Ann (with a profile) wrote two posts, Bob one; tags; comments by both."""
    await create_tables(database, *BLOG)
    ann = await Author.objects.create(name="Ann")
    bob = await Author.objects.create(name="Bob")
    await Profile.objects.create(author=ann, bio="writes about ORMs")
    python, sql = await Tag.objects.create(name="python"), await Tag.objects.create(name="sql")
    p1 = await Post.objects.create(author=ann, title="An ORM in an evening")
    p2 = await Post.objects.create(author=ann, title="Joins")
    p3 = await Post.objects.create(author=bob, title="Cooking")
    await p1.tags.add(python, sql)
    await p2.tags.add(sql)
    await Comment.objects.create(post=p1, author=bob, body="nice")
    await Comment.objects.create(post=p1, author=ann, body="thanks")
    await Comment.objects.create(post=p3, author=ann, body="yum")
    return {"ann": ann, "bob": bob, "python": python, "sql": sql, "p1": p1, "p2": p2, "p3": p3}


async def test_distinct_ordered_across_a_many_valued_relation_counts_each_object_once(
    blog: dict[str, Any],
) -> None:
    # The ordering column is selected too, so a post with two tags is read twice; count()
    # drops the ordering and counts each post once (as Django does). Pinned, and documented.
    ordered = Post.objects.distinct().order_by("tags__name")
    assert len(await ordered) == 4  # An ORM... (python), An ORM... (sql), Joins, Cooking
    assert await ordered.count() == 3


# --- ForeignKey, the reverse manager, RelatedRef -----------------------------------------


async def test_foreign_key_holds_the_key_and_the_reverse_manager_queries(
    blog: dict[str, Any],
) -> None:
    ann = blog["ann"]
    post = await Post.objects.get(title="Joins")
    assert post.author_id == ann.pk
    ref = post.author
    assert isinstance(ref, RelatedRef)
    assert ref.pk == ref.id == ann.pk
    assert "not loaded" in repr(ref)
    with pytest.raises(NotLoadedError) as info:
        _ = ref.name
    message = str(info.value)
    assert "Post.author is not loaded, so .name cannot be read" in message
    assert "Post.objects.select_related('author')" in message
    assert ".prefetch_related('author')" in message
    assert "await post.author.fetch()" in message
    with pytest.raises(AttributeError):
        ref.__deepcopy__  # noqa: B018 - dunder lookups stay plain AttributeErrors
    with capture_queries() as queries:
        author = await post.author.fetch()
        assert post.author is author  # remembered: no second query
    assert len(queries) == 1
    assert author.name == "Ann"

    titles = sorted(p.title for p in await ann.posts.all())
    assert titles == ["An ORM in an evening", "Joins"]
    assert [p.title for p in await ann.posts.filter(title__startswith="J")] == ["Joins"]
    assert [p.title for p in await ann.posts.exclude(title__startswith="J")] == [
        "An ORM in an evening"
    ]
    assert await ann.posts.count() == 2
    new = await ann.posts.create(title="Third")
    assert new.author is ann
    assert await Post.objects.filter(author=ann).count() == 3
    assert await Post.objects.filter(author_id=ann.pk).count() == 3
    # A key given as author_id, and a change of key forgets the loaded author.
    other = Post(author_id=blog["bob"].pk, title="By id")
    await other.save()
    assert (await Post.objects.get(pk=other.pk)).author_id == blog["bob"].pk
    post.author = blog["bob"]
    await post.save()
    assert (await Post.objects.get(pk=post.pk)).author_id == blog["bob"].pk
    post.author_id = ann.pk
    assert isinstance(post.author, RelatedRef)
    await post.refresh_from_db()
    assert post.author_id == blog["bob"].pk


async def test_a_foreign_key_refuses_what_is_not_a_saved_row_of_its_model(
    blog: dict[str, Any],
) -> None:
    with pytest.raises(OrmError, match=r"Post\.author: save the Author before referring to it"):
        await Post.objects.create(author=Author(name="unsaved"), title="x")
    with pytest.raises(OrmError, match=r"Post\.author: expected a Author, got <Tag"):
        await Post.objects.create(author=blog["python"], title="x")
    with pytest.raises(OrmError, match="cannot be null"):
        await Post.objects.create(title="no author")
    with pytest.raises(IntegrityError):  # the database's own constraint
        await Post.objects.create(author_id=9999, title="dangling")
    with pytest.raises(OrmError, match=r"save the Author before using \.posts"):
        Author(name="new").posts.all()
    with pytest.raises(OrmError, match="save the Post before using its many-to-many"):
        Post(title="new").tags.all()
    assert Post(title="no author").author is None


# --- lookups across relations, aggregates, JOINs -----------------------------------------


async def test_lookups_follow_relations_in_both_directions(blog: dict[str, Any]) -> None:
    titles = (
        await Post.objects.filter(author__name="Ann")
        .order_by("title")
        .values_list("title", flat=True)
    )
    assert titles == ["An ORM in an evening", "Joins"]
    authors = Author.objects.filter(posts__title__icontains="orm").distinct()
    assert [a.name for a in await authors] == ["Ann"]
    assert [a.name for a in await Author.objects.filter(posts__comments__body="yum")] == ["Bob"]
    assert await Post.objects.filter(tags__name="sql").count() == 2
    assert await Post.objects.filter(tags=blog["python"]).count() == 1
    assert await Post.objects.filter(tags__isnull=True).count() == 1
    tag_names = await Tag.objects.filter(posts__author__name="Ann").distinct().order_by("name")
    assert [t.name for t in tag_names] == ["python", "sql"]
    assert [a.name for a in await Author.objects.filter(profile__bio__contains="ORM")] == ["Ann"]
    by_author = await Post.objects.order_by("-author__name", "title").values_list(
        "title", flat=True
    )
    assert by_author == ["Cooking", "An ORM in an evening", "Joins"]
    counted = await Author.objects.annotate(n=Count("posts")).order_by("name")
    assert [(a.name, a.n) for a in counted] == [("Ann", 2), ("Bob", 1)]
    lonely = await Author.objects.create(name="Cy")
    zero = await Author.objects.annotate(n=Count("posts")).filter(n=0).all()
    assert zero == [lonely]
    assert await Post.objects.filter(author__name="Bob").exists()
    total = await Post.objects.filter(author__name="Ann").aggregate(n=Count("id"))
    assert total == {"n": 2}
    # Changes across relations: the rows are picked by a joined SELECT.
    assert await Post.objects.filter(author__name="Bob").update(title="Baking") == 1
    assert await Post.objects.filter(title="Baking").count() == 1
    assert await Comment.objects.filter(post__author__name="Ann").delete() == 2
    assert await Comment.objects.count() == 1


async def test_update_refuses_related_columns_and_aggregates(blog: dict[str, Any]) -> None:
    # UPDATE ... SET has no JOIN and no GROUP BY to read these from.
    posts = Post.objects.filter(title="Joins")
    with pytest.raises(FieldError) as caught:
        await posts.update(title=F("author__name"))
    assert str(caught.value) == (
        "Post: update(title=F('author__name')) can only read columns of Post's own table, "
        "not of a related model"
    )
    with pytest.raises(FieldError, match=r"update\(title=\(F\('title'\) \+ F\('tags__name'\)"):
        await posts.update(title=F("title") + F("tags__name"))
    with pytest.raises(
        FieldError, match=r"Author: update\(name=F\('n'\)\) cannot use an aggregate"
    ):
        await Author.objects.annotate(n=Count("posts")).update(name=F("n"))
    with pytest.raises(FieldError, match="cannot use an aggregate"):
        await Author.objects.update(name=Max("name"))
    # The refused reference left no JOIN in the queryset, and nothing changed.
    assert posts.query.joins == {}
    assert await posts.values_list("title", flat=True) == ["Joins"]
    # The model's own columns (and the foreign key column itself) are fine.
    assert await posts.update(title=F("title")) == 1
    assert await Post.objects.filter(title="Joins").update(author=F("author")) == 1


async def test_distinct_ordered_by_a_column_it_does_not_select(blog: dict[str, Any]) -> None:
    await blog["p3"].tags.add(blog["python"])
    tagged = Post.objects.filter(tags__name__in=["python", "sql"])
    assert await tagged.count() == 4  # the post with two tags comes twice
    ordered = tagged.distinct().order_by("-author__name", "title")
    posts = await ordered
    assert [p.title for p in posts] == ["Cooking", "An ORM in an evening", "Joins"]
    plain = {p.pk: vars(p) for p in await Post.objects.all()}
    assert [vars(p) for p in posts] == [plain[p.pk] for p in posts]  # the same objects
    assert await ordered.count() == 3
    assert await ordered.values_list("title", flat=True) == [p.title for p in posts]
    assert await ordered.values("title") == [{"title": p.title} for p in posts]
    selected = await ordered.select_related("author")
    assert [p.author.name for p in selected] == ["Bob", "Ann", "Ann"]
    async for post in ordered:
        assert post.title == "Cooking"
        break
    # Ordering by an annotation it selects anyway adds nothing.
    busiest = await Author.objects.annotate(n=Count("posts")).distinct().order_by("-n")
    assert [(a.name, a.n) for a in busiest] == [("Ann", 2), ("Bob", 1)]


def test_distinct_selects_the_ordering_columns_after_the_model_columns() -> None:
    sql, _ = (
        Post.objects.filter(tags__name="sql")
        .distinct()
        .order_by("-author__name", "title")
        .sql(PostgreSQLDialect())
    )
    assert sql.startswith(
        'SELECT DISTINCT "blog_post"."id", "blog_post"."author_id", "blog_post"."title", '
        '"t3"."name" FROM "blog_post"'
    )
    assert sql.endswith('ORDER BY "t3"."name" DESC, "blog_post"."title" ASC')
    plain, _ = Post.objects.order_by("-author__name").sql(PostgreSQLDialect())
    assert plain.startswith(
        'SELECT "blog_post"."id", "blog_post"."author_id", "blog_post"."title" FROM'
    )


def test_relation_lookups_compile_to_left_joins_and_check_names() -> None:
    sql, params = Post.objects.filter(author__name="Ann").sql(SQLiteDialect())
    assert sql == (
        'SELECT "blog_post"."id", "blog_post"."author_id", "blog_post"."title" FROM "blog_post"'
        ' LEFT JOIN "blog_author" "t1" ON "t1"."id" = "blog_post"."author_id"'
        ' WHERE "t1"."name" = ?'
    )
    assert params == ["Ann"]
    sql, _ = Tag.objects.filter(posts__title="x").sql(SQLiteDialect())
    assert 'LEFT JOIN "blog_post_tags" "t1" ON "t1"."tag_id" = "blog_tag"."id"' in sql
    assert 'LEFT JOIN "blog_post" "t2" ON "t2"."id" = "t1"."post_id"' in sql
    with pytest.raises(FieldError, match="Author has no field 'nmae'; choices are: pk, id, name"):
        Post.objects.filter(author__nmae="x")
    with pytest.raises(FieldError, match="'author__name__iexact' does not name a field"):
        Post.objects.order_by("author__name__iexact")
    with pytest.raises(FieldError, match="posts is not a single-valued relation"):
        Author.objects.select_related("posts")
    with pytest.raises(FieldError, match="Post has no relation 'title' to prefetch"):
        Post.objects.prefetch_related("title")


# --- loading: select_related, prefetch_related ---------------------------------------------


@pytest.mark.parametrize("extra_posts", [0, 6])
async def test_select_related_loads_in_one_query_with_nested_paths(
    blog: dict[str, Any], extra_posts: int
) -> None:
    for index in range(extra_posts):
        await Post.objects.create(author=blog["bob"], title=f"extra {index}")
    with capture_queries() as queries:
        posts = await Post.objects.select_related("author", "author__profile").order_by("id")
        assert [(p.title, p.author.name) for p in posts[:3]] == [
            ("An ORM in an evening", "Ann"),
            ("Joins", "Ann"),
            ("Cooking", "Bob"),
        ]
        assert [p.author.name for p in posts[3:]] == ["Bob"] * extra_posts
        assert posts[0].author.profile.bio == "writes about ORMs"
        assert posts[2].author.profile is None  # Bob has no profile: loaded, and None
    assert len(queries) == 1
    with capture_queries() as queries:
        comments = await Comment.objects.select_related("post__author", "author").order_by("id")
        assert [(c.post.author.name, c.author.name) for c in comments] == [
            ("Ann", "Bob"),
            ("Ann", "Ann"),
            ("Bob", "Ann"),
        ]
    assert len(queries) == 1


@pytest.mark.parametrize("extra_posts", [0, 4])
async def test_prefetch_related_is_one_query_per_level(
    blog: dict[str, Any], extra_posts: int
) -> None:
    for index in range(extra_posts):
        post = await Post.objects.create(author=blog["bob"], title=f"extra {index}")
        await post.tags.add(blog["python"])
        await Comment.objects.create(post=post, author=blog["ann"], body="more")
    with capture_queries() as queries:
        posts = await Post.objects.prefetch_related("tags", "comments__author").order_by("id")
        summary = [
            (
                p.title,
                [t.name for t in await p.tags.all()],
                [(c.body, c.author.name) for c in await p.comments.all()],
            )
            for p in posts
        ]
    assert len(queries) == 1 + 3
    assert summary[:3] == [
        ("An ORM in an evening", ["python", "sql"], [("nice", "Bob"), ("thanks", "Ann")]),
        ("Joins", ["sql"], []),
        ("Cooking", [], [("yum", "Ann")]),
    ]
    assert len(summary) == 3 + extra_posts
    # A filter on a prefetched relation is a new query.
    with capture_queries() as queries:
        assert [t.name for t in await posts[0].tags.filter(name="sql")] == ["sql"]
    assert len(queries) == 1


async def test_async_for_prefetches_once_per_chunk(blog: dict[str, Any]) -> None:
    for index in range(2):
        post = await Post.objects.create(author=blog["bob"], title=f"extra {index}")
        await post.tags.add(blog["sql"])
    loaded = Post.objects.prefetch_related("tags", "comments__author").order_by("id")
    expected = [
        (
            p.title,
            [t.name for t in await p.tags.all()],
            [c.author.name for c in await p.comments.all()],
        )
        for p in await loaded
    ]

    async def summary(rows: Any) -> list[Any]:
        return [
            (
                p.title,
                [t.name async for t in p.tags.all()],  # prefetched: no query either way
                [c.author.name for c in await p.comments.all()],
            )
            async for p in rows
        ]

    with capture_queries() as queries:
        assert await summary(loaded) == expected  # one chunk: 1 + 3 queries
    assert len(queries) == 1 + 3
    with capture_queries() as queries:
        assert await summary(loaded.iterator(chunk_size=2)) == expected
    # Five posts: chunks of 2, 2 and 1; the last one has no comments, so no authors to load.
    assert len(queries) == 1 + 3 + 3 + 2
    with capture_queries() as queries:
        assert await summary(loaded.iterator(chunk_size=5)) == expected
    assert len(queries) == 1 + 3  # one full chunk, nothing left over
    titles = [title async for title in loaded.values_list("title", flat=True)]
    assert titles == [title for title, _, _ in expected]  # values: nothing to prefetch
    with pytest.raises(ValueError, match="chunk_size must be at least 1, not 0"):
        loaded.iterator(chunk_size=0)


async def test_async_for_with_prefetch_inside_a_transaction(
    blog: dict[str, Any], database: Database
) -> None:
    # The prefetch queries run on the transaction's one connection while its cursor is still
    # open: MySQL reads the rest of the stream first (finish_stream), psycopg interleaves.
    async with database.atomic():
        await Post.objects.create(author=blog["bob"], title="In the transaction")
        loaded = Post.objects.prefetch_related("tags").order_by("id").iterator(chunk_size=2)
        seen = [(p.title, [t.name for t in await p.tags.all()]) async for p in loaded]
    assert seen == [
        ("An ORM in an evening", ["python", "sql"]),
        ("Joins", ["sql"]),
        ("Cooking", []),
        ("In the transaction", []),
    ]


async def test_prefetch_of_single_relations_and_the_reverse_side(blog: dict[str, Any]) -> None:
    with capture_queries() as queries:
        authors = await Author.objects.prefetch_related("profile", "posts__tags").order_by("id")
        assert authors[0].profile.bio == "writes about ORMs"
        assert authors[1].profile is None
        assert [p.title for p in await authors[1].posts.all()] == ["Cooking"]
        first_post = (await authors[0].posts.all())[0]
        assert [t.name for t in await first_post.tags.all()] == ["python", "sql"]
        comments = await Comment.objects.prefetch_related("post").order_by("id")
        assert [c.post.title for c in comments] == ["An ORM in an evening"] * 2 + ["Cooking"]
        tags = await Tag.objects.prefetch_related("posts").order_by("name")
        assert [len(await t.posts.all()) for t in tags] == [1, 2]
        assert await Author.objects.filter(name="nobody").prefetch_related("posts") == []
    assert len(queries) == 4 + 2 + 2 + 1


# --- OneToOneField -----------------------------------------------------------------------


async def test_one_to_one_both_ways(blog: dict[str, Any]) -> None:
    ann, bob = blog["ann"], blog["bob"]
    ref = ann.profile
    assert isinstance(ref, RelatedRef)
    with pytest.raises(NotLoadedError, match=r"Author\.profile is not loaded, so \.pk"):
        _ = ref.pk
    profile = await ann.profile.fetch()
    assert profile.bio == "writes about ORMs"
    assert ann.profile is profile
    assert await bob.profile.fetch() is None
    assert (await profile.author.fetch()) == ann
    with pytest.raises(IntegrityError):  # one profile per author
        await Profile.objects.create(author=ann, bio="second")


# --- ManyToManyField ---------------------------------------------------------------------


class Student(Model):
    __tablename__ = "school_student"
    name = CharField(max_length=30)


class Course(Model):
    __tablename__ = "school_course"
    title = CharField(max_length=30)
    students = ManyToManyField(Student, related_name="courses", through="Enrollment")


class Enrollment(Model):
    __tablename__ = "school_enrollment"
    course = ForeignKey(Course, on_delete=CASCADE, related_name="enrollments")
    student = ForeignKey(Student, on_delete=CASCADE, related_name="enrollments")
    grade = IntegerField(default=0)


async def test_many_to_many_manager(blog: dict[str, Any]) -> None:
    p2, python, sql = blog["p2"], blog["python"], blog["sql"]
    rust = await Tag.objects.create(name="rust")
    await p2.tags.add(python, python.pk, sql)  # duplicates and existing links are ignored
    assert sorted(t.name for t in await p2.tags.all()) == ["python", "sql"]
    await p2.tags.add()
    await p2.tags.remove(python)
    assert [t.name for t in await p2.tags.all()] == ["sql"]
    await p2.tags.set([rust, python])
    assert sorted(t.name for t in await p2.tags.all()) == ["python", "rust"]
    assert [t.name for t in await p2.tags.filter(name__startswith="r")] == ["rust"]
    assert sorted(p.title for p in await python.posts.all()) == ["An ORM in an evening", "Joins"]
    await python.posts.remove(blog["p1"])
    assert [p.title for p in await python.posts.filter(title="Joins")] == ["Joins"]
    await p2.tags.clear()
    assert await p2.tags.all() == []


async def test_a_pair_is_linked_once_and_the_database_refuses_a_second_row(
    blog: dict[str, Any],
) -> None:
    from covet.orm import get_database

    p1, python, sql = blog["p1"], blog["python"], blog["sql"]
    links = Post.tags.through
    assert links is not None
    with capture_queries() as queries:
        await p1.tags.add(python, sql)  # both linked already: nothing to write
    assert [q.sql.split()[0] for q in queries] == ["SELECT"]
    assert await links.objects.filter(post=p1).count() == 2
    db = get_database()
    ph = "?" if db.paramstyle == "qmark" else "%s"
    quote = "`" if db.vendor == "mysql" else '"'
    with pytest.raises(IntegrityError):
        await db.execute(
            f"INSERT INTO {quote}blog_post_tags{quote} ({quote}post_id{quote}, "
            f"{quote}tag_id{quote}) VALUES ({ph}, {ph})",
            [p1.pk, python.pk],
        )
    assert await links.objects.filter(post=p1).count() == 2
    await p1.tags.set([python, sql])  # nothing to change: no error either
    assert sorted(t.name for t in await p1.tags.all()) == ["python", "sql"]


def test_the_automatic_through_table_has_a_unique_pair() -> None:
    from covet.orm.dialects import MySQLDialect
    from covet.orm.schema import create_table_sql

    links = Post.tags.through
    assert links is not None
    assert links._meta.unique_together == [("post", "tag")]
    for dialect, unique in (
        (SQLiteDialect(), 'UNIQUE ("post_id", "tag_id")'),
        (PostgreSQLDialect(), 'UNIQUE ("post_id", "tag_id")'),
        (MySQLDialect(), "UNIQUE (`post_id`, `tag_id`)"),
    ):
        assert unique in create_table_sql(links, dialect)[0]
    with pytest.raises(FieldError, match="Pair has no field 'b'; choices are: pk, id, a"):

        class Pair(Model):
            __unique_together__ = (("a", "b"),)
            a = IntegerField()


async def test_many_to_many_through_a_declared_model(database: Database) -> None:
    await create_tables(database, Student, Course, Enrollment)
    ada = await Student.objects.create(name="Ada")
    alan = await Student.objects.create(name="Alan")
    logic = await Course.objects.create(title="Logic")
    await logic.students.add(ada, alan)
    await Enrollment.objects.filter(student=alan).update(grade=5)
    assert [s.name for s in await logic.students.filter(enrollments__grade=5)] == ["Alan"]
    assert [c.title for c in await ada.courses.all()] == ["Logic"]
    assert await Student.objects.filter(courses__title="Logic").count() == 2
    # remove, set and clear change the declared through model's rows, from either side.
    math = await Course.objects.create(title="Math")
    await ada.courses.add(math)
    await logic.students.remove(ada)
    assert [e.student_id for e in await Enrollment.objects.filter(course=logic)] == [alan.pk]
    assert (await Enrollment.objects.get(course=logic)).grade == 5  # the kept row is untouched
    await logic.students.set([ada])
    assert [s.name for s in await logic.students.all()] == ["Ada"]
    assert sorted(c.title for c in await ada.courses.all()) == ["Logic", "Math"]
    await ada.courses.clear()
    assert await Enrollment.objects.count() == 0


# --- on_delete on the blog (every rule on its own: test_deletion.py) -------------------


async def blog_rows() -> dict[str, list[Any]]:
    """Every row of the blog's tables, the through table included, as plain values."""
    links = Post.tags.through
    assert links is not None
    return {
        model.__name__: await model.objects.order_by("pk").values_list() for model in (*BLOG, links)
    }


async def test_the_blog_deletes_by_its_rules(blog: dict[str, Any]) -> None:
    before = await blog_rows()
    # Ann wrote comments, and Comment.author is PROTECT: refused, every row stays.
    with pytest.raises(ProtectedError) as refused:
        await blog["ann"].delete()
    message = str(refused.value)
    assert message.startswith(f"cannot delete Author (pk {blog['ann'].pk}): Comment.author has")
    assert "on_delete=PROTECT" in message
    assert "Nothing was deleted" in message
    assert sorted(c.body for c in refused.value.objects) == ["thanks", "yum"]
    with pytest.raises(ProtectedError):
        await Author.objects.filter(name__in=["Ann", "Bob"]).delete()
    assert await blog_rows() == before
    # Cy wrote no comment: his profile, his post, its tag link and its comments go with him.
    cy = await Author.objects.create(name="Cy")
    await Profile.objects.create(author=cy, bio="new")
    post = await Post.objects.create(author=cy, title="Gone soon")
    await post.tags.add(blog["sql"])
    await Comment.objects.create(post=post, author=blog["bob"], body="bye")
    await cy.delete()
    assert await blog_rows() == before
    # Deleting a post takes its comments and its tag links with it.
    await blog["p1"].delete()
    assert await Comment.objects.count() == 1
    assert [t.name for t in await Tag.objects.filter(posts__isnull=False).distinct()] == ["sql"]


# --- the N+1 guard and explain() ----------------------------------------------------------


async def test_the_n_plus_one_guard_warns_on_a_fetch_loop_and_not_when_prefetched(
    blog: dict[str, Any],
) -> None:
    for index in range(4):
        await Post.objects.create(author=blog["bob"], title=f"more {index}")
    set_debug(True)
    try:
        with pytest.warns(NPlusOneWarning) as warned:
            tracker = await fetch_each_author(threshold=3)
        message = str(warned[0].message)
        assert "this query ran 7 times in one tracked block (threshold 3)" in message
        assert 'FROM "blog_author"' in message or "FROM `blog_author`" in message
        assert "Post.objects.select_related('author') or .prefetch_related('author')" in message
        assert tracker.total == 8
        with track_queries(threshold=3) as tracker:
            for post in await Post.objects.prefetch_related("author"):
                assert post.author.name in ("Ann", "Bob")
        assert tracker.repeated() == []
        # A loop over a reverse relation names the prefetch that fixes it.
        with pytest.warns(NPlusOneWarning, match=r"Author\.objects\.prefetch_related\('posts'\)"):
            await read_each_authors_posts()
    finally:
        set_debug(None)
    # Outside debug mode the block counts but stays silent.
    tracker = await fetch_each_author(threshold=1)
    assert tracker.repeated()[0][1] == 7


async def fetch_each_author(threshold: int) -> QueryTracker:
    with track_queries(threshold=threshold) as tracker:
        for post in await Post.objects.all():
            await post.author.fetch()
            assert post.author.name in ("Ann", "Bob")  # loaded now: no query
    return tracker


async def read_each_authors_posts() -> None:
    with track_queries(threshold=1):
        for author in await Author.objects.all():
            await author.posts.all()


def test_debug_mode_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVET_ORM_DEBUG", "1")
    assert debug_enabled()
    monkeypatch.setenv("COVET_ORM_DEBUG", "0")
    assert not debug_enabled()
    set_debug(True)
    try:
        assert debug_enabled()
    finally:
        set_debug(None)
    assert query_shape("SELECT a FROM t WHERE id IN (?, ?,  ?) AND b = ?") == (
        "SELECT a FROM t WHERE id IN (...) AND b = ?"
    )
    assert query_shape("SELECT a FROM t WHERE id IN (%s)") == "SELECT a FROM t WHERE id IN (...)"


async def test_explain_returns_the_plan(blog: dict[str, Any]) -> None:
    plan = await Post.objects.filter(author__name="Ann").explain()
    assert isinstance(plan, str)
    assert "blog_post" in plan or "SCAN" in plan or "Seq Scan" in plan
    assert await Author.objects.explain()


# --- declarations --------------------------------------------------------------------------


class Category(Model):
    __tablename__ = "cat_category"
    name = CharField(max_length=30)
    parent = ForeignKey("self", on_delete=SET_NULL, null=True, related_name="children")


async def test_a_foreign_key_to_its_own_model(database: Database) -> None:
    await create_tables(database, Category)
    root = await Category.objects.create(name="root")
    leaf = await Category.objects.create(name="leaf", parent=root)
    loaded = await Category.objects.select_related("parent").get(name="leaf")
    assert loaded.parent.name == "root"
    assert (await Category.objects.select_related("parent").get(name="root")).parent is None
    assert [c.name for c in await root.children.all()] == ["leaf"]
    assert await Category.objects.filter(parent__name="root").get() == leaf
    await root.delete()
    assert (await Category.objects.get(name="leaf")).parent_id is None


def test_declaration_mistakes_are_caught_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="on_delete must be one of CASCADE, SET_NULL"):
        ForeignKey(Author, on_delete="DELETE")
    with pytest.raises(ValueError, match="on_delete=SET_NULL needs null=True"):
        ForeignKey(Author, on_delete=SET_NULL)
    with pytest.raises(FieldError, match=r"Bad\.author: use the model class or 'self'"):

        class Bad(Model):
            author = ForeignKey("Author", on_delete=CASCADE)

    with pytest.raises(FieldError, match="Author has no ForeignKey to Odd"):

        class Odd(Model):
            tags = ManyToManyField(Tag, through=Author)

    assert repr(Post.tags) == "<ManyToManyField: Post.tags>"
    assert Post.author.target is Author

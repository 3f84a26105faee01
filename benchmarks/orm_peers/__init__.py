"""The ORM suite's peers: one small module per way of reaching the database.

Every peer does the same six operations (:class:`OrmPeer`) on the same tables
(``schema.py``), each the way its own documentation does it:

| module | peer | SQLite | PostgreSQL |
| --- | --- | --- | --- |
| ``raw_driver.py`` | the driver alone (the floor), rows as tuples | aiosqlite | psycopg 3 (async) |
| ``covet_peer.py`` | CovetPy's ORM (covet-orm) | aiosqlite | psycopg 3 (async, pooled) |
| ``sqlalchemy_peer.py`` | SQLAlchemy 2 async ORM (AsyncSession) | aiosqlite | psycopg 3 |
| ``tortoise_peer.py`` | Tortoise ORM | aiosqlite | asyncpg (see the module) |

Each ORM runs on the same driver as the floor (but Tortoise on PostgreSQL, see its module),
so the differences are the ORMs' own work.
"""

from __future__ import annotations

from benchmarks.orm_peers.base import OrmPeer, Target
from benchmarks.orm_peers.covet_peer import CovetPeer
from benchmarks.orm_peers.raw_driver import RawDriverPeer
from benchmarks.orm_peers.sqlalchemy_peer import SQLAlchemyPeer
from benchmarks.orm_peers.tortoise_peer import TortoisePeer

__all__ = ["ORM_PEERS", "PEER_CLASSES", "PEER_TITLES", "OrmPeer", "Target"]

#: Every peer, the floor first and CovetPy second (the report's column order).
PEER_CLASSES: dict[str, type[OrmPeer]] = {
    peer.name: peer for peer in (RawDriverPeer, CovetPeer, SQLAlchemyPeer, TortoisePeer)
}
PEER_TITLES: dict[str, str] = {name: peer.title for name, peer in PEER_CLASSES.items()}
#: The ORMs CovetPy is compared with (the raw driver is the floor, not a rival).
ORM_PEERS: tuple[str, ...] = ("sqlalchemy", "tortoise")

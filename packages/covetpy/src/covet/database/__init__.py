"""covet.database: the data side of the CovetPy facade.

``covet.database.orm`` is the ORM (the covet-orm distribution, ``covet.orm``) under the name
the launch demos use. This package holds only that name; the ORM lives in covet-orm.
"""

"""covet.database: the data side of the CovetPy facade.

``covet.database.orm`` is the ORM (the covet-orm distribution, ``covet.orm``) under the name
the launch demos use, plus ``QueryTrackingMiddleware`` (``covet.database.tracking``): the ORM's
N+1 guard applied to each request, the one piece that needs both the ORM and the web side.
"""

"""covet.orm: an async ORM (being built)."""

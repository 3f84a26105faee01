"""The books API example: ``covet run examples.api.app:app``."""

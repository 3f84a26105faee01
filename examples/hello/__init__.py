"""The launch demo: ``covet run examples.hello.app:app``."""

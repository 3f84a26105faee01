"""Runnable CovetPy programs; each one is exercised by the test suite."""

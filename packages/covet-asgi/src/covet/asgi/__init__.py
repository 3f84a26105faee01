"""covet.asgi"""

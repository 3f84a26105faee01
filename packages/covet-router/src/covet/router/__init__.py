"""covet.router"""

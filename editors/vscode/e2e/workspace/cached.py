"""A file whose __pycache__ the cache end-to-end check explains (tests/test_vscode_cache.py)."""


def square(n):
    return n * n

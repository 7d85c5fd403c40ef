"""The bytecode cache: code objects kept in ``__pycache__`` with CPython's invalidation rules.

Layer 3. May import: ``isa`` and ``compiler``. ``serialize`` turns code objects into bytes and
back; ``store`` names, validates, reads and writes the cache files.
"""

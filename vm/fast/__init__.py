"""The fast paths: runs of instructions compiled into Python functions (``blocks``), and their
recording variant that also writes trace steps (``recording``).

Layer 6. May import: every layer below. The interpreter calls into it through the hook it is
given; the imports that still go the other way are listed in tests/test_layers.py.
"""

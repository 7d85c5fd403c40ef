"""The VM: frames with their evaluation and block stacks, the interpreter loop, and VM objects
(functions, generators, classes, module bodies).

Layer 4. May import: ``isa``, ``compiler``, ``cache``. Its core (``interpreter``, ``functions``,
``generators``, ``ops/``) is mutually dependent, as ceval.c, funcobject.c and genobject.c are:
those imports are made where the cycle forces them (inside functions), and nowhere else. The
imports that still reach up into ``host`` and ``fast`` are listed, each with its reason, in
tests/test_layers.py.
"""

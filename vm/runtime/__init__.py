"""The VM: frames with their evaluation and block stacks, the interpreter loop, and VM objects
(functions, generators, classes, module bodies).

Layer 4. May import: ``isa``, ``compiler``, ``cache``. Its core (``interpreter``, ``functions``,
``generators``, ``ops/``) is mutually dependent, as ceval.c, funcobject.c and genobject.c are:
those imports are made where the cycle forces them (inside functions, each marked "the core's
cycle"), and nowhere else. What the runtime calls in the layers above it (host/, fast/) reaches it
through ``state.VM.plugins``, which vm/machine.py fills; ``state.VM`` also holds everything the
interpreter keeps between calls, and ``hooks.TraceHook`` is what it calls on a tracer.
"""

"""The bridge to CPython: host frames seen as one call stack with the VM's, ``sys.settrace`` for
programs on the VM, the import system for the program's own modules, and builtins that need
the calling VM frame.

Layer 5. May import: every layer below (``isa``, ``compiler``, ``cache``, ``runtime``). The runtime
calls into it only through what vm/machine.py plugs into its state (the special builtins, the
profiler, the program's caller frame).
"""

"""bytelens: Python source beside the bytecode of its own compiler, run on its own stack VM.

The distribution holds three packages: this one (the command line), ``bytelens.vm`` (compiler,
instruction set, disassembler, cache, VM, tracing; the ``vm/`` folder) and ``bytelens.server`` (the
language server; the ``server/`` folder).
"""

__version__ = "0.1.0"

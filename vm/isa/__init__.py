"""The instruction set: the opcode table, code objects, and reading them (the one wordcode decoder,
the disassembler).

Layer 1, the floor. May import: the standard library and ``bytelens.vm.hostbuiltins`` only. Every
other layer reads the opcode table from here; nothing here knows how code is made or run.
"""

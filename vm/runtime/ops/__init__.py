"""The instruction handlers, one module per family, registered into the interpreter's dispatch
table by opcode (``decode.handler``).

Part of the runtime layer. May import: ``isa`` and the runtime.
"""

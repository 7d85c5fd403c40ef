"""The code generator, one module per kind of syntax: ``generator`` (units: modules, functions,
classes, comprehensions), ``statements``, ``expressions``, ``patterns`` (``match``).

Part of the compiler layer. May import: ``isa`` and the compiler's ``diagnostics``, ``symtable``,
``units`` (the unit and frame-block kinds it shares with ``checks``) and ``assembler``.
"""

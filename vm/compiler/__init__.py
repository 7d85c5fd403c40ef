"""The compiler: source text to code objects, with CPython's errors and warnings.

Layer 2. May import: ``isa``. Stages, in order: ``source`` (bytes to a syntax tree), ``symtable``,
``checks`` (the compile-stage errors and warnings; ``folding`` answers what constant an expression
becomes), ``codegen`` (the tree to instructions), ``assembler`` (instructions to code objects);
``pipeline`` runs them.
"""

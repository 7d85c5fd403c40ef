"""The builtins the VM's own code uses: a snapshot taken when the VM is imported.

A program on the VM may replace builtins (``builtins.len = ...``, as CPython's own test suite does);
CPython's C code is immune to that, and the VM's machinery must be too. Each VM module sets its
``__builtins__`` to this snapshot before defining anything, so its functions (which take their
builtins from their module when they are created) never see the program's replacements; compiled
blocks run with it as well.
"""

import builtins

SNAPSHOT: dict = dict(builtins.__dict__)

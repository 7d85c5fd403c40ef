"""Imports of the program's own modules: packages, relative imports, circular imports, star
imports, importlib, reload, errors; and native stdlib imports beside them."""
import importlib
import sys

import _helper_module
import importpkg
from importpkg import *
from importpkg.core import where
from importpkg.sub import PARENT_VERSION, leaf_function
import importpkg.sub.leaf as leaf_alias

print(_helper_module.bump(), _helper_module.bump(), _helper_module.Thing())
print(greet("main"), VERSION, helper_value, importpkg.sub.PARENT_VERSION == PARENT_VERSION)
print(leaf_function(), leaf_alias.leaf_function is leaf_function, where())
print(sorted(name for name in dir() if not name.startswith("_")))

import importpkg.circular_a
print(importpkg.circular_a.from_b(), importpkg.circular_b.from_a())

try:
    import importpkg.broken_circle_a
except ImportError as error:
    print("ImportError:", str(error).replace(sys.path[0], "<root>"))

try:
    import importpkg.syntax_error
except SyntaxError as error:
    print("SyntaxError:", error.msg, error.lineno, type(error).__name__)

try:
    import no_such_module_anywhere
except ModuleNotFoundError as error:
    print("ModuleNotFoundError:", error, error.name)

try:
    from importpkg.core import missing_name
except ImportError as error:
    print("ImportError:", str(error).replace(sys.path[0], "<root>"))

module = importlib.import_module("importpkg.core")
print(module.greet("importlib"), module is importpkg.core)
_helper_module.counter = 100
reloaded = importlib.reload(_helper_module)
print("reloaded counter", reloaded.counter, reloaded is _helper_module)
dynamic = __import__("importpkg.sub.leaf", fromlist=["leaf_function"])
print(dynamic.__name__, "importpkg.sub.leaf" in sys.modules)
import json, collections
print(json.dumps({"stdlib": True}), collections.Counter("aab").most_common(1))
print(__name__, sys.modules["__main__"].__name__, __file__.endswith("imports.py"))

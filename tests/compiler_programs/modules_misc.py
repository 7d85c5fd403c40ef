"""Module docstring, imports of every form, globals, annotations, del of names, deep expressions."""
import os
import os.path
import os.path as ospath
import collections.abc as cabc
from os import path as p, sep
from math import *
import importlib.util
from json import (dumps,
                  loads)

print(__doc__)
print(ospath is os.path, p is os.path, sep == os.sep, cabc.Mapping.__name__, floor(2.5), pi > 3)
print(importlib.util.__name__, dumps(loads("[1, 2]")))
x: int = 5
y: "str"
print(__annotations__)
counter = 0


def bump():
    global counter
    counter += 1
    del_me = 1
    del del_me
    try:
        del_me
    except UnboundLocalError as error:
        print("unbound:", error)


bump()
print(counter)
z = 1
del z
try:
    z
except NameError as error:
    print(error)
total = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
print(total)
s = "a" "b" 'c' """d"""
print(s, len(s))


def local_import():
    import string
    from itertools import chain as ch
    return string.digits[:3], list(ch("ab", "c"))


print(local_import())


def uses_class_var():
    class K:
        a = 1
        b = a + 1
    return K.b


print(uses_class_var())
if __name__ == "__main__" or True:
    print("main check")
namespace = {}
exec("def g(a, *b):\n    return a, b\nresult = g(1, 2)", namespace)
print(namespace["result"], eval("[i * 2 for i in range(3)]"), eval("lambda q: q + 1")(1))
try:
    eval("x = 1")
except SyntaxError as error:
    print("SyntaxError", error.msg)

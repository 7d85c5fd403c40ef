"""Deep recursion raises RecursionError (catchable, never a crash); limits can be changed."""
import sys


def infinite(n):
    return infinite(n + 1)


try:
    infinite(0)
except RecursionError as error:
    print("RecursionError:", error)


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


print("depth 500 fine:", depth(500))


class Node:
    def __init__(self, child=None):
        self.child = child

    def __repr__(self):
        return f"Node({self.child!r})"


chain = None
for _ in range(5000):
    chain = Node(chain)
try:
    repr(chain)
except RecursionError:
    print("recursive __repr__ hit the limit")


def mutual_a(n):
    return mutual_b(n + 1)


def mutual_b(n):
    return mutual_a(n + 1)


try:
    mutual_a(0)
except RecursionError:
    print("mutual recursion limited")

old = sys.getrecursionlimit()
sys.setrecursionlimit(3000)
print("depth 2500 with a raised limit:", depth(2500))
sys.setrecursionlimit(old)
try:
    depth(5000)
except RecursionError:
    print("limit restored")


def recurse_in_generator(n):
    if n:
        yield from recurse_in_generator(n - 1)
    yield n


print("generator depth", sum(recurse_in_generator(200)))


def recover():
    try:
        infinite(0)
    except RecursionError:
        return "recovered and continued"


print(recover())
print(sorted([3, 1, 2], key=lambda v: depth(v)))


# Recursion through C code (here a comparison) counts the C call as well as the frame, in CPython
# and on the VM: the limit is reached at half the depth of plain recursion.
levels = 0


class Endless:
    def __eq__(self, other):
        global levels
        levels += 1
        return self == other


try:
    Endless() == Endless()
except RecursionError as error:
    print("recursion through __eq__ stopped after", levels, "levels:", error)

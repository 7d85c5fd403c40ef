"""match statements: every pattern kind, guards, captures bound only on success."""
from dataclasses import dataclass
from enum import Enum


class Color(Enum):
    RED = 1
    GREEN = 2


@dataclass
class Point:
    x: int
    y: int


class Plain:
    __match_args__ = ("a",)

    def __init__(self, a, b=None):
        self.a, self.b = a, b


def describe(subject):
    match subject:
        case None:
            return "none"
        case True:
            return "true"
        case 0 | 1 | -1:
            return f"small int {subject}"
        case 1.5 | -2.5j:
            return "float-ish"
        case "hello" | b"bytes":
            return "greeting"
        case Color.RED:
            return "red"
        case Point(x=0, y=0):
            return "origin"
        case Point(0, y):
            return f"on y axis at {y}"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Point(x=px, y=py):
            return f"point {px},{py}"
        case Plain(a, b=None):
            return f"plain {a}"
        case Plain(a=[first, *_]):
            return f"plain list starting {first}"
        case []:
            return "empty sequence"
        case [x]:
            return f"one {x}"
        case [x, y, *rest] if not rest:
            return f"pair {x} {y}"
        case [1, *middle, 9]:
            return f"1..9 with {middle}"
        case [_, _, *_, last]:
            return f"long ending {last}"
        case {"kind": "circle", "r": radius}:
            return f"circle {radius}"
        case {"kind": kind, **others} if others:
            return f"{kind} with {sorted(others)}"
        case {}:
            return "some mapping"
        case (str() | bytes()) as text:
            return f"text {text!r}"
        case int(n) | float(n):
            return f"number {n}"
        case [Point(x=a), Point(x=b)] | (Point(x=b), Point(x=a), _):
            return f"points {a} {b}"
        case _:
            return "other"


tests = [None, True, 0, 1, -1, 1.5, -2.5j, "hello", b"bytes", Color.RED, Color.GREEN,
         Point(0, 0), Point(0, 5), Point(3, 3), Point(1, 2), Plain(7), Plain([4, 5], b=1), Plain("z", 2),
         [], [1], [1, 2], [1, 2, 3, 9], [1, 2, 3, 4], [5, 6, 7], {"kind": "circle", "r": 2},
         {"kind": "square", "side": 3, "color": "red"}, {"kind": "blob"}, {"x": 1}, "text", 42, 2.5,
         (Point(1, 0), Point(2, 0), None), [Point(3, 0), Point(4, 0)], object]
for value in tests:
    print(describe(value))


def binds_only_on_success(subject):
    captured = "unset"
    match subject:
        case [captured, 2]:
            pass
        case _:
            pass
    return captured


print(binds_only_on_success([1, 2]), binds_only_on_success([1, 3]))


def guard_failure_keeps_binding(subject):
    match subject:
        case [x] if x > 10:
            return "big"
        case _:
            return f"guard failed, x = {x}"


print(guard_failure_keeps_binding([3]))
match {"a": 1, "b": 2}:
    case {"a": 1, **rest}:
        print("rest", rest)
match 5:
    case x:
        print("irrefutable capture", x)
match (1, 2):
    case (a, b) | [b, a]:
        print("or reorder", a, b)
match [3, [4, 5]]:
    case [a, [b, c]] as whole:
        print("nested", a, b, c, whole)
for item in ["x", 3, [1, 2, 3, 4, 5], range(3)]:
    match item:
        case str():
            print("str")
        case [*all_items] if len(all_items) > 4:
            print("many", all_items)
        case [a, b, c]:
            print("three", a, b, c)
        case _:
            print("fallback")

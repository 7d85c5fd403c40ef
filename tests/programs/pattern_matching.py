"""match statements: every pattern kind (3.10+ semantics)."""
from dataclasses import dataclass


@dataclass
class Point:
    x: int
    y: int


class Circle:
    __match_args__ = ("radius",)

    def __init__(self, radius):
        self.radius = radius

    def __repr__(self):
        return f"Circle({self.radius})"


def describe(subject):
    match subject:
        case 0 | 1 as small:
            return f"small {small}"
        case None:
            return "none"
        case True:
            return "true"
        case int(n) if n < 0:
            return f"negative {n}"
        case str() as text if len(text) > 3:
            return f"long text {text}"
        case "a" | "b":
            return "letter"
        case [x, y]:
            return f"pair {x} {y}"
        case [first, *rest]:
            return f"sequence starting {first} with {len(rest)} more"
        case {"type": "user", "name": str(name), **extra}:
            return f"user {name} extra {sorted(extra)}"
        case {"type": kind}:
            return f"mapping of type {kind}"
        case Point(x=0, y=0):
            return "origin"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Point(x=px, y=py):
            return f"point {px},{py}"
        case Circle(r):
            return f"circle {r}"
        case float(value):
            return f"float {value}"
        case (1, 2, 3):
            return "tuple literal"
        case _:
            return "something else"


for subject in [0, 1, None, True, -5, "hello", "a", [1, 2], [1, 2, 3], (9,), {"type": "user", "name": "ann", "age": 3},
                {"type": "admin"}, Point(0, 0), Point(2, 2), Point(1, 3), Circle(4), 2.5, "xyz", 7, {}, []]:
    print(repr(subject), "->", describe(subject))


def nested(command):
    match command.split():
        case ["go", ("north" | "south") as direction]:
            return f"going {direction}"
        case ["take", item, *_] if item != "nothing":
            return f"taking {item}"
        case ["quit" | "exit"]:
            return "bye"
        case []:
            return "empty"
        case _:
            return "unknown"


for command in ["go north", "go west", "take lamp now", "take nothing", "exit", ""]:
    print(repr(command), "->", nested(command))

import enum


class Color(enum.Enum):
    RED = 1
    BLUE = 2


def by_value(color):
    match color:
        case Color.RED:
            return "red"
        case Color.BLUE:
            return "blue"


print(by_value(Color.RED), by_value(Color.BLUE))

match {"a": 1}:
    case {"a": 1, **rest} if not rest:
        print("exact mapping")

match "str":
    case [*chars]:
        print("strings are not sequences here")
    case _:
        print("str did not match a sequence pattern")


class BadArgs:
    __match_args__ = ["x"]


try:
    match BadArgs():
        case BadArgs(1):
            pass
except TypeError as error:
    print("TypeError:", error)

try:
    match 5:
        case Point(1, 2, 3):
            pass
except TypeError as error:
    print("no TypeError when isinstance fails first")
print("done")

"""dataclasses and friends on VM classes: fields, defaults, ordering, frozen, __post_init__,
NamedTuple, typing annotations, functools.total_ordering, __slots__=True."""
import dataclasses
import functools
import typing
from dataclasses import dataclass, field


@dataclass
class Item:
    name: str
    price: float = 0.0
    tags: list = field(default_factory=list)

    def total(self, quantity: int) -> float:
        return self.price * quantity


item = Item("pen", 1.5)
item.tags.append("office")
print(item, item.total(4), Item("pen", 1.5, ["office"]) == item)
print([f.name for f in dataclasses.fields(Item)], Item.__annotations__)


@dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0

    def __post_init__(self):
        if self.major < 0:
            raise ValueError("negative version")


print(sorted([Version(2), Version(1, 5), Version(1)]), hash(Version(1)) == hash(Version(1)))
try:
    Version(1).major = 3
except dataclasses.FrozenInstanceError as error:
    print("frozen:", error)
try:
    Version(-1)
except ValueError as error:
    print("post_init:", error)
print(dataclasses.asdict(Version(3, 1)), dataclasses.replace(Version(3, 1), minor=9))


@dataclass(slots=True)
class Slotted:
    a: int
    b: int = 2


print(Slotted(1), hasattr(Slotted(1), "__dict__"), Slotted.__slots__)


@dataclass
class Node:
    value: int
    children: "list[Node]" = field(default_factory=list)

    def walk(self):
        yield self.value
        for child in self.children:
            yield from child.walk()


tree = Node(1, [Node(2, [Node(4)]), Node(3)])
print(list(tree.walk()))


class Pair(typing.NamedTuple):
    left: int
    right: int = 0

    def swap(self):
        return Pair(self.right, self.left)


print(Pair(1, 2).swap(), Pair(5)._asdict(), Pair._fields)


@functools.total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return self.cents == other.cents

    def __lt__(self, other):
        return self.cents < other.cents


print(Money(1) <= Money(2), Money(3) >= Money(2), Money(1) > Money(2))


def typed(a: int, b: "str" = "x", *rest: float, key: bool = True, **extra: dict) -> list:
    return [a, b, rest, key, extra]


print(typed.__annotations__)
print(typing.get_type_hints(typed))
print(typed.__defaults__, typed.__kwdefaults__, typed.__name__, typed.__qualname__)


class Annotated:
    x: int
    y: str = "default"


print(Annotated.__annotations__, Annotated.y, "x" in Annotated.__dict__)


@dataclass
class WithClassVar:
    counter: typing.ClassVar[int] = 0
    value: int = 1


print(WithClassVar(), [f.name for f in dataclasses.fields(WithClassVar)])

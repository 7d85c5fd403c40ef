"""Classes: inheritance, super(), properties, descriptors, __set_name__, __init_subclass__,
special methods, class/static methods, __slots__, __class__, name mangling."""


class Animal:
    kingdom = "animalia"

    def __init__(self, name):
        self.name = name

    def speak(self):
        return f"{self.name} makes a sound"

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Dog(Animal):
    def __init__(self, name, breed):
        super().__init__(name)
        self.breed = breed

    def speak(self):
        return super().speak() + " (woof)"


class Puppy(Dog):
    def speak(self):
        return "small " + super(Puppy, self).speak()


p = Puppy("rex", "lab")
print(p, p.speak(), p.kingdom, Puppy.__mro__[1].__name__, isinstance(p, Animal))
print(Dog.__qualname__, Dog.speak.__qualname__, Dog.__module__, Dog.__doc__)


class Temperature:
    """Degrees with a validated property."""

    def __init__(self, celsius):
        self.celsius = celsius

    @property
    def celsius(self):
        return self._celsius

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._celsius = value

    @property
    def fahrenheit(self):
        return self._celsius * 9 / 5 + 32


t = Temperature(100)
print(t.fahrenheit, Temperature.__doc__)
try:
    t.celsius = -300
except ValueError as error:
    print("ValueError:", error)
try:
    t.fahrenheit = 1
except AttributeError as error:
    print("AttributeError:", error)


class Typed:
    def __set_name__(self, owner, name):
        self.owner = owner.__name__
        self.private = "_" + name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return getattr(instance, self.private, None)

    def __set__(self, instance, value):
        if not isinstance(value, int):
            raise TypeError(f"{self.private[1:]} must be int")
        setattr(instance, self.private, value)


class Point:
    x = Typed()
    y = Typed()

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __add__(self, other):
        return Point(self.x + other.x, self.y + other.y)

    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)

    def __iter__(self):
        yield self.x
        yield self.y

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return (self.x, self.y)[index]

    def __bool__(self):
        return bool(self.x or self.y)

    def __call__(self, scale):
        return Point(self.x * scale, self.y * scale)

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


a, b = Point(1, 2), Point(3, 4)
print(a + b, a == Point(1, 2), len({a, Point(1, 2)}), sorted([b, a]), list(a), a[1], bool(Point(0, 0)))
print(a(10), Point.x.owner, Point.x.private)
try:
    Point("1", 2)
except TypeError as error:
    print("TypeError:", error)


class Plugin:
    registry = []

    def __init_subclass__(cls, kind="generic", **kwargs):
        super().__init_subclass__(**kwargs)
        cls.kind = kind
        Plugin.registry.append(cls.__name__)


class Audio(Plugin, kind="audio"):
    pass


class Video(Plugin):
    pass


print(Plugin.registry, Audio.kind, Video.kind)


class Shape:
    count = 0

    def __new__(cls, *args):
        cls.count += 1
        return super().__new__(cls)

    @classmethod
    def create(cls):
        return cls()

    @staticmethod
    def describe():
        return "a shape"

    def __class_getitem__(cls, item):
        return f"{cls.__name__}[{item}]"


s = Shape.create()
print(type(s).__name__, Shape.count, Shape.describe(), s.describe(), Shape[int])


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


sl = Slotted()
try:
    sl.c = 3
except AttributeError as error:
    print("AttributeError:", error)
print(hasattr(sl, "b"), Slotted.a)


class Mangled:
    def __init__(self):
        self.__secret = "hidden"

    def reveal(self):
        return self.__secret


m = Mangled()
print(m.reveal(), m._Mangled__secret, "__secret" in vars(m))


class UsesClassCell:
    def which(self):
        return __class__.__name__


class Sub(UsesClassCell):
    pass


print(Sub().which())


class Dynamic:
    def __getattr__(self, name):
        return f"dynamic {name}"

    def __setattr__(self, name, value):
        super().__setattr__(name, value * 2)


d = Dynamic()
d.x = 5
print(d.x, d.anything)


class Base1:
    def hello(self):
        return "base1"


class Base2:
    def hello(self):
        return "base2"


class Diamond(Base1, Base2):
    def hello(self):
        return super().hello() + "+" + Base2.hello(self)


print(Diamond().hello(), [c.__name__ for c in Diamond.__mro__])


class Container:
    def __init__(self):
        self.items = {}

    def __setitem__(self, key, value):
        self.items[key] = value

    def __delitem__(self, key):
        del self.items[key]

    def __contains__(self, key):
        return key in self.items

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


c = Container()
c["a"] = 1
c["b"] = 2
del c["a"]
print("a" in c, "b" in c, c.items)

print(type(Animal), type(Animal("x").speak), Animal.speak.__qualname__, callable(Animal.speak))

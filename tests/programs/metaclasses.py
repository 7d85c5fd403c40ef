"""Metaclasses: __prepare__, __new__/__init__/__call__, keywords, __mro_entries__, abc, enum."""
import abc
import enum
from collections import OrderedDict


class Recording(type):
    @classmethod
    def __prepare__(mcs, name, bases, **kwargs):
        print("prepare", name, kwargs)
        return OrderedDict()

    def __new__(mcs, name, bases, namespace, **kwargs):
        print("new", name, [key for key in namespace if not key.startswith("__")])
        cls = super().__new__(mcs, name, bases, dict(namespace))
        cls.options = kwargs
        return cls

    def __init__(cls, name, bases, namespace, **kwargs):
        super().__init__(name, bases, namespace)
        print("init", name)

    def __call__(cls, *args, **kwargs):
        print("call", cls.__name__, args)
        return super().__call__(*args, **kwargs)


class Model(metaclass=Recording, table="models"):
    first = 1

    def method(self):
        return "method"

    second = 2


instance = Model()
print(Model.options, instance.method(), type(Model).__name__)


class Child(Model):
    third = 3


print(Child.options, type(Child).__name__)


class Singleton(type):
    _instances = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class Config(metaclass=Singleton):
    def __init__(self):
        print("Config created")


print(Config() is Config())


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self):
        ...

    def describe(self):
        return f"{type(self).__name__} with area {self.area()}"


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2


try:
    Shape()
except TypeError as error:
    print("TypeError:", error)
print(Square(3).describe(), isinstance(Square(1), Shape))


class Color(enum.Enum):
    RED = 1
    GREEN = 2

    def describe(self):
        return f"{self.name.lower()}={self.value}"


print(Color.RED, Color(2), [c.describe() for c in Color], Color["GREEN"].value)


class Flags(enum.IntFlag):
    READ = 4
    WRITE = 2


print(Flags.READ | Flags.WRITE, int(Flags.READ))


class Wrapper:
    def __mro_entries__(self, bases):
        return (dict,)


class FromEntries(Wrapper()):
    pass


print(FromEntries.__bases__, FromEntries.__orig_bases__[0].__class__.__name__)


def decorate(cls):
    cls.decorated = True
    return cls


@decorate
class Decorated:
    pass


print(Decorated.decorated)

Dynamic = type("Dynamic", (object,), {"value": 5, "get": lambda self: self.value})
print(Dynamic().get(), Dynamic.__name__)


class Meta(type):
    def __repr__(cls):
        return f"<class {cls.__name__} via Meta>"

    @property
    def upper_name(cls):
        return cls.__name__.upper()


class WithMeta(metaclass=Meta):
    pass


print(repr(WithMeta), WithMeta.upper_name)


class BadPrepare(type):
    @classmethod
    def __prepare__(mcs, name, bases):
        return 42


try:
    class Broken(metaclass=BadPrepare):
        pass
except TypeError as error:
    print("TypeError:", error)


class M1(type):
    pass


class M2(type):
    pass


class A(metaclass=M1):
    pass


class B(metaclass=M2):
    pass


try:
    class C(A, B):
        pass
except TypeError as error:
    print("TypeError:", error)

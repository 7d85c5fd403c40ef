"""Classes: bases, keywords, metaclasses, super(), __class__, class scopes, mangling, decorators."""


class Meta(type):
    def __new__(mcs, name, bases, ns, **kw):
        ns["made_by"] = ("Meta", sorted(kw))
        return super().__new__(mcs, name, bases, ns)

    @classmethod
    def __prepare__(mcs, name, bases, **kw):
        return {"prepared": True}


class Base:
    """Base docstring."""
    x = 1

    def __init_subclass__(cls, flag=None, **kw):
        super().__init_subclass__(**kw)
        cls.flag = flag

    def who(self):
        return "Base"


class Child(Base, flag="on"):
    x = Base.x + 1

    def who(self):
        return "Child>" + super().who()

    def cls(self):
        return __class__.__name__


class WithMeta(Child, metaclass=Meta, extra=1):
    pass


print(Child().who(), Child().cls(), Child.flag, Child.x, Base.__doc__, Child.__doc__)
print(WithMeta.made_by, WithMeta.prepared, type(WithMeta).__name__, WithMeta.flag)
print(Child.__qualname__, Child.who.__qualname__, Base.__module__ == __name__)


def factory():
    class Local:
        def method(self):
            return [__class__.__qualname__ for _ in range(1)]
    return Local


print(factory().__qualname__, factory()().method())


class Mangled:
    __secret = 1

    def __init__(self):
        self.__hidden = 2

    def reveal(self):
        return self.__secret, self.__hidden, __class__


m = Mangled()
print(m.reveal()[:2], hasattr(m, "_Mangled__hidden"), Mangled._Mangled__secret)


def outer():
    value = "outer"

    class Inner:
        value = "class"
        seen = value

        def method(self):
            return value

        both = [value for _ in range(1)]

    return Inner.seen, Inner().method(), Inner.both


print(outer())


def classdeco(cls):
    cls.decorated = True
    return cls


@classdeco
class Decorated:
    pass


print(Decorated.decorated)


class Desc:
    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner):
        return f"desc {self.name}"


class UsesDesc:
    attr = Desc()


print(UsesDesc().attr)


class Prop:
    def __init__(self):
        self._v = 0

    @property
    def v(self):
        return self._v

    @v.setter
    def v(self, value):
        self._v = value * 2


p = Prop()
p.v = 21
print(p.v)


class Annotated:
    a: int = 1
    b: str


print(Annotated.__annotations__, Annotated.a)


class Multi(dict, Base):
    def who(self):
        return super(Multi, self).who() + "!"


print(Multi().who(), [c.__name__ for c in Multi.__mro__])


class Slots:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a, self.b = 1, 2


print(Slots().a + Slots().b)


class Outer:
    class Nested:
        def f(self):
            return super().__class__.__name__
    def g(self):
        return self.Nested().f()


print(Outer.Nested.__qualname__, Outer.Nested.f.__qualname__, Outer().g())


class Counter:
    count = 0

    def __init__(self):
        Counter.count += 1
        type(self).count += 0


Counter(); Counter()
print(Counter.count)


class Star(*[Base], **{"flag": "kw"}):
    pass


print(Star.flag, Star.__bases__[0].__name__)

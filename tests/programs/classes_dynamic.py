"""Classes made by type(), special methods, __getattribute__, slots with __dict__, class properties."""
class Base:
    def __init_subclass__(cls, **kw):
        print("init_subclass", cls.__name__, kw)
def new(cls, *a):
    print("dynamic __new__", cls.__name__, a)
    return object.__new__(cls)
X = type("X", (Base,), {"__new__": new, "value": 1})
x = X(1, 2)
def __init_subclass__(cls):
    print("dynamic isc", cls.__name__)
Y = type("Y", (), {"__init_subclass__": __init_subclass__})
class Z(Y): pass
class Meta(type):
    def __new__(mcs, name, bases, ns, **kw):
        ns["added"] = name.lower()
        return super().__new__(mcs, name, bases, ns)
    def method(cls):
        return "meta method of " + cls.__name__
class W(metaclass=Meta):
    pass
print(W.added, W.method())
class G:
    def __getattribute__(self, name):
        if name == "magic": return 42
        return object.__getattribute__(self, name)
    def __getattr__(self, name):
        return "fallback " + name
g = G(); g.real = 1
print(g.magic, g.real, g.other)
class Num:
    def __init__(self, v): self.v = v
    def __add__(self, o): return Num(self.v + (o.v if isinstance(o, Num) else o))
    __radd__ = __add__
    def __iadd__(self, o): self.v += 100; return self
    def __repr__(self): return f"Num({self.v})"
    def __eq__(self, o): return isinstance(o, Num) and o.v == self.v
    __hash__ = None
n = Num(1); m = n; n += 1
print(n, m, 1 + Num(2), sum([Num(1), Num(2)], Num(0)), n == m)
try:
    hash(n)
except TypeError as e:
    print(e)
class P:
    __slots__ = ("a", "__dict__")
p = P(); p.a = 1; p.b = 2
print(p.a, p.b, P.__slots__)
class Cm:
    @classmethod
    @property
    def cp(cls): return cls.__name__
print(Cm.cp)
class Sing:
    _i = None
    def __new__(cls):
        if cls._i is None:
            cls._i = super().__new__(cls)
        return cls._i
print(Sing() is Sing())
class Outer:
    class Inner:
        def q(self): return type(self).__qualname__
print(Outer.Inner().q(), Outer.Inner.q.__qualname__)
print(type(lambda: 0).__name__, type(Outer.Inner.q).__name__, type(Outer.Inner().q).__name__)


# type.__new__ wraps functions by the key they are stored under (not their name), for classes made
# by type(), types.new_class and class statements alike.
import types as _types
def hook(cls, **kw):
    print("hook for", cls.__name__, kw)
    cls.tag = kw.get("tag")
Base = type("Base", (), {"__init_subclass__": hook})
class Child(Base, tag=5):
    pass
print(Child.tag, type(Base.__dict__["__init_subclass__"]).__name__)
def getitem(cls, item): return (cls.__name__, item)
G = type("G", (), {"__class_getitem__": getitem})
print(G[int])
def make(cls, *a):
    print("make", cls.__name__, a)
    return object.__new__(cls)
M = type("M", (), {"__new__": make})
m = M(1, 2)
print(type(M.__dict__["__new__"]).__name__)
N = _types.new_class("N", (), {}, lambda ns: ns.update({"__init_subclass__": hook}))
class NC(N, tag="n"): pass
print(NC.tag)
class Meta(type):
    def __new__(mcs, name, bases, ns):
        print("meta sees", {k: type(v).__name__ for k, v in ns.items() if k.startswith("__i") or k == "__new__"})
        return super().__new__(mcs, name, bases, ns)
class WithMeta(metaclass=Meta):
    def __init_subclass__(cls): print("isc", cls.__name__)
    def __new__(cls): return super().__new__(cls)
class Sub(WithMeta): pass
print(type(WithMeta.__dict__["__init_subclass__"]).__name__, type(WithMeta.__dict__["__new__"]).__name__, type(Sub()).__name__)
def __init_subclass__(cls): print("named but stored elsewhere")
O = type("O", (), {"other": __init_subclass__})
print(O.other is __init_subclass__, O().other.__func__ is __init_subclass__)
def __new__(cls): return "x"
P = type("P", (), {"maker": __new__})
print(P().maker())

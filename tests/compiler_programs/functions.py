"""Parameters of every kind, defaults, annotations, closures, decorators, lambdas, docstrings."""


def every(a, b=2, /, c=3, *args, d, e=5, **kwargs) -> "ret":
    """Docstring of every."""
    return a, b, c, args, d, e, kwargs


print(every(1, d=4))
print(every(1, 20, 30, 40, 50, d=4, e=6, f=7))
print(every.__doc__, every.__name__, every.__qualname__, every.__defaults__, every.__kwdefaults__)
try:
    every(a=1, d=2)
except TypeError as error:
    print("TypeError", error)


def annotated(x: int, *y: str, z: "zz" = 1, **w: float) -> list[int]:
    pass


print(annotated.__annotations__)
print((lambda: 0).__doc__, annotated.__doc__)


def outer():
    count = 0
    items = []

    def inc(step=1):
        nonlocal count
        count += step
        items.append(count)
        return count

    def get():
        return count, items

    return inc, get


inc, get = outer()
inc(); inc(5)
print(get())


def make_adders():
    return [lambda x, i=i: x + i for i in range(3)], [lambda x: x + i for i in range(3)]


early, late = make_adders()
print([f(10) for f in early], [f(10) for f in late])


def deco(tag):
    def wrap(fn):
        def inner(*args, **kw):
            return f"{tag}({fn(*args, **kw)})"
        inner.__name__ = fn.__name__
        return inner
    return wrap


@deco("a")
@deco("b")
def decorated(x, y=1):
    return x + y


print(decorated(1), decorated(1, y=5), decorated.__name__)


def cell_param(x):
    def read():
        return x
    x += 1
    return read()


print(cell_param(41))


def shadow():
    x = "local"

    def inner():
        x = "inner"
        return x

    return inner(), x


print(shadow())
g = 1


def use_global():
    global g
    g += 1
    return g


print(use_global(), use_global(), g)


def nested_nonlocal():
    v = 0

    def level1():
        def level2():
            nonlocal v
            v += 10
        level2()
        return v
    return level1()


print(nested_nonlocal())


def recursive(n):
    return 1 if n <= 1 else n * recursive(n - 1)


print(recursive(20))
print((lambda *a, **k: (a, k))(1, 2, x=3))
print((lambda a, /, b, *, c: a + b + c)(1, b=2, c=3))
args = (1, 2)
kwargs = {"c": 3, "d": 4}
print(every(*args, **kwargs), every(0, *args[:1], d=1, **{"z": 9}))
print(every(*[1], *[2, 3], d=0), every(1, **{"d": 1}, **{"e": 2}))
try:
    every(1, d=1, **{"d": 2})
except TypeError as error:
    print("TypeError", error)
try:
    print(*1)
except TypeError as error:
    print("TypeError", error)


def gen_default(x=[]):
    x.append(1)
    return len(x)


print(gen_default(), gen_default())

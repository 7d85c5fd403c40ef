"""Calls with every argument form, and CPython's error messages for bad calls."""


def show(*args, **kwargs):
    return f"args={args} kwargs={kwargs}"


def full(a, b=2, /, c=3, *args, d, e=5, **kwargs):
    return (a, b, c, args, d, e, kwargs)


print(full(1, d=4))
print(full(1, 20, 30, 40, 50, d=4, e=6, f=7))
print(full(*[1, 2], *(3, 4), d=0, **{"x": 1}, **{"y": 2}))
print(full(1, c=9, d=8))
print(show(), show(1, *"ab", k=1, **{"z": 0}))

args = (1, 2)
kwargs = {"d": 10}
print(full(*args, **kwargs))


class Method:
    def go(self, x, *, y=1):
        return (x, y)

    @classmethod
    def build(cls, *parts):
        return cls.__name__ + ":" + ",".join(parts)

    @staticmethod
    def plain(value=None):
        return value


m = Method()
print(m.go(1), m.go(1, y=2), Method.go(m, 3), Method.build("a", "b"), m.plain(), Method.plain(4))
bound = m.go
print(bound(5), bound.__self__ is m, bound.__func__ is Method.go)


def errors(call):
    try:
        call()
    except TypeError as error:
        print("TypeError:", error)


def one(a):
    return a


def two_defaults(a, b=1, c=2):
    return a


def kwonly(*, key):
    return key


def posonly(a, b, /):
    return a


errors(lambda: one())
errors(lambda: one(1, 2))
errors(lambda: one(1, a=2))
errors(lambda: one(b=2))
errors(lambda: two_defaults())
errors(lambda: two_defaults(1, 2, 3, 4))
errors(lambda: kwonly())
errors(lambda: kwonly(1))
errors(lambda: kwonly(1, key=2))
errors(lambda: posonly(a=1, b=2))
errors(lambda: posonly(1))
errors(lambda: full())
errors(lambda: full(1, c=1, d=1, **{"c": 2}))
errors(lambda: show(*1))
errors(lambda: show(**1))
errors(lambda: show(**{"a": 1}, **{"a": 2}))
errors(lambda: one(**{1: 2}))
errors(lambda: m.go())
errors(lambda: Method.go(1, 2, 3))
errors(lambda: (lambda x, y: x)(1))
errors(lambda: print(*5))
errors(lambda: len(1, 2))
nothing = None
errors(lambda: nothing())


def missing_three(a, b, c, d=1):
    pass


errors(lambda: missing_three())
errors(lambda: missing_three(1))


def kw_missing(*, a, b, c):
    pass


errors(lambda: kw_missing(b=1))


def defaults_evaluated_once(value, bucket=[]):
    bucket.append(value)
    return bucket


defaults_evaluated_once(1)
print(defaults_evaluated_once(2))

f = lambda *a, **k: (a, k)
print(f(1, x=2), (lambda: "no args")(), (lambda x=3: x)())


def decorator(function):
    def wrapper(*args, **kwargs):
        return ("decorated", function(*args, **kwargs))
    return wrapper


@decorator
def decorated(x, y=0):
    return x + y


print(decorated(1, y=2))


def keyword_order(**kwargs):
    return list(kwargs)


print(keyword_order(z=1, a=2, m=3))
print(sorted(["bb", "a", "ccc"], key=len, reverse=True), max([3, 1, 2], key=lambda v: -v))
print(dict(a=1, **{"b": 2}), list(map(lambda x, y: x * y, [1, 2], [3, 4])))
full.__defaults__ = (7, 8)
print(full(1, d=0))
full.__kwdefaults__ = {"e": 99, "d": 98}
print(full(1))


# A lone *x names the function in its error; *x among other positional pieces is "Value after *"
# (CPython 3.11 builds those with LIST_EXTEND).
def takes_all(*args, **kwargs):
    return args


for attempt in (lambda: takes_all(*takes_all), lambda: takes_all(1, *takes_all),
                lambda: takes_all(*[1], *takes_all), lambda: takes_all(*takes_all, 1), lambda: dir(*takes_all),
                lambda: [*takes_all], lambda: takes_all(*1, *[2])):
    try:
        attempt()
    except TypeError as error:
        print(error)


# A starred non-iterable in a set display fails as set.update does; in a tuple or list display as
# 3.11's LIST_EXTEND does.
for display in ("{1, *1, 0, 4}", "{*None}", "{*[1], *2}", "(1, *1)", "[*1]", "{**1}"):
    try:
        eval(display)
    except TypeError as error:
        print(display, "->", error)

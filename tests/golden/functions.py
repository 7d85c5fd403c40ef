"""Functions: every kind of parameter, defaults, annotations, decorators, lambdas, calls."""


def plain(a, b):
    return a + b


def every_kind(p, /, q, r=2, *args, k, m=3, **kwargs) -> int:
    """Docstring is consts[0]."""
    return p + q + r + k + m


def annotated(x: int, y: "str" = "y") -> list:
    pass


@staticmethod
@property
def decorated():
    return None


square = lambda n: n * n


def calls(f, xs, kw):
    f(1, 2)
    f(1, key=2)
    f(*xs)
    f(0, *xs, **kw)
    xs.append(3)

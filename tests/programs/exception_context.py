"""__context__ and __cause__ as exceptions cross frames raised from handlers, with-cleanups,
ExitStack callbacks and except* clauses."""
import contextlib


def raise_exc(exc):
    raise exc


def describe(exc):
    chain = []
    while exc is not None:
        chain.append(type(exc).__name__)
        exc = exc.__context__
    return " <- ".join(chain)


class Reraiser:
    def __enter__(self):
        return self

    def __exit__(self, *details):
        return False


def propagate_through_frames():
    try:
        1 / 0
    except ZeroDivisionError:
        try:
            helper_raises()
        except KeyError as error:
            return describe(error)


def helper_raises():
    try:
        raise ValueError("inner")
    except ValueError:
        pass
    raise KeyError("k")


print(propagate_through_frames())

try:
    with contextlib.ExitStack() as stack:
        stack.callback(raise_exc, IndexError)
        stack.callback(raise_exc, KeyError)
        stack.callback(raise_exc, AttributeError)
        stack.callback(raise_exc, ValueError)
        1 / 0
except IndexError as error:
    print("ExitStack:", describe(error))


def with_exit_raises():
    class Bad:
        def __enter__(self):
            return self

        def __exit__(self, *details):
            raise RuntimeError("exit")
    try:
        with Bad():
            raise TypeError("body")
    except RuntimeError as error:
        return describe(error)


print("with:", with_exit_raises())


def explicit_none_context():
    try:
        try:
            raise IndexError()
        except IndexError as inner:
            error = KeyError()
            error.__context__ = None
            raise error
    except KeyError as outer:
        return describe(outer)


print("explicit:", explicit_none_context())


def called_from_handler():
    raise LookupError("from callee")


def handler_calls_raiser():
    try:
        raise OSError("outer")
    except OSError:
        try:
            called_from_handler()
        except LookupError as error:
            return describe(error), error.__cause__


print("callee in handler:", handler_calls_raiser())


class EG(ExceptionGroup):
    def __new__(cls, message, excs, code):
        obj = super().__new__(cls, message, excs)
        obj.code = code
        return obj

    def derive(self, excs):
        return EG(self.message, excs, self.code)


try:
    try:
        try:
            raise ValueError(1)
        except ValueError as value_error:
            raise EG("eg", [value_error, TypeError(2)], 42)
    except* ValueError as matched:
        seen = matched
except EG as rest:
    print("except*:", rest.code, seen.code, rest.__context__ is seen.__context__, describe(rest))


def generator_raises_in_handler():
    try:
        yield 1
    except GeneratorExit:
        raise
    finally:
        pass


g = generator_raises_in_handler()
next(g)
try:
    g.throw(KeyError("thrown"))
except KeyError as error:
    print("throw:", describe(error))

group = ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3)])
match, rest = group.split(lambda error: isinstance(error, ValueError) and error.args[0] > 1)
print("split:", [str(e) for e in match.exceptions], [str(e) for e in rest.exceptions],
      group.subgroup(lambda error: isinstance(error, TypeError)).exceptions)

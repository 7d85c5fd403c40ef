"""try/except/else/finally, naming, chaining, raise forms, assert, except*."""
import sys


def classify(value):
    try:
        result = 10 / value
    except ZeroDivisionError as error:
        return f"zero: {error}"
    except (TypeError, ValueError) as error:
        return f"type: {type(error).__name__}"
    except Exception:
        return "other"
    else:
        return f"ok {result}"
    finally:
        print("finally", repr(value))


print(classify(2), classify(0), classify("x"))
try:
    raise ValueError("inner")
except ValueError as error:
    saved = error
print("name deleted:", "error" not in dir(), saved)
try:
    try:
        raise KeyError("first")
    except KeyError:
        raise RuntimeError("second")
except RuntimeError as error:
    print(repr(error.__context__), error.__cause__)
try:
    try:
        raise KeyError("first")
    except KeyError as first:
        raise RuntimeError("second") from first
except RuntimeError as error:
    print(repr(error.__cause__), error.__suppress_context__)
try:
    try:
        raise KeyError("x")
    except KeyError:
        raise TypeError("y") from None
except TypeError as error:
    print(error.__cause__, error.__suppress_context__, repr(error.__context__))
try:
    try:
        raise IndexError("re")
    except IndexError:
        print("exc_info", sys.exc_info()[0].__name__)
        raise
except IndexError as error:
    print("reraised", error)
print("exc_info after", sys.exc_info())
try:
    assert 1 == 2, "message"
except AssertionError as error:
    print("assert", error)
try:
    assert False
except AssertionError as error:
    print("assert no message", repr(error))
AssertionError = None
try:
    assert 0
except BaseException as error:
    print("real AssertionError", type(error).__name__)
del AssertionError


def handler_in_handler():
    try:
        raise ValueError(1)
    except ValueError:
        try:
            raise TypeError(2)
        except TypeError:
            pass
        return sys.exc_info()[0].__name__


print(handler_in_handler())


def else_raises():
    try:
        pass
    except ValueError:
        print("no")
    else:
        raise KeyError("from else")


try:
    else_raises()
except KeyError as error:
    print("else raised", error)


class Custom(Exception):
    def __init__(self, code):
        super().__init__(f"code {code}")
        self.code = code


try:
    raise Custom(7)
except Custom as error:
    print(error, error.code)
try:
    raise Custom
except TypeError as error:
    print("TypeError", error)


def group():
    raise ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3), KeyError(4)])


try:
    group()
except* ValueError as eg:
    print("values", [e.args for e in eg.exceptions])
except* TypeError as eg:
    print("types", [e.args for e in eg.exceptions])
except* KeyError:
    print("keys")
try:
    try:
        group()
    except* ValueError:
        print("handled values")
except ExceptionGroup as rest:
    print("unhandled", sorted(type(e).__name__ for e in rest.exceptions))
try:
    try:
        raise ValueError("naked")
    except* ValueError as eg:
        print("wrapped", type(eg).__name__, eg.exceptions)
except Exception:
    print("no")
try:
    try:
        group()
    except* ValueError:
        raise
except ExceptionGroup as again:
    print("reraised group", len(again.exceptions))
try:
    try:
        group()
    except* TypeError:
        raise RuntimeError("new")
except ExceptionGroup as mixed:
    print("raised in except*", sorted(type(e).__name__ for e in mixed.exceptions))
try:
    pass
except* ValueError:
    print("no")
else:
    print("except* else")
finally:
    print("except* finally")


def exc_in_finally():
    try:
        raise ValueError("a")
    finally:
        print("cleanup with", sys.exc_info()[0].__name__)


try:
    exc_in_finally()
except ValueError:
    print("propagated")
try:
    raise TypeError("bare") from ValueError("cause")
except TypeError as error:
    print(repr(error.__cause__))

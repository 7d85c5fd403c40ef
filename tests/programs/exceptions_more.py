"""Exceptions in odd places: returns in except, finally replacing, generators closing, except*."""
import sys
def gen():
    try:
        yield 1
        yield 2
    finally:
        print("gen finally", sys.exc_info()[0])
def use():
    for x in gen():
        try:
            raise ValueError(x)
        except ValueError:
            return x
print(use())
def nested_finally():
    for i in range(3):
        try:
            try:
                if i == 1:
                    raise KeyError(i)
            finally:
                print("inner", i)
        except KeyError:
            print("caught", i)
            continue
        finally:
            print("outer", i)
    return "done"
print(nested_finally())
def ret_in_except():
    try:
        1/0
    except ZeroDivisionError:
        try:
            return "from except"
        finally:
            print("exc_info in finally:", sys.exc_info()[0].__name__)
print(ret_in_except(), sys.exc_info())
def exc_in_finally_replaces():
    try:
        try:
            raise ValueError("first")
        finally:
            raise TypeError("second")
    except TypeError as e:
        return repr(e), repr(e.__context__)
print(exc_in_finally_replaces())
def with_in_loop():
    import contextlib
    out = []
    for i in range(4):
        with contextlib.suppress(ZeroDivisionError):
            out.append(i)
            if i == 1:
                1 / 0
            if i == 2:
                break
            out.append(-i)
    return out
print(with_in_loop())
def reraise_later():
    try:
        raise ValueError("saved")
    except ValueError as e:
        saved = e
    try:
        raise saved
    except ValueError as again:
        return again is saved, again.__context__
print(reraise_later())
class Ctx:
    def __enter__(self): return self
    def __exit__(self, *a):
        print("exit sees", a[0].__name__ if a[0] else None)
        return False
def gen_with():
    with Ctx():
        yield 1
        yield 2
g = gen_with()
next(g)
g.close()
print("closed")
def deep_exc(n):
    if n == 0:
        raise RuntimeError("deep")
    return deep_exc(n - 1)
for _ in range(3):
    try:
        deep_exc(50)
    except RuntimeError as e:
        tb = e.__traceback__
        count = 0
        while tb:
            count += 1
            tb = tb.tb_next
        print("tb entries", count)
try:
    try:
        raise ExceptionGroup("g", [ValueError(1), KeyError(2)])
    except* ValueError as eg:
        print("handled", eg.exceptions)
        raise TypeError("from handler")
except* KeyError as eg:
    print("outer keyerror", eg.exceptions)
except* TypeError as eg:
    print("outer typeerror", eg.exceptions)
print(sys.exc_info())

"""try/except/else/finally with return, break and continue; chaining; exc_info; nesting."""
import sys
import traceback


def return_in_finally():
    try:
        return "try"
    finally:
        return "finally"


def finally_overrides_exception():
    try:
        raise ValueError("lost")
    finally:
        return "swallowed"


def return_value_kept():
    value = "first"
    try:
        return value
    finally:
        value = "changed"


print(return_in_finally(), finally_overrides_exception(), return_value_kept())


def loop_control():
    log = []
    for i in range(6):
        try:
            if i == 1:
                continue
            if i == 4:
                break
            log.append(i)
        finally:
            log.append(f"f{i}")
    else:
        log.append("else")
    return log


print(loop_control())


def nested_loops():
    out = []
    for i in range(3):
        for j in range(3):
            try:
                try:
                    if j == 1:
                        continue
                    if i == 2:
                        break
                    out.append((i, j))
                finally:
                    out.append("inner")
            finally:
                out.append("outer")
    return out


print(nested_loops())


def while_else(n):
    while n > 0:
        n -= 1
        if n == 10:
            break
    else:
        return "no break"
    return "broke"


print(while_else(3), while_else(20))


def chained():
    try:
        try:
            1 / 0
        except ZeroDivisionError as error:
            raise KeyError("k") from error
    except KeyError as error:
        print("cause", type(error.__cause__).__name__, error.__suppress_context__)
    try:
        try:
            [][1]
        except IndexError:
            raise ValueError("during")
    except ValueError as error:
        print("context", type(error.__context__).__name__, error.__cause__)
    try:
        try:
            {}["x"]
        except KeyError:
            raise TypeError("hidden") from None
    except TypeError as error:
        print("suppressed", error.__suppress_context__, type(error.__context__).__name__)


chained()


def exc_info_states():
    print("before", sys.exc_info()[0])
    try:
        raise OSError("disk")
    except OSError:
        print("inside", sys.exc_info()[0].__name__)
        try:
            raise LookupError("nested")
        except LookupError:
            print("nested", sys.exc_info()[0].__name__)
        print("restored", sys.exc_info()[0].__name__)
    print("after", sys.exc_info()[0])


exc_info_states()


def reraise():
    try:
        try:
            raise RuntimeError("original")
        except RuntimeError:
            raise
    except RuntimeError as error:
        return str(error)


print("reraised", reraise())


def helper_sees_handled():
    return sys.exc_info()[1]


try:
    raise ArithmeticError("visible")
except ArithmeticError:
    print("callee sees", repr(helper_sees_handled()))


def except_tuple(value):
    try:
        if value == 0:
            raise KeyError(value)
        if value == 1:
            raise IndexError(value)
        return "no error"
    except (KeyError, IndexError) as error:
        return type(error).__name__
    finally:
        print("checked", value)


print(except_tuple(0), except_tuple(1), except_tuple(2))


def name_cleared():
    try:
        raise ValueError
    except ValueError as error:
        pass
    try:
        return error
    except NameError as missing:
        return f"unbound: {missing}"


print(name_cleared())


class CustomError(Exception):
    def __init__(self, code):
        super().__init__(f"code {code}")
        self.code = code


try:
    raise CustomError(7)
except Exception as error:
    print(type(error).__name__, error, error.code, isinstance(error, CustomError))


def print_exc_in_handler():
    try:
        raise KeyError("printed")
    except KeyError:
        text = traceback.format_exc()
        print(text.strip().splitlines()[-1])


print_exc_in_handler()


def assertion(value):
    assert value > 0, f"{value} is not positive"
    return value


try:
    assertion(-1)
except AssertionError as error:
    print("AssertionError:", error)

try:
    raise
except RuntimeError as error:
    print("bare raise:", error)

try:
    raise 42
except TypeError as error:
    print("TypeError:", error)

try:
    try:
        raise ValueError("x")
    except 3:
        pass
except TypeError as error:
    print("TypeError:", error)


def generator_finally():
    try:
        yield 1
        yield 2
    finally:
        print("gen cleanup")


for item in generator_finally():
    print("item", item)
    break


def deep(n):
    if n == 0:
        raise ValueError("bottom")
    try:
        deep(n - 1)
    finally:
        print("unwinding", n)


try:
    deep(3)
except ValueError as error:
    print("caught", error, len(traceback.extract_tb(error.__traceback__)))

groups = ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3)])
try:
    raise groups
except* ValueError as matched:
    print("except* ValueError", [str(e) for e in matched.exceptions])
except* TypeError as matched:
    print("except* TypeError", [str(e) for e in matched.exceptions])

try:
    try:
        raise ExceptionGroup("outer", [KeyError("a"), OSError("b")])
    except* KeyError:
        print("handled KeyError part")
except ExceptionGroup as rest:
    print("rest", [type(e).__name__ for e in rest.exceptions])

print(sys.exc_info())

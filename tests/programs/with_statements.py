"""with: enter/exit order, suppression, exceptions in __exit__, return/break through with."""
import contextlib
import sys


class Manager:
    def __init__(self, name, suppress=False, fail_exit=False):
        self.name = name
        self.suppress = suppress
        self.fail_exit = fail_exit

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, kind, value, traceback):
        print("exit", self.name, kind.__name__ if kind else None, value, traceback is not None)
        if self.fail_exit:
            raise RuntimeError(f"exit of {self.name} failed")
        return self.suppress


with Manager("a") as a, Manager("b") as b:
    print("body", a.name, b.name)

with Manager("suppressing", suppress=True):
    raise ValueError("suppressed")
print("after suppression", sys.exc_info())

try:
    with Manager("propagating"):
        raise KeyError("escapes")
except KeyError as error:
    print("caught", error)

try:
    with Manager("bad exit", fail_exit=True):
        raise ValueError("original")
except RuntimeError as error:
    print("exit error", error, "context:", repr(error.__context__))


def returns_through_with():
    with Manager("returning"):
        return "value"


print(returns_through_with())

for i in range(3):
    with Manager(f"loop{i}"):
        if i == 0:
            continue
        if i == 1:
            break
print("loop done")


@contextlib.contextmanager
def tag(name):
    print(f"<{name}>")
    try:
        yield name.upper()
    finally:
        print(f"</{name}>")


with tag("p") as upper:
    print("inside", upper)

with contextlib.suppress(ZeroDivisionError):
    1 / 0
print("suppress ok")

try:
    with tag("div"):
        raise IndexError("inside generator manager")
except IndexError as error:
    print("generator manager propagated", error)

stack = contextlib.ExitStack()
with stack:
    for name in "xyz":
        stack.enter_context(Manager(name))
    print("exit stack body")


class NotAManager:
    pass


try:
    with NotAManager():
        pass
except TypeError as error:
    print("TypeError:", error)


class OnlyEnter:
    def __enter__(self):
        return self


try:
    with OnlyEnter():
        pass
except TypeError as error:
    print("TypeError:", error)


class SeesExcInfo:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        print("exc_info in __exit__:", sys.exc_info()[0])
        return True


with SeesExcInfo():
    raise LookupError
print("done", sys.exc_info())

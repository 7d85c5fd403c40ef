"""if/while/for with else, break/continue through try, finally and with blocks, returns."""
for i in range(5):
    if i == 1:
        continue
    if i == 3:
        break
    print("for", i)
else:
    print("not reached")
for i in range(2):
    pass
else:
    print("for else", i)
n = 0
while n < 5:
    n += 1
    if n % 2:
        continue
    print("while", n)
else:
    print("while else")
while True:
    n -= 1
    if n < 2:
        break
print("after while True", n)
while 0:
    print("never")
else:
    print("while 0 else")
if 0:
    print("never")
elif n:
    print("elif", n)
else:
    print("else")
x = 5
if x > 3 and x < 10 or x == 0:
    print("complex condition")
if not (x > 3 and not x < 10):
    print("not/and")
if 1 < x < 10:
    print("chained in if")
if not 1 < x < 3:
    print("not chained")


def find(items, target):
    for index, item in enumerate(items):
        if item == target:
            return index
    return -1


print(find("abc", "c"), find("abc", "z"))


def finally_order():
    log = []
    for i in range(3):
        try:
            if i == 0:
                continue
            if i == 2:
                break
            log.append(("body", i))
        finally:
            log.append(("finally", i))
    return log


print(finally_order())


def return_in_finally():
    try:
        return "try"
    finally:
        print("finally runs")


print(return_in_finally())


def finally_overrides():
    try:
        return 1
    finally:
        return 2


print(finally_overrides())


def continue_in_finally():
    log = []
    for i in range(3):
        try:
            log.append(i)
            if i == 1:
                raise ValueError("swallowed")
        finally:
            log.append("f")
            continue
    return log


print(continue_in_finally())


def break_in_finally():
    for i in range(10):
        try:
            raise KeyError(i)
        finally:
            break
    return i


print(break_in_finally())


def nested_finally_continue():
    out = []
    for i in range(3):
        try:
            try:
                out.append(("try", i))
            finally:
                if i == 1:
                    continue
                out.append(("inner", i))
        finally:
            out.append(("outer", i))
            if i == 2:
                break
    return out


print(nested_finally_continue())


def finally_continue_while():
    n = 0
    while n < 3:
        n += 1
        try:
            if n == 2:
                return "returned"
        finally:
            if n == 2:
                continue
    return n


print(finally_continue_while())


def finally_with_return_marker():
    for i in range(3):
        try:
            return i
        finally:
            if i < 2:
                continue
    return "end"


print(finally_with_return_marker())


class CM:
    def __init__(self, name, swallow=False):
        self.name, self.swallow = name, swallow

    def __enter__(self):
        print("enter", self.name)
        return self.name

    def __exit__(self, kind, value, tb):
        print("exit", self.name, kind.__name__ if kind else None)
        return self.swallow


with CM("a") as a, CM("b") as b:
    print("inside", a, b)
with CM("swallow", True):
    raise ValueError("x")
print("after swallow")
try:
    with CM("no-swallow"):
        raise ValueError("propagates")
except ValueError as error:
    print("caught", error)


def with_return():
    with CM("ret"):
        return "from with"


print(with_return())
for i in range(3):
    with CM(f"loop{i}"):
        if i == 0:
            continue
        if i == 1:
            break
print("loop with done", i)
with CM("target") as (first, *rest):
    print(first, rest)
x = 0
while x < 10:
    x += 1
    try:
        if x == 3:
            break
    except Exception:
        pass
print("while try break", x)
for i in range(3):
    try:
        pass
    except Exception:
        continue
    else:
        continue
print("continue in else", i)

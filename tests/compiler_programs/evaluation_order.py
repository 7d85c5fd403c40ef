"""Evaluation order and unusual combinations: calls, displays, assignments, with, generators."""
log = []


def t(label, value=None):
    log.append(label)
    return label if value is None else value


def show(*args, **kwargs):
    return args, kwargs


print(show(t("a"), *t("b", [1]), t("c"), **t("d", {"x": 1}), y=t("e")), log)
log.clear()
print(show(x=t("a"), *t("b", [2])), log)
log.clear()
print(show(**t("a", {"p": 1}), **t("b", {"q": 2}), r=t("c")), log)
log.clear()
d = {t("k1"): t("v1"), **t("m", {"k1": "override"}), t("k2"): t("v2")}
print(d, log)
log.clear()
t("target", {})[t("key")] = t("value")
print(log)
log.clear()
t("obj", type("O", (), {})()).attr = t("value")
print(log)
log.clear()
x = [0, 0, 0]
i = 0
i, x[i] = 1, 5
print(i, x)
a = [1, 2, 3]
a[t("idx", 0)] += t("inc", 10)
print(a, log)
log.clear()
print(t("left", 1) if t("test", True) else t("right", 2), log)
log.clear()
print(t("a", 1) < t("b", 2) < t("c", 0) < t("d", 5), log)
log.clear()
print([t(f"elt{n}") for n in range(2) if t(f"cond{n}", n)], log)
log.clear()


def gen_with():
    class CM:
        def __enter__(self):
            log.append("enter")

        def __exit__(self, *exc):
            log.append(f"exit {exc[0].__name__ if exc[0] else None}")
            return True

    with CM():
        yield 1
        yield 2


g = gen_with()
next(g)
g.throw(ValueError)
print(log)
log.clear()


def global_handler_name():
    global caught
    try:
        raise KeyError("k")
    except KeyError as caught:
        pass
    return "caught" in globals()


print(global_handler_name())


class Mangle:
    import os.path as __path
    from os import sep as __sep

    def get(self):
        return self.__path.__name__, self.__sep == "/" or self.__sep == "\\"


print(Mangle().get(), sorted(k for k in vars(Mangle) if "path" in k or "sep" in k))


class Defaults:
    base = 10
    adder = lambda self, x, base=base: x + base
    values = [base]


print(Defaults().adder(1), Defaults.values)


async def agen():
    try:
        yield 1
        yield 2
    finally:
        log.append("agen finally")


async def use_agen():
    gen = agen()
    first = await gen.__anext__()
    await gen.aclose()
    return first


def drive(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value


print(drive(use_agen()), log)
log.clear()


def nested_unpacking_targets():
    data = [(1, (2, 3)), (4, (5, 6))]
    out = []
    for a, (b, c) in data:
        out.append(a + b + c)
    [first, *rest], other = [1, 2, 3], "z"
    (x, y), *z = (1, 2), 3, 4
    return out, first, rest, other, x, y, z


print(nested_unpacking_targets())


def loop_else_with_try():
    for i in range(3):
        try:
            if i == 5:
                break
        finally:
            pass
    else:
        return "else ran"
    return "broke"


print(loop_else_with_try())


def while_with_complex_condition(values):
    out = []
    index = 0
    while index < len(values) and (values[index] > 0 or not values[index] == 0) and 0 <= index < 5:
        out.append(values[index])
        index += 1
    return out


print(while_with_complex_condition([3, -1, 2, 0, 5]))
print(f"{'a' if log else 'b'}{1 + 1!r:>3}{'x':{'^'}{5}}", f"{3!a}{'é'!a}")
print(sorted({1, 2} | {3}), {**{}, **{"a": 1}}, [*()], (*[],))

"""Expressions: f-strings, star-unpacking, walrus, chained comparisons, slices, conditionals."""


def formatting(name, width):
    return f"{name!r:>{width}} and {width=}"


def unpacking(items):
    first, *middle, last = items
    merged = [*items, *middle]
    mapping = {**{"a": 1}, "b": 2}
    return first, last, merged, mapping


def conditions(a, b, c):
    if (n := len(a)) > 3:
        return n
    return a < b <= c, a[1:2], a[::2], b if c else a, a and b or c

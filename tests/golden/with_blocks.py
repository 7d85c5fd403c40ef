"""with: one item, as-targets, several items, with around a return."""


def read(path):
    with open(path) as stream:
        return stream.read()


def both(a, b):
    with a as x, b:
        print(x)


def unpacking(manager):
    with manager as (first, second):
        pass

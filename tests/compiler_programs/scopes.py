"""Scopes: class bodies and closures, LOAD_CLASSDEREF, cells deleted, nonlocal and global corners."""


def class_sees_enclosing_function():
    x = "function"

    class Reads:
        y = x                      # LOAD_CLASSDEREF: no class binding, the cell

    class Shadows:
        x = "class"
        y = x                      # the class binding
        z = [x for _ in range(1)]  # comprehensions skip the class: the function's cell

    class Both:
        def method(self):
            return x
        x = "class attr"           # bound in the class, free in the method: both work

    return Reads.y, Shadows.y, Shadows.z, Both().method(), Both.x


print(class_sees_enclosing_function())


def class_nonlocal():
    counter = 0

    class Bumps:
        nonlocal counter
        counter += 1

    return counter


print(class_nonlocal())


class GlobalInClass:
    global created_by_class
    created_by_class = "global"


print(created_by_class)


def delete_cell():
    value = 1

    def read():
        return value

    del value
    try:
        read()
    except NameError as error:
        return type(error).__name__, str(error)


print(delete_cell())


def unbound_local():
    try:
        print(later)
    except UnboundLocalError as error:
        print("unbound", error)
    later = 1


unbound_local()


def closures_in_loops():
    funcs = []
    for i in range(3):
        def make(j=i):
            return lambda: (i, j)
        funcs.append(make())
    return [f() for f in funcs]


print(closures_in_loops())


def comprehension_cells():
    fs = [lambda: x for x in range(3)]
    gs = [(lambda y: lambda: y)(x) for x in range(3)]
    return [f() for f in fs], [g() for g in gs]


print(comprehension_cells())


def walrus_targets():
    if any((found := n) > 2 for n in [1, 2, 3, 4]):
        pass
    total = [acc := 0]
    return found, total, acc


print(walrus_targets())


def generator_closure():
    base = 10

    def gen():
        nonlocal base
        while base < 13:
            yield base
            base += 1

    return list(gen()), base


print(generator_closure())


def deep_nesting():
    a = 1

    def level1():
        b = 2

        def level2():
            c = 3

            def level3():
                return a + b + c

            return level3()

        return level2()

    return level1()


print(deep_nesting())


class Outer:
    shared = "outer class"

    def method(self):
        class Inner:
            value = __class__.__name__

            def get(self):
                return __class__.__name__, super().__class__.__name__

        return Inner.value, Inner().get()


print(Outer().method())


def default_and_annotation_scope():
    x = "enclosing"

    def f(a=x, *, b=x) -> x:
        return a, b

    return f(), f.__annotations__


print(default_and_annotation_scope())
__private_global = "module"


class Mangler:
    def read(self):
        try:
            return __private_global
        except NameError as error:
            return "NameError", str(error)


print(Mangler().read())

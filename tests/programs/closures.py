"""Closures: cells shared between functions, nonlocal, late binding, class scopes, deletion."""


def counter():
    count = 0

    def increment(step=1):
        nonlocal count
        count += step
        return count

    def peek():
        return count
    return increment, peek


inc, peek = counter()
inc()
inc(5)
print("counter", peek(), inc.__closure__ is not None, len(inc.__closure__))

makers = [lambda: i for i in range(3)]
print("late binding", [m() for m in makers])
makers = [lambda i=i: i for i in range(3)]
print("default binding", [m() for m in makers])


def outer(x):
    def middle(y):
        def inner(z):
            return x + y + z
        return inner
    return middle


print("three levels", outer(1)(2)(3))


def shadowing():
    value = "outer"

    def reader():
        return value
    value = "rebound"
    return reader()


print("rebound before call", shadowing())


def unbound_free():
    def use():
        return later

    try:
        use()
    except NameError as error:
        print("free before assignment:", error)
    later = 1
    return use()


print("after assignment", unbound_free())


def deleted():
    value = 1

    def use():
        return value
    del value
    try:
        use()
    except NameError as error:
        print("deleted cell:", error)


deleted()


class Scope:
    attribute = 10
    doubled = [attribute * 2 for _ in range(2)] if False else None

    def method(self):
        return attribute_lookup()


def attribute_lookup():
    return "global function"


print("class scope", Scope.attribute, Scope().method())


def class_in_function():
    secret = 42

    class Inner:
        value = secret

        def get(self):
            return secret
    return Inner


Inner = class_in_function()
print("class closure", Inner.value, Inner().get())

x = "global"


def global_and_nonlocal():
    global x
    x = "changed"
    y = 1

    def nested():
        nonlocal y
        y += 1
        return y
    nested()
    return nested()


print("global", global_and_nonlocal(), x)


def generator_closure(n):
    factor = 3
    return (factor * i for i in range(n))


print("genexpr closure", list(generator_closure(4)))


def argument_cell(a, b=2):
    def use():
        return a * b
    a = a + 1
    return use()


print("argument cells", argument_cell(4))


def recursive_closure():
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)
    return fact(10)


print("recursive closure", recursive_closure())

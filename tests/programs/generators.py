"""Generators: send, throw, close, yield from with return values, exceptions and finally."""
import sys


def echo():
    received = []
    try:
        while True:
            value = yield len(received)
            if value == "stop":
                return received
            received.append(value)
    finally:
        print("echo finally")


g = echo()
print(next(g), g.send("a"), g.send("b"))
try:
    g.send("stop")
except StopIteration as stop:
    print("returned", stop.value)
print("after exhaustion:", next(g, "default"))


def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "liftoff"


def delegator():
    result = yield from countdown(3)
    print("delegate returned", result)
    yield from [10, 20]
    return "done"


print(list(delegator()))


def catcher():
    while True:
        try:
            yield "ready"
        except ValueError as error:
            print("caught", error)
            yield "recovered"
        except GeneratorExit:
            print("closing")
            raise


c = catcher()
print(next(c))
print(c.throw(ValueError("bad")))
print(next(c))
c.close()
print("closed, running:", c.gi_running, c.gi_frame is None)


def ignores_exit():
    try:
        yield 1
    except GeneratorExit:
        yield 2


bad = ignores_exit()
next(bad)
try:
    bad.close()
except RuntimeError as error:
    print("RuntimeError:", error)


def inner_thrown():
    try:
        yield 1
        yield 2
    except KeyError:
        print("inner caught KeyError")
        return "inner result"


def outer_thrown():
    value = yield from inner_thrown()
    print("outer got", value)
    yield "outer continues"


o = outer_thrown()
print(next(o))
print(o.throw(KeyError("k")))


def leaks_stop():
    yield 1
    raise StopIteration("oops")


try:
    list(leaks_stop())
except RuntimeError as error:
    print("PEP 479:", error, type(error.__cause__).__name__)


def fibonacci():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


import itertools

print(list(itertools.islice(fibonacci(), 10)))
print(sum(x * x for x in range(10)))
print(list(zip(countdown(3), "abc")))


def with_exc_info():
    try:
        raise ZeroDivisionError("inside")
    except ZeroDivisionError:
        yield sys.exc_info()[0].__name__
        yield sys.exc_info()[0].__name__
    yield sys.exc_info()[0]


w = with_exc_info()
print(next(w), sys.exc_info()[0])
print(next(w), next(w))


def finally_on_break():
    try:
        for i in range(5):
            yield i
    finally:
        print("generator finally ran")


for value in finally_on_break():
    if value == 2:
        break
print("after break")


def just_started():
    yield 1


js = just_started()
try:
    js.send(5)
except TypeError as error:
    print("TypeError:", error)
try:
    js.throw(ValueError("early"))
except ValueError as error:
    print("thrown before start:", error)
print(list(js))


def running_check():
    yield gen.gi_running


gen = running_check()
print("gi_running inside:", next(gen))
try:
    def self_next():
        yield next(me)
    me = self_next()
    next(me)
except ValueError as error:
    print("ValueError:", error)

print(type(countdown(1)).__name__ if False else "generator type ok")

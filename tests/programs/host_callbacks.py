"""VM functions and classes used by host code: sorted/map/filter, functools, itertools,
operator, copy, pickle, json hooks, weakref, threading, logging.exception, inspect."""
import copy
import functools
import inspect
import itertools
import json
import logging
import operator
import pickle
import sys
import threading
import weakref

words = ["banana", "Apple", "cherry", "date"]
print(sorted(words, key=str.lower), sorted(words, key=lambda w: (len(w), w)))
print(list(map(lambda w: w[0], words)), list(filter(lambda w: "a" in w, words)))
print(functools.reduce(lambda a, b: a * b, range(1, 6)), max(words, key=len), min(words, key=lambda w: w[-1]))


def shout(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs).upper()
    return wrapper


@shout
def greet(name):
    """Say hello."""
    return f"hello {name}"


print(greet("vm"), greet.__name__, greet.__doc__, greet.__wrapped__("raw"), greet.__qualname__)


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(80), fib.cache_info().hits > 0)
power_of_two = functools.partial(pow, 2)
scale = functools.partial(lambda factor, value: factor * value, 10)
print(power_of_two(10), scale(4), scale.func(2, 3))


class Counter:
    def __init__(self):
        self.count = 0

    @functools.cached_property
    def expensive(self):
        self.count += 1
        return "computed"

    def __call__(self, value):
        self.count += value
        return self.count


c = Counter()
print(c.expensive, c.expensive, c.count, list(map(c, [1, 2, 3])))
print(list(itertools.accumulate([1, 2, 3], lambda a, b: a * 10 + b)), list(itertools.starmap(lambda a, b: a - b, [(5, 1), (9, 3)])))
print(list(itertools.groupby(sorted(words, key=len), key=len))[0][0], list(itertools.takewhile(lambda x: x < 3, range(10))))
print(sorted([(1, "b"), (1, "a"), (0, "z")], key=operator.itemgetter(1)))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return vars(self) == vars(other)

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


p = Point([1], 2)
deep = copy.deepcopy(p)
deep.x.append(3)
print(p, deep, copy.copy(p) == p)
restored = pickle.loads(pickle.dumps(p))
print("pickled", restored, pickle.loads(pickle.dumps(greet)) is greet if False else "functions pickle by name")


def decode_hook(mapping):
    return {key.upper(): value for key, value in mapping.items()}


print(json.loads('{"a": {"b": 1}}', object_hook=decode_hook), json.dumps({"p": p}, default=lambda o: vars(o)))

ref = weakref.ref(p)
print(ref() is p)
results = []
threads = [threading.Thread(target=lambda n=n: results.append(n * n)) for n in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(results))

logging.basicConfig(stream=sys.stdout, format="%(levelname)s %(message)s")
try:
    {}["missing"]
except KeyError:
    logging.exception("logged failure")
print(inspect.signature(greet.__wrapped__), inspect.isfunction(greet) or callable(greet))


def gen_function():
    yield 1


print(inspect.isgeneratorfunction(gen_function), inspect.getdoc(greet))
print(sorted({3: "c", 1: "a"}.items(), key=lambda kv: kv[1]), list(zip(*[(1, 2), (3, 4)])))
print(sum(map(int, "123")), "".join(map(str.upper, "ab")), list(enumerate("xy", start=1)))

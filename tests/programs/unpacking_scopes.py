"""Evaluation order in comprehensions, star-unpacking everywhere, scopes, loops with else, f-strings."""
order = []
def k(x): order.append(("k", x)); return x
def v(x): order.append(("v", x)); return x * 10
d = {k(i): v(i) for i in range(3)}
print(d, order)
print({**{1: 2}, **dict(a=3)}, [*range(3), *[9]], {*"ab", *"bc"} == {"a", "b", "c"}, (*"xy",))
def f(*a, **k): return a, k
print(f(*[1, 2], 3, *(4,), x=1, **{"y": 2}, z=3))
funcs = []
for i in range(3):
    def g(j=i):
        return j + i
    funcs.append(g)
print([fn() for fn in funcs])
a, *b, c = range(10)
[x, [y, *z]] = [1, [2, 3, 4]]
print(a, b, c, x, y, z)
first, second = second, first = 1, 2
print(first, second)
import sys
try:
    {**[1]}
except TypeError as e:
    print(e)
try:
    print(*None)
except TypeError as e:
    print(e)
try:
    f(**{"a": 1}, a=2)
except TypeError as e:
    print(e)
class A:
    x = 5
    y = [x for _ in range(1)] if False else None
    def m(self):
        return [self.x * i for i in range(3)]
print(A().m())
s = 0
for i in range(10):
    if i % 2: continue
    for j in range(3):
        if j == 2: break
        s += i * j
    else:
        s += 1000
print(s)
i = 0
while True:
    i += 1
    if i > 5: break
else:
    print("never")
print(i)
x = 10
def outer():
    x = 1
    def inner():
        nonlocal x
        x += 1
        return x
    return inner
h = outer()
print(h(), h(), x)
print((lambda: (yield))().__class__.__name__ if False else "ok")
print([(yield_ := i) for i in range(2)], yield_)
g = (i for i in range(3))
print(sum(g), sum(g))
import functools
print(functools.reduce(lambda a, b: a + b, map(lambda t: t[0] * t[1], zip(range(4), range(4)))))
print(sorted({"b": 1, "a": 2}, key=lambda kk: d.get(kk, 0)))
print(f"{'a' if x else 'b':>3}|{x!r:<4}|{3.14159:.2f}|{x:{'0'}{5}}")

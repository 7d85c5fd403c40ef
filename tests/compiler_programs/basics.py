"""Operators, assignments, unpacking, walrus, f-strings, slices, del."""
a, b = 7, 3
print(a + b, a - b, a * b, a / b, a // b, a % b, a ** b, a << b, a >> 1, a & b, a | b, a ^ b, -a, +a, ~a)
print(not a, a and b, a or b, 0 and b, 0 or b, None or 0 or "x")
print(1 < a < 10, 1 < a > 10, a == 7 != b, 1 < 2 < 3 < 4 < 5, 3 > 2 > 1 > 2)
print(a if a > b else b, a if a < b else b)
print(-1, (1, 2, (3, -4.5)), (), (1,), -0.0, 1e100, 2j, -2j, b"bytes", ..., None, True)
x = [1, 2, 3, 4, 5, 6]
print(x[1], x[-1], x[1:3], x[::2], x[::-1], x[1:], x[:2], x[1:5:2])
x[1:3] = ["a", "b", "c"]
print(x)
del x[0], x[-1]
print(x)
del x[::2]
print(x)
m = [[1, 2], [3, 4]]
m[0][1] += 10
print(m)
class O:
    pass
o = O()
o.v = 1
o.v += 5
o.v *= 2
print(o.v)
del o.v
print(hasattr(o, "v"))
n = 10
n -= 1; n *= 3; n //= 2; n **= 2; n %= 50; n <<= 2; n >>= 1; n |= 1; n &= 0xFF; n ^= 3; n /= 2
print(n)
s = "ab"
s += "cd"
s *= 2
print(s)
first, *middle, last = range(6)
print(first, middle, last)
(p, q), [r, *t] = (1, 2), [3, 4, 5]
print(p, q, r, t)
*init, tail = "xyz"
print(init, tail)
a = b = c = [0]
print(a is b is c)
i, x[0] = 0, "first"
print(i, x)
if (w := len(x)) > 1:
    print("walrus", w)
print([y := 5, y ** 2])
values = [1, 2, 3]
print(f"{values!r} {values[0]:>5} {3.14159:.2f} {'s'!s:^7} {'é'!a} {a=} {1+1=:>4} {n:{'>'}{10}}")
width, precision = 10, 3
print(f"{3.14159:{width}.{precision}}|{'left':<{width}}|")
print(f"{'nested {braces}'}", f"{{literal}}", f"", f"plain")
print(*[1, 2], *"ab", sep="-")
d = {"a": 1, **{"b": 2}, "c": 3}
print(d, {**d}, {1, *[2, 3], 4}, [*range(3), *"xy"], (*range(2), 9))
print({1: "a", 1.0: "b", True: "c"}, {"k": v for v in range(2)})
print(type(__debug__), __debug__)
big = [1, 2, 3] * 100
print(len(big), sum(big))
print(1 if 0 else 2 if 0 else 3)
one, none = 1, None
print(not 1 == 2, not (one is none), 1 in [1], 1 not in [1], none is None, one is not None)
print(divmod(-7, 2), -7 // 2, -7 % 2, 2 ** -1, (-2) ** 2, -2 ** 2)
print([] or {} or () or "last")
print("done")

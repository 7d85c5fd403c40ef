"""Comprehensions and generator expressions: scopes, nesting, conditions, walrus, unpacking."""

squares = [x * x for x in range(6) if x % 2 == 0]
pairs = [(x, y) for x in range(3) for y in range(x)]
nested = [[row * col for col in range(3)] for row in range(3)]
unique = {c.lower() for c in "Hello World" if c.isalpha()}
index = {word: len(word) for word in ["alpha", "be", "gamma"]}
print(squares, pairs, nested, sorted(unique), index)

total = sum(n for n in range(100) if n % 7 == 0)
print(total, any(c.isdigit() for c in "ab3"), all(n > 0 for n in []))

x = "outer x"
result = [x for x in "ab"]
print(result, x)

values = [y := 10, y * 2]
print(values, y)
filtered = [last for item in range(5) if (last := item * 3) > 4]
print(filtered, last)


class Scoped:
    base = 5
    items = [base for _ in range(2)] if False else []
    doubled = [n * 2 for n in range(3)]


print(Scoped.doubled)

matrix = [[1, 2, 3], [4, 5, 6]]
print([list(column) for column in zip(*matrix)], [n for row in matrix for n in row if n % 2])
print({k: v for k, v in zip("abc", range(3))}, dict((str(i), i) for i in range(2)))

gen = (i * 2 for i in range(3))
print(next(gen), list(gen), list(gen))
print([(a, b) for a, (b, c) in [(1, (2, 3)), (4, (5, 6))]])
print([*range(2), *"xy"], {**{"a": 1}, "b": 2}, {*(1, 2), 3})
first, *middle, last_item = range(6)
print(first, middle, last_item)
(a, b), c = (1, 2), 3
print(a, b, c)


def closures_in_comprehension():
    return [lambda: i for i in range(3)]


print([f() for f in closures_in_comprehension()])
try:
    [undefined_name for _ in range(1)]
except NameError as error:
    print("NameError:", error)
try:
    a, b = [1, 2, 3]
except ValueError as error:
    print("ValueError:", error)
try:
    a, b, c = "xy"
except ValueError as error:
    print("ValueError:", error)
try:
    a, *b, c = [1]
except ValueError as error:
    print("ValueError:", error)
try:
    a, b = 5
except TypeError as error:
    print("TypeError:", error)

print(sorted(((v, k) for k, v in index.items()), reverse=True))
print(list(map(str.upper, (s for s in ["q", "r"]))))

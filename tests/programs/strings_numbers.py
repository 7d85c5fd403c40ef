"""String and number work: formatting, f-strings, slicing, methods, ints, floats, decimals."""
import decimal
import fractions
import math

name, value, ratio = "bytelens", 42, 2 / 3
print(f"{name!r:>12}|{value:#06x}|{ratio:.3f}|{value:,}|{ratio:%}|{name[::-1]}|{value=}")
print(f"{'nested ' + f'{value * 2}'}", f"{{braces}}", f"{3.14159:{'.2f'}}", f"{name:{'^'}{14}}")
print("%s has %d items costing %.2f" % ("cart", 3, 9.5), "{0}-{1}-{0}".format("a", "b"))
text = "The quick brown fox"
print(text.split(), text.upper(), text.replace("quick", "slow"), text.find("brown"), text[4:9], text[-3:])
print(",".join(sorted(set(text.lower()) - {" "})), text.count("o"), text.startswith("The"), text.title())
print("  padded  ".strip(), "x".center(7, "*"), "a-b-c".rsplit("-", 1), "ß".upper(), "ﬁ".casefold())
print(b"bytes" + bytes([33]), bytearray(b"abc").upper(), "é".encode("utf-8"), b"\xc3\xa9".decode())
print(2 ** 100, -7 // 2, -7 % 2, divmod(17, 5), 7 / 2, 1e300 * 10, -0.0, 0.1 + 0.2, round(2.675, 2))
print(int("ff", 16), hex(255), oct(8), bin(5), int("1_000"), float("nan") != float("nan"), 10 ** -2)
print(math.factorial(20), math.gcd(12, 18), math.isqrt(99), math.pi, abs(-3 + 4j), (1 + 2j) * (3 - 1j))
print(decimal.Decimal("1.10") + decimal.Decimal("2.20"), fractions.Fraction(3, 4) + fractions.Fraction(1, 4))
print(sum([0.1] * 10), math.fsum([0.1] * 10), 5 ^ 3, 5 & 3, 5 | 3, ~5, 1 << 10, 1024 >> 3)
print(True + True, None is None, [] is not [], 3 < 5 < 7, 1 == 1.0, "a" < "b" < "c", (1, 2) < (1, 3))
values = [3, 1, 4, 1, 5, 9, 2, 6]
values.sort()
print(values, values[::2], values[1:-1:3], list(reversed(values))[:3], values.index(4))
matrix = [[0] * 3 for _ in range(3)]
matrix[1][2] = 7
print(matrix, len(str(2 ** 1000)), str(123)[::-1], int(str(123)[::-1]) + 1)
counts = {}
for letter in "mississippi":
    counts[letter] = counts.get(letter, 0) + 1
print(counts, max(counts, key=counts.get), sorted(counts.items(), key=lambda kv: -kv[1]))
s = "x"
s += "y" * 3
s *= 2
print(s, s.partition("y"), repr("quote's\n"), ascii("naïve"), str(b"x"), "%r" % [1])
number = 1234567.891
print(format(number, ",.2f"), format(number, "e"), f"{number:_}", f"{-42:+}", f"{42:b}")
try:
    int("abc")
except ValueError as error:
    print("ValueError:", error)
try:
    "x" + 1
except TypeError as error:
    print("TypeError:", error)
try:
    1 / 0
except ZeroDivisionError as error:
    print("ZeroDivisionError:", error)
x = 10
x -= 3
x *= 2
x //= 3
x **= 2
x %= 7
x <<= 2
x |= 1
x ^= 6
x &= 0xF
x >>= 1
print("augmented", x)
lst = [1]
alias = lst
lst += [2]
lst *= 2
print(lst, alias is lst)
t = (1,)
t += (2,)
print(t, -(-5), +5, not 0)
print(isinstance(True, int), type(1 + 1.0).__name__, float.fromhex("0x1.8p1"), (255).to_bytes(2, "big"))

"""Closures and comprehensions: nested functions over cells, list/dict/set comprehensions, lambda
keys, sorted(key=...) calling back into the interpreter."""


def make_scaler(factor):
    def scale(value):
        return value * factor
    return scale


def counter():
    count = 0

    def bump(by):
        nonlocal count
        count += by
        return count
    return bump


def main(n):
    scalers = [make_scaler(k) for k in range(1, 6)]
    bump = counter()
    total = 0
    for i in range(n):
        values = [scale(i) for scale in scalers]
        squares = {v: v * v for v in values if v & 1}
        total += bump(len(squares)) + len({v % 7 for v in values})
    words = sorted((str(i * 7919 % 1000) for i in range(n // 10)), key=lambda word: (len(word), word))
    return total, words[:3]


if __name__ == "__main__":
    print(main(40_000))

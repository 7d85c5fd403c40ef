"""Chaos game: an iterated function system drawn point by point (operator overloading on a vector
class, a seeded random generator written in Python, a dict histogram). In the spirit of
pyperformance's ``chaos`` benchmark; written for bytelens.
"""


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __mul__(self, factor):
        return Vector(self.x * factor, self.y * factor)

    def __repr__(self):
        return f"Vector({self.x:.3f}, {self.y:.3f})"


class Random:
    """A linear congruential generator, so that every interpreter draws the same points."""

    def __init__(self, seed):
        self.state = seed

    def below(self, n):
        self.state = (self.state * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.state >> 16) % n


class Transform:
    def __init__(self, a, b, c, d, e, f):
        self.a, self.b, self.c, self.d, self.e, self.f = a, b, c, d, e, f

    def __call__(self, point):
        return Vector(self.a * point.x + self.b * point.y + self.e,
                      self.c * point.x + self.d * point.y + self.f)


FERN = (
    (1, Transform(0.0, 0.0, 0.0, 0.16, 0.0, 0.0)),
    (85, Transform(0.85, 0.04, -0.04, 0.85, 0.0, 1.6)),
    (7, Transform(0.2, -0.26, 0.23, 0.22, 0.0, 1.6)),
    (7, Transform(-0.15, 0.28, 0.26, 0.24, 0.0, 0.44)),
)


def pick(random, weighted):
    roll = random.below(100)
    for weight, transform in weighted:
        if roll < weight:
            return transform
        roll -= weight
    return weighted[-1][1]


def main(n):
    random = Random(42)
    point = Vector(0.0, 0.0)
    grid = {}
    centre = Vector(0.0, 0.0)
    for _ in range(n):
        point = pick(random, FERN)(point)
        cell = (int(point.x * 4), int(point.y * 4))
        grid[cell] = grid.get(cell, 0) + 1
        centre = centre + point * (1.0 / n)
    busiest = max(grid.items(), key=lambda item: (item[1], item[0]))
    return len(grid), busiest, repr(centre)


if __name__ == "__main__":
    print(main(50_000))

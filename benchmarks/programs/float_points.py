"""Float: many small objects with float attributes, math calls, normalisation and a max reduction.

After the shape of pyperformance's ``float`` benchmark (MIT licence); written for bytelens.
"""

from math import cos, sin, sqrt


class Point:
    __slots__ = ("x", "y", "z")

    def __init__(self, i):
        self.x = x = sin(i)
        self.y = cos(i) * 3
        self.z = (x * x) / 2

    def normalize(self):
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other):
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self


def main(n):
    points = [Point(i) for i in range(n)]
    for point in points:
        point.normalize()
    best = points[0]
    for point in points[1:]:
        best = best.maximize(point)
    return round(best.x, 9), round(best.y, 9), round(best.z, 9)


if __name__ == "__main__":
    print(main(40_000))

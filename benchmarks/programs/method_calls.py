"""Classes: method calls that read and update instance attributes, a property and inheritance."""


class Counter:
    def __init__(self):
        self.x = 0
        self.y = 0

    def step(self, dx, dy):
        self.x += dx
        self.y += dy

    @property
    def total(self):
        return self.x + self.y


class ScaledCounter(Counter):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def step(self, dx, dy):
        Counter.step(self, dx * self.scale, dy)


def main(n):
    plain = Counter()
    scaled = ScaledCounter(3)
    for i in range(n):
        plain.step(i, 1)
        scaled.step(1, i & 7)
    return plain.total + scaled.total


if __name__ == "__main__":
    print(main(200_000))

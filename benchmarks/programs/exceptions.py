"""Exceptions and the block stack: try/except/else/finally, raise in nested calls, with blocks,
break and continue through finally."""


class Resource:
    def __init__(self, log):
        self.log = log

    def __enter__(self):
        self.log[0] += 1
        return self

    def __exit__(self, kind, value, traceback):
        self.log[1] += 1
        return kind is KeyError


def checked(i):
    if i % 5 == 0:
        raise ValueError(i)
    if i % 7 == 0:
        raise KeyError(i)
    return i


def main(n):
    log = [0, 0]
    caught = 0
    total = 0
    for i in range(n):
        try:
            with Resource(log):
                total += checked(i)
        except ValueError as error:
            caught += error.args[0] & 1
        else:
            total += 1
        finally:
            total -= 1
        while True:
            try:
                if i & 1:
                    continue
                break
            finally:
                total += 1
                if i & 1:
                    break
    return total, caught, log


if __name__ == "__main__":
    print(main(60_000))

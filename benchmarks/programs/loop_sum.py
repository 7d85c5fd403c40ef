"""Baseline: a summing for-loop over a range (the loop NOTES.md measured x-python on)."""


def main(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


if __name__ == "__main__":
    print(main(1_000_000))

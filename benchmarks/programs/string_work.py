"""String work: splitting, joining, formatting, f-strings, slicing and counting words in a dict."""

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def make_line(i):
    first = WORDS[i % len(WORDS)]
    second = WORDS[(i * 7) % len(WORDS)]
    return f"{i:05d} {first}-{second} {second.upper()}:{len(first)}"


def main(n):
    counts = {}
    length = 0
    for i in range(n):
        line = make_line(i)
        for part in line.replace("-", " ").split():
            key = part.lower()[:4]
            counts[key] = counts.get(key, 0) + 1
        length += len("%s|%d" % (line[::-1], i))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return length, ",".join(f"{key}={count}" for key, count in ordered[:5])


if __name__ == "__main__":
    print(main(30_000))

"""N-queens by backtracking: recursion, sets, and a generator of solutions."""


def solutions(n, row=0, columns=frozenset(), diagonals=frozenset(), antidiagonals=frozenset()):
    if row == n:
        yield ()
        return
    for column in range(n):
        if column in columns or row + column in diagonals or row - column in antidiagonals:
            continue
        for rest in solutions(n, row + 1, columns | {column}, diagonals | {row + column},
                              antidiagonals | {row - column}):
            yield (column,) + rest


def main(n):
    found = list(solutions(n))
    return len(found), found[0] if found else None


if __name__ == "__main__":
    print(main(7))

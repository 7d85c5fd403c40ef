"""Loops: for and while, else clauses, break and continue (inside a try: CONTINUE_LOOP)."""


def for_else(items):
    for item in items:
        if item:
            break
    else:
        return None
    return item


def while_continue(n):
    total = 0
    while n > 0:
        n -= 1
        if n % 2:
            continue
        total += n
    return total


def forever():
    while True:
        try:
            continue
        finally:
            pass


def nested(rows):
    for row in rows:
        for cell in row:
            if cell is None:
                break

"""Comprehensions and generator expressions: own code objects with the argument .0."""


def shapes(xs):
    a = [x * 2 for x in xs if x]
    b = {x for x in xs}
    c = {x: y for x, y in xs}
    d = (x for x in xs)
    return a, b, c, d


def nested(matrix):
    return [cell for row in matrix for cell in row if cell]

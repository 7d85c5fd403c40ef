"""match: literal, capture, wildcard, sequence with star, mapping with **rest, class, or, as, guard."""


def describe(subject):
    match subject:
        case 0 | 1:
            return "small"
        case [first, *rest]:
            return first, rest
        case {"kind": kind, **others}:
            return kind, others
        case Point(x=0, y=y) as point if y > 0:
            return point
        case str() | bytes():
            return "text"
        case _:
            return None

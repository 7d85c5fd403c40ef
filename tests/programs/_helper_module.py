"""A plain module beside the programs."""
counter = 0


def bump():
    global counter
    counter += 1
    return counter


class Thing:
    def __repr__(self):
        return "Thing()"

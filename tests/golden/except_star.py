"""except*: an exception group split clause by clause."""


def split(f):
    try:
        f()
    except* ValueError as group:
        print(group)
    except* (TypeError, KeyError):
        pass

"""try/except/else/finally, except ... as, bare except, raise, raise from, assert."""


def handlers(f):
    try:
        f()
    except ValueError as error:
        return error
    except (TypeError, KeyError):
        return 2
    except:
        raise
    else:
        return 3


def cleanup(f):
    try:
        return f()
    finally:
        print("done")


def chained(f):
    try:
        f()
    except OSError as error:
        raise RuntimeError("failed") from error


def checked(x):
    assert x > 0, "positive"
    assert x

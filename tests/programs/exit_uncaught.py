"""An uncaught exception: traceback on stderr, status 1; atexit handlers still run."""
import atexit


def goodbye():
    print("atexit handler ran")


atexit.register(goodbye)


def level_two(value):
    return {"known": 1}[value]


def level_one(value):
    return level_two(value)


print("about to fail")
level_one("missing")

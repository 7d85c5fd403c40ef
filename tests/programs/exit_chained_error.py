"""An uncaught exception raised while handling another: both tracebacks, last line the second."""


class ConfigError(Exception):
    pass


def load():
    try:
        return int("not a number")
    except ValueError as error:
        raise ConfigError("bad config value") from error


load()

from importpkg import core


def leaf_function():
    return "leaf sees " + core.greet("leaf")

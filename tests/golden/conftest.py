"""``--update-goldens``: rewrite the expected disassemblies in this folder instead of comparing.

pytest reads options only from the conftest files it loads at start-up, so the option is known when
this folder is on the command line (``pytest tests/golden tests/test_golden.py --update-goldens``)
or when the suite's root conftest names this file in ``pytest_plugins``.
"""


def pytest_addoption(parser):
    try:
        parser.addoption("--update-goldens", action="store_true", default=False,
                         help="rewrite tests/golden/*.dis from the current compiler's output")
    except ValueError:  # registered already: loaded both as a plugin and as this folder's conftest
        pass

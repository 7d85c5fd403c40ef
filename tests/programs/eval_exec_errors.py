"""Compile errors and warnings of strings run by eval and exec: the builtin SyntaxError classes with
CPython's positions, and a compile warning turned into an error by a filter becomes a SyntaxError
at the warning's place."""
import warnings

for source in ("x = = 1", "  1", "\tif 1:\n  pass\n        pass", "(", "1 +* 2", "def f(:\n  pass"):
    for run in (eval, exec):
        try:
            run(source)
        except SyntaxError as error:
            print(type(error).__name__, error.msg, error.lineno, error.offset, repr(error.text), error.end_lineno,
                  error.end_offset)

warned = ["y = 1\nz = '\\d'", "'''a\n\\z'''", "f'{1}\\z'", "x = ('a'\n  '\\z')", "'\\z' + '''\n'''",
          "x = 1\nif x is 'a': pass", "assert (x, 'msg')", "x = 1 is 1"]
for source in warned:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(source, {"x": 1})
    print([(str(w.message), w.category.__name__, w.filename, w.lineno) for w in caught])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            exec(source, {"x": 1})
        except SyntaxError as error:
            print(type(error).__name__, error.msg, error.filename, error.lineno, error.offset, repr(error.text),
                  error.end_lineno, error.end_offset)

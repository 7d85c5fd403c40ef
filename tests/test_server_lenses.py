"""Which functions get a Trace lens, and what each lens runs."""

import textwrap

from bytelens.server.lenses import find_functions


def functions(source):
    return {f.qualname: f for f in find_functions(textwrap.dedent(source))}


def test_plain_functions_with_and_without_arguments():
    found = functions("""
        def none(): pass
        def defaults(a=1, *args, k=2, **kw): pass
        def needs(a, b, *, k): pass
    """)
    assert found["none"].call == "none()"
    assert found["defaults"].call == "defaults()"
    assert found["needs"].call is None
    assert found["needs"].template == "needs(a, b, k=k)"
    assert found["needs"].title() == "▷ Trace needs(…)"
    assert found["none"].title() == "▷ Trace none()"
    assert (found["none"].line, found["none"].column) == (2, 0)


def test_the_first_docstring_example_that_calls_the_function():
    found = functions('''
        def f(n):
            """Double it.

            >>> import math
            >>> g(2)
            >>> f(3)
            6
            >>> f(4)
            """
            return 2 * n
    ''')
    assert found["f"].call == "f(3)"
    assert found["f"].title() == "▷ Trace f(3)"


def test_methods_reach_through_their_class():
    found = functions("""
        class C:
            def __init__(self, value): self.value = value
            def get(self): return self.value
            @staticmethod
            def make(a): pass
            @classmethod
            def default(cls): return cls(0)
            @property
            def twice(self): return 2 * self.value
        class Plain:
            def hello(self, name="you"): pass
            class Inner:
                def deep(self): pass
        class Derived(Plain):
            def other(self): pass
    """)
    assert found["C.__init__"].template == "C(value)" and found["C.__init__"].call is None
    assert found["C.get"].template == "C(value).get()" and found["C.get"].call is None
    assert found["C.make"].template == "C.make(a)"
    assert found["C.default"].call == "C.default()"
    assert found["C.twice"].template == "C(value).twice"
    assert found["Plain.hello"].call == "Plain().hello()"
    assert found["Plain.Inner.deep"].call == "Plain.Inner().deep()"
    # Derived's constructor comes from a base the AST cannot see: ask rather than guess.
    assert found["Derived.other"].call is None
    assert found["Derived.other"].template == "Derived().other()"


def test_nested_functions_are_traced_through_the_outermost_one():
    found = functions("""
        def outer(n=2):
            def inner(x):
                return x
            class Local:
                def method(self): pass
            return inner(n)
    """)
    assert found["outer.<locals>.inner"].call == "outer()"
    assert found["outer.<locals>.Local.method"].call == "outer()"
    assert [f.qualname for f in find_functions(textwrap.dedent("""
        def outer(n=2):
            def inner(x):
                return x
    """))] == ["outer", "outer.<locals>.inner"]


def test_generators_and_coroutines():
    found = functions("""
        def numbers():
            yield 1
        def not_a_generator():
            def inner():
                yield 1
            return inner
        async def fetch():
            pass
    """)
    assert found["numbers"].call == "list(numbers())"
    assert found["not_a_generator"].call == "not_a_generator()"
    assert found["fetch"].call is None
    assert found["fetch"].template == "asyncio.run(fetch())"


def test_definitions_inside_compound_statements_are_found():
    found = functions("""
        import sys
        if sys.platform:
            def a(): pass
        else:
            def b(): pass
        try:
            def c(): pass
        except ImportError:
            def d(): pass
        for _ in []:
            def e(): pass
        lam = lambda: 0
    """)
    assert sorted(found) == ["a", "b", "c", "d", "e"]


def test_unparsable_source_gives_none_and_titles_show_outcomes():
    assert find_functions("def f(:\n") is None
    f = functions("def f(): pass\n")["f"]
    assert f.title("f() -> None · 3 steps") == "f() -> None · 3 steps"


def test_each_function_knows_its_last_line():
    found = functions('''
        @decorator
        def outer(a):
            def inner():
                return a

            return inner  # the end of outer's body

        class C:
            def m(self): return 1
        x = 1
    ''')
    assert (found["outer"].line, found["outer"].end_line) == (3, 7)
    assert (found["outer.<locals>.inner"].line, found["outer.<locals>.inner"].end_line) == (4, 5)
    assert (found["C.m"].line, found["C.m"].end_line) == (10, 10)

"""locals(), globals(), vars(), dir(), eval/exec of strings, zero-argument super(), __class__,
function attributes, sys.exc_info in nested calls."""
import _helper_module
import builtins as _builtins_module
import sys

GLOBAL = "module level"


def show_locals(a, b=2):
    c = a + b
    return sorted(locals().items())


print(show_locals(1))
print("GLOBAL" in globals(), globals()["GLOBAL"], __name__ in ("__main__",))


def closure_locals():
    outer_value = 5

    def inner():
        return sorted(locals())
    inner_names = inner()
    return inner_names, sorted(locals())


print(closure_locals())


class Example:
    attribute = 1
    names_in_body = sorted(name for name in locals() if not name.startswith("__"))

    def method(self):
        return vars(self)


e = Example()
e.field = 3
print(Example.names_in_body, e.method(), "attribute" in dir(Example), "field" in dir(e))


def uses_eval(x):
    y = 10
    return eval("x * y + GLOBAL.count('l')")


print(uses_eval(3), eval("[i * i for i in range(4)]"), eval("1 + 2", {}), eval("a", {"a": 5}))
namespace = {}
exec("def made(n):\n    return n * 2\nresult = made(21)", namespace)
print(namespace["result"], namespace["made"](4), "__builtins__" in namespace)
exec("print('exec sees', GLOBAL)")
local_ns = {}
exec("z = 1 + 1", None, local_ns)
print(local_ns)
try:
    eval("1 +")
except SyntaxError as error:
    print("SyntaxError:", error.msg)
code = compile("40 + 2", "<compiled>", "eval")
print(eval(code), type(code).__name__)


class Base:
    def greet(self):
        return f"base greets from {__class__.__name__}"

    @classmethod
    def make(cls):
        return cls.__name__


class Child(Base):
    def greet(self):
        parent = super().greet()
        return f"child ({parent})"

    @classmethod
    def make(cls):
        return "child-" + super().make()

    def in_comprehension(self):
        return [super().greet() for _ in range(1)] if False else super(Child, self).greet()


print(Child().greet(), Child.make(), Child().in_comprehension())


def no_args_super():
    try:
        super()
    except RuntimeError as error:
        return str(error)


print(no_args_super())


def documented(a, b=1, *, c=2):
    """Docstring here."""


documented.custom = "attribute"
print(documented.__name__, documented.__doc__, documented.__defaults__, documented.__kwdefaults__,
      documented.custom, documented.__dict__, documented.__code__.co_varnames, documented.__code__.co_argcount)
print(documented.__globals__ is globals(), callable(documented), type(lambda: 0).__name__ in ("function",) or True)


def current_exception():
    return sys.exc_info()[0].__name__ if sys.exc_info()[0] else None


try:
    raise IndexError
except IndexError:
    print("nested call sees", current_exception())
print("outside sees", current_exception())
print(vars()["GLOBAL"], sorted(k for k in vars() if k.startswith("GLO")))
print(dir()[:3])


# __builtins__: the module in __main__, the builtins dict where exec, eval and imports put it.
namespace = {}
exec("x = 1", namespace)
evaluated = {}
eval("1", evaluated)
print(type(namespace["__builtins__"]).__name__, namespace["__builtins__"] is _builtins_module.__dict__,
      type(evaluated["__builtins__"]).__name__, type(__builtins__).__name__,
      type(_helper_module.__dict__["__builtins__"]).__name__)
exec("def made(): pass", namespace)
print(namespace["made"].__builtins__ is _builtins_module.__dict__)

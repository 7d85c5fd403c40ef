"""Library code that looks at its caller: logging's file/line/function, warnings' stack levels,
inspect.stack(), traceback.print_stack(), sys._getframe(); in plain and hot (compiled) code."""
import inspect
import logging
import sys
import traceback
import warnings

logging.basicConfig(stream=sys.stdout,
                    format="%(filename)s:%(lineno)d %(funcName)s %(levelname)s %(message)s")
warnings.simplefilter("always")
warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: print(
    f"warning {category.__name__} {message} at {filename.rsplit('/', 1)[-1]}:{lineno}")


def deprecated_api():
    warnings.warn("deprecated_api is deprecated", DeprecationWarning, stacklevel=2)
    return "result"


def work(n):
    logging.warning("working on %d", n)
    value = deprecated_api()
    warnings.warn(f"plain warning {n}")
    here = inspect.currentframe()
    return (value, inspect.stack()[0].function, inspect.stack()[1].function, here.f_code.co_name,
            here.f_back.f_code.co_name, here.f_lineno, sys._getframe(1).f_code.co_name)


def outer():
    for i in range(3):
        print(work(i))
    traceback.print_stack(file=sys.stdout, limit=2)


class Service:
    log = logging.getLogger("service")

    def handle(self, item):
        self.log.error("bad item %r", item)
        try:
            {}[item]
        except KeyError:
            self.log.exception("lookup failed")


outer()
for attempt in range(2):
    Service().handle(attempt)
print(sys._getframe().f_code.co_name, sys._getframe(0).f_lineno)
print([frame.function for frame in inspect.stack()])

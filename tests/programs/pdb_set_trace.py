"""pdb.set_trace() in frames already running (breakpoint()'s path): the debugger stops at the next
line of the frame that called it, in a loop hot enough to be compiled, and steps out to callers."""
import io
import pdb


def debugger(commands):
    session = pdb.Pdb(stdin=io.StringIO(commands), stdout=output, nosigint=True)
    session.use_rawinput = False
    return session


def work(n, stop, commands):
    total = 0
    for i in range(n):
        total += i
        if i == stop:
            debugger(commands).set_trace()
        total -= 1
    return total


def outer(commands):
    value = work(6, 2, commands)
    doubled = value * 2
    return doubled


output = io.StringIO()
for warm in range(5):  # the VM compiles work's blocks on its second run
    work(40, -1, "")
print("first", work(8, 3, "n\nn\nn\np total, i\nc\n"))
print("second", outer("n\n" * 17 + "p value, doubled\nc\n"))
for line in output.getvalue().splitlines():
    print(line.replace(__file__, "FILE"))

"""pdb driven non-interactively over VM frames: step, next, print, return, continue."""
import io
import pdb


def square(x):
    result = x * x
    return result


def compute(n):
    total = 0
    for i in range(n): total += square(i)
    label = f"total={total}"
    return label


commands = io.StringIO("n\nn\np total\ns\nn\np result\nr\nc\n")
output = io.StringIO()
debugger = pdb.Pdb(stdin=commands, stdout=output, nosigint=True)
debugger.use_rawinput = False
value = debugger.runcall(compute, 3)
print("returned", value)
for line in output.getvalue().splitlines():
    print(line.replace(__file__, "FILE"))

# An uncaught exception: the traceback and status 1.
numbers = [3, 2, 1, 0]
for n in numbers:
    print(12 / n)

# A learner's first program: no functions, just a loop and prints.
total = 0
for n in range(1, 4):
    total += n
    print("added", n, "total", total)
print("done:", total)

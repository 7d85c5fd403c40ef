# A learner's first loop: count, sum, print.
total = 0
for n in range(1, 6):
    total = total + n
    print("n is", n, "and the total is", total)
print("done:", total)

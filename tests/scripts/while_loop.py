# A while loop with break and else, and a countdown.
count = 10
while count > 0:
    if count % 4 == 0:
        print(count, "is divisible by 4")
    count -= 3
else:
    print("the loop ended without break at", count)
n = 0
while True:
    n += 1
    if n * n > 50:
        break
print("first square over 50:", n * n)

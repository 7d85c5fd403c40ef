# A multiplication table with nested loops and continue.
for row in range(1, 5):
    line = ""
    for column in range(1, 5):
        if column == row:
            continue
        line += str(row * column).rjust(4)
    print(line)

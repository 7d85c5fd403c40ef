# Lists, aliasing, dicts and a comprehension.
grades = {"ann": 91, "bob": 78, "cy": 85}
best = None
for name, grade in sorted(grades.items()):
    if best is None or grade > grades[best]:
        best = name
print("best:", best)
squares = [i * i for i in range(6) if i % 2 == 0]
alias = squares
alias.append(100)
print(squares, alias is squares)
words = "the quick brown fox jumps over the lazy dog".split()
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(counts)

# String work: slicing, methods, f-strings, joining.
word = "bytecode"
print(word[::-1], word.upper(), len(word))
letters = []
for letter in word:
    if letter not in "aeiou":
        letters.append(letter)
print("-".join(letters))
print(f"{word!r} has {word.count('e')} e's", end="!\n")
print("%s and %d" % ("format", 42), sep="")

"""A module body, imported inside the traced call so that its module-level instructions are traced."""

from corpus_star import *
shared: int = 1
temporary = star_value + shared
del temporary
print(f"{star_value!r:>4}")

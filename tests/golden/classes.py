"""Classes: bases, keywords, methods, super() and the __class__ cell, class-level annotations."""


class Base:
    """A docstring."""

    count: int = 0

    def method(self):
        return self.count


class Child(Base, metaclass=type):
    def method(self):
        return super().method() + 1

    @classmethod
    def build(cls):
        return cls()

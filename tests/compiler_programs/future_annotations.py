from __future__ import annotations

x: list[int] = [1]
y: SomethingUndefined


def f(a: int, *b: Undefined, c: dict[str, "q"] = None, **d: 1 + 2) -> ReturnType:
    local: NotEvaluated = 1
    return local


class C:
    attr: ClassVar[int] = 3
    other: Nope

    def m(self) -> C:
        return self


print(__annotations__)
print(f.__annotations__, f(1))
print(C.__annotations__, C.m.__annotations__)

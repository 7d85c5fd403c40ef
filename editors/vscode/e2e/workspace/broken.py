def factorial(n):
    result = 1
    for i in range(2, n + 1):
        result *= i
    return result


def first():
    break


def check(x):
    return x is 1


def second():
    return [await y for y in x]

# A KeyError from a dict lookup, after a loop.
stock = {"apples": 3}
for fruit in ["apples", "pears"]:
    print(fruit, stock[fruit])

# Exceptions caught at module level, finally, and raising again.
values = ["10", "x", "0", "5"]
for text in values:
    try:
        result = 100 // int(text)
    except ValueError as error:
        print("not a number:", error)
    except ZeroDivisionError:
        print("cannot divide by", text)
    else:
        print("100 //", text, "=", result)
    finally:
        print("checked", text)

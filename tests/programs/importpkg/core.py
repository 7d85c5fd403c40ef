VERSION = (1, 2)


def greet(name):
    return f"hello {name} from {__name__}"


def where():
    import sys
    frame_module = sys.modules[__name__]
    return frame_module.__spec__.name, __file__.endswith("core.py")

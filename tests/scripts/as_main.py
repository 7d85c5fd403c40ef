# What a script sees of itself: __name__, argv, its globals, stderr.
import sys
import os
print(__name__, os.path.basename(sys.argv[0]), len(sys.argv))
print(sorted(name for name in globals() if name.startswith("__")))
print(os.path.isabs(__file__), os.path.basename(__file__))
print("to stderr", file=sys.stderr)
if __name__ == "__main__":
    print("run as a script")

# sys.exit with a status after some output.
import sys
print("about to leave")
if len(sys.argv) == 1:
    sys.exit(3)
print("never printed")

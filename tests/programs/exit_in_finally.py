"""SystemExit runs finally blocks and can be caught; exit code from a nested function."""
import sys


def leave(code):
    try:
        sys.exit(code)
    finally:
        print("finally before exit", code)


try:
    leave(5)
except SystemExit as exit:
    print("caught SystemExit", exit.code)

try:
    raise SystemExit
except SystemExit as exit:
    print("bare SystemExit code", exit.code)


def main():
    leave(7)


if __name__ == "__main__":
    main()

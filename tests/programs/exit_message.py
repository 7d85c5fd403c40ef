import sys

print("printing then exiting with a message")
sys.exit("fatal: configuration missing")

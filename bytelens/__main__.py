"""``python -m bytelens`` works like the ``bytelens`` script."""

from bytelens.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""A package whose modules run on the VM when imported by a bytelens program."""
from .core import greet, VERSION
from . import sub

__all__ = ["greet", "VERSION", "helper_value"]
helper_value = "from __init__"
print("importpkg initialised", __name__, __package__)

"""Module-level code: imports of every form, globals, annotations, del."""
import os
import os.path as osp
from collections import OrderedDict as OD, deque
from . import sibling
from .sibling import *

counter: int = 0
names = [os, osp, OD, deque, sibling]


def bump():
    global counter
    counter += 1


del names[0], names

"""What ``from corpus_star import *`` binds."""

star_value = 41

from importpkg.broken_circle_b import NAME_B

NAME_A = "a"

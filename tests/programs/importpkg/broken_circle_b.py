from importpkg.broken_circle_a import NAME_A

NAME_B = "b"

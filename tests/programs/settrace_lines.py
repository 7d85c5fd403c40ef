"""Line events (sys.settrace) against CPython 3.11's line table: the jump over an else, loop back
edges, try/except/finally ends, break, constant tests, pass and the implicit return at the end of a
body (placed on the line that leads to it) must send the line events CPython sends, no more."""
import sys

def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__ and frame.f_code.co_name.startswith("t_"):
        out.append(f"{frame.f_code.co_name}:{event}:{frame.f_lineno - frame.f_code.co_firstlineno}")
    return tracer

def t_if(c):
    if c:
        x = 1
    else:
        x = 2
    return x

def t_if_end(c):
    if c:
        x = 1
    else:
        x = 2

def t_for(n):
    total = 0
    for i in range(n):
        total += i
    return total

def t_for_end(n):
    for i in range(n):
        pass

def t_while(n):
    i = 0
    while i < n:
        i += 1
    return i

def t_while_multi(n):
    i = 0
    while (i <
           n):
        i += 1
    return i

def t_try(c):
    try:
        x = 1 / c
    except ZeroDivisionError:
        x = 0
    return x

def t_try_finally(c):
    try:
        x = 1
    finally:
        x = 2
    return x

def t_with():
    import contextlib
    with contextlib.nullcontext():
        x = 1
    return x

def t_break(n):
    for i in range(n):
        if i == 2:
            break
    return i

def t_const():
    if False:
        x = 1
    x = 2
    pass
    return x

def t_match(c):
    match c:
        case 1:
            return "one"
        case 2:
            return "two"


def t_unreachable(command):
    match command:
        case 1:
            if False:
                return 1
        case _:
            if False:
                return 0


def t_exc_in_try(c):
    try:
        if c:
            raise KeyError(c)
        x = 1
    finally:
        y = 2
    return y


out = []
sys.settrace(tracer)
t_if(1); t_if(0); t_if_end(1); t_if_end(0); t_for(3); t_for_end(2); t_while(2); t_while_multi(2)
t_try(1); t_try(0); t_try_finally(1); t_with(); t_break(5); t_const(); t_match(1); t_match(3)
t_unreachable(1); t_unreachable(0); t_exc_in_try(0)
try:
    t_exc_in_try(1)
except KeyError:
    pass
sys.settrace(None)
for line in out:
    print(line)


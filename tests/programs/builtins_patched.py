"""A program that replaces builtins while it runs (the VM's own machinery must not notice)."""
import builtins
import functools

old_len, old_iter, old_isinstance = builtins.len, builtins.iter, builtins.isinstance
calls = []
try:
    builtins.len = functools.lru_cache(4)(old_len)
    builtins.iter = lambda obj, *rest: calls.append("iter") or old_iter(obj, *rest)
    builtins.isinstance = lambda obj, kind: calls.append("isinstance") or old_isinstance(obj, kind)

    def work(items):
        total = 0
        for item in items:
            try:
                total += len(item)
            except TypeError as error:
                total += 100
        return total, [x for x in items if isinstance(x, str)]

    print(work(["ab", "cde", [1, 2], "f"]), work(("xy", "z")))
finally:
    builtins.len, builtins.iter, builtins.isinstance = old_len, old_iter, old_isinstance
print(sorted(set(calls)))

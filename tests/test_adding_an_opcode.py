"""Which files a new opcode must touch (docs/vm.md, "Adding an opcode"), made true by tests.

1. Its entry in ``vm/isa/opcodes.py`` (``OPS``, with its stack picture) and its constant at the end
   of that file (test_opcodes.py checks both).
2. Its handler in ``vm/runtime/ops/`` (``@handles``), unless it is a unary, binary or in-place
   operator: those get one from the table's ``function``.
3. The code generator that emits it (``vm/compiler/codegen/``); operators are mapped from the
   table's ``ast_name`` (``BINARY_OPS`` ...).
4. Only if it wants one, a fast form in ``vm/fast/blocks.py`` (an ``op_NAME`` template); without
   one, a compiled block runs its handler. Nothing else lists opcodes: the block compiler, the
   recording blocks and the disassembler read table fields.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from bytelens.vm.isa import opcodes

ROOT = Path(__file__).resolve().parents[1]

#: Two instructions appended to the table in a fresh interpreter: an operator and a plain one.
FAKE_ENTRIES = '''
    OpInfo("BINARY_FAKE", 48, Arg.NONE, 2, 1, "… a b → … a-b", "TOS = TOS1 - TOS (a test's).",
           operator_kind=OperatorKind.BINARY, symbol="-", function=operator.sub, ast_name="Fake",
           purity=Purity.ON_NUMBERS),
    OpInfo("FAKE_PLAIN", 49, Arg.NONE, 0, 0, "… → …", "Nothing (a test's)."),
'''

PROBE = r'''
import importlib.util, json, sys
sys.path.insert(0, __TESTS__)
import bytelens.vm.isa
spec = importlib.util.find_spec("bytelens.vm.isa.opcodes")
source = open(spec.origin, encoding="utf-8").read()
end = source.index("\n)\n\nBY_NAME")
source = source[:end] + __ENTRIES__ + source[end:] + "\nBINARY_FAKE = 48\nFAKE_PLAIN = 49\n"  # their constants
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
bytelens.vm.isa.opcodes = module
exec(compile(source, spec.origin, "exec"), module.__dict__)

import bytelens.vm.machine  # the VM assembled, as the drivers do
from bytelens.vm.isa.disassembler import format_disassembly
from bytelens.vm.runtime.decode import decode, missing_handlers
from bytelens.vm.runtime.modules import run_code
from bytelens.vm.fast.blocks import BlockWriter
from handmade import assemble

code = assemble([("LOAD_CONST", 0), ("LOAD_CONST", 1), ("BINARY_FAKE",), ("STORE_NAME", 0),
                 ("LOAD_CONST", 2), ("RETURN_VALUE",)], consts=(10, 3, None), names=("x",))
results = []
for _ in range(2):  # the second start runs the compiled block
    namespace = {"__name__": "probe"}
    run_code(code, namespace)
    results.append(namespace["x"])
print(json.dumps({
    "missing": missing_handlers(),
    "results": results,
    "compiled": hasattr(decode(code).ops[0], "vm_lines"),
    "template": hasattr(BlockWriter, "op_BINARY_FAKE"),
    "codegen_map": module.BINARY_OPS.get("Fake"),
    "listed": "BINARY_FAKE" in format_disassembly(code),
}))
'''


def test_a_new_table_entry_is_all_an_operator_needs_and_a_plain_opcode_wants_a_handler():
    script = PROBE.replace("__TESTS__", repr(str(ROOT / "tests"))).replace("__ENTRIES__", repr(FAKE_ENTRIES))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["missing"] == ["FAKE_PLAIN"]  # test_vm_core's handler test fails until it has one
    assert seen["results"] == [7, 7]  # the operator runs, slow path then compiled block
    assert seen["compiled"] and seen["template"]
    assert seen["codegen_map"] == "BINARY_FAKE"
    assert seen["listed"]


def _opcode_literals(path: Path) -> list[str]:
    """Opcode names written as string literals in ``path``, ``handles(...)`` registrations excepted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    registered = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and getattr(node.func, "id", None) == "handles" for arg in node.args}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and node.value in opcodes.BY_NAME and id(node) not in registered]


def test_no_opcode_names_outside_the_table():
    found = {}
    for path in sorted((ROOT / "vm").rglob("*.py")) + sorted((ROOT / "server").rglob("*.py")):
        if path != ROOT / "vm" / "isa" / "opcodes.py":
            literals = _opcode_literals(path)
            if literals:
                found[path.relative_to(ROOT).as_posix()] = literals
    assert found == {}


def test_the_literal_scan_finds_a_literal(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text('handles("LOAD_FAST")\nKINDS = {"LOAD_FAST", "not an opcode"}\n')
    assert _opcode_literals(sample) == ["LOAD_FAST"]


def test_the_fast_paths_import_no_private_names():
    for path in sorted((ROOT / "vm" / "fast").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bytelens"):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                assert private == [], f"{path.name} imports {private} from {node.module}"

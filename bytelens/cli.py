"""The ``bytelens`` command line: argument parsing only; each command calls one public function.

The commands are those of the README's command table; their output formats are fixed by docs/checks.md
(``check --format json``) and docs/trace-format.md (``trace --format json``). Heavy modules are imported inside the
command that needs them, so ``bytelens check`` never loads the VM and ``bytelens serve`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from bytelens import __version__


def _print_compile_error(error: BaseException) -> None:
    """Print a compile error the way ``python3`` prints a SyntaxError."""
    from bytelens.vm.compiler.diagnostics import format_compile_error

    sys.stderr.write(format_compile_error(error))


def _cmd_dis(args: argparse.Namespace) -> int:
    from bytelens.vm import CompileError, compile_source, format_disassembly

    with open(args.file, "rb") as stream:
        source = stream.read()
    try:
        code = compile_source(source, args.file)
    except CompileError as error:
        _print_compile_error(error)
        return 1
    sys.stdout.write(format_disassembly(code, line=args.line, explain=args.explain))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from bytelens.vm import check_paths

    diagnostics = check_paths(args.paths)
    if args.format == "json":
        print(json.dumps([d.to_json() for d in diagnostics], indent=1))
    else:
        for diagnostic in diagnostics:
            print(diagnostic.format_text())
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


def _cmd_run(args: argparse.Namespace) -> int:
    from bytelens.vm import run_file

    return run_file(args.file, [args.file, *args.args])


def _cmd_trace(args: argparse.Namespace) -> int:
    from bytelens.vm import CompileError, trace_call, trace_script

    try:
        if args.call is None:
            result = trace_script(args.file, max_steps=args.max_steps)
        else:
            result = trace_call(args.file, args.call, max_steps=args.max_steps)
    except CompileError as error:
        _print_compile_error(error)
        return 1
    if args.format == "json":
        print(json.dumps(result.to_json()))
    else:
        sys.stdout.write(result.format_text(explain=args.explain))
    return 0


def _cmd_compile(args: argparse.Namespace) -> int:
    from bytelens.vm import CompileError, compile_file
    from bytelens.vm.check import python_files

    status = 0
    for path in python_files(args.paths):
        try:
            compile_file(path, raise_write_errors=True)
        except CompileError as error:
            _print_compile_error(error)
            status = 1
        except OSError as error:
            print(f"bytelens compile: {error}", file=sys.stderr)
            status = 1
    return status


def _cmd_cache(args: argparse.Namespace) -> int:
    from bytelens.vm.cache import explain

    if args.file.endswith((".pyc", explain.store.SUFFIX)):
        text, readable = explain.describe_cache_file(args.file)
        sys.stdout.write(text)
        return 0 if readable else 1
    explanation = explain.explain_source(args.file)
    if args.format == "json":
        print(json.dumps(explanation.to_json(), indent=1))
    else:
        sys.stdout.write(explain.format_explanation(explanation))
    return 0 if explanation.source.exists else 1


def _cmd_serve(args: argparse.Namespace) -> int:
    from bytelens.server import start

    start(tcp=args.tcp, expose_to_network=args.unsafe_expose_to_network)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bytelens",
        description="Python source beside the bytecode of bytelens's own compiler, run on its stack VM.",
    )
    parser.add_argument("--version", action="version", version=f"bytelens {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dis = commands.add_parser("dis", help="disassemble every code object of FILE (or of one line)")
    dis.add_argument("file")
    dis.add_argument("--line", type=int, help="only the instructions of this source line")
    dis.add_argument("--explain", action="store_true",
                     help="under each source line's instructions, what each of its opcodes does")
    dis.set_defaults(run=_cmd_dis)

    check = commands.add_parser("check", help="compile only and report errors and warnings")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=_cmd_check)

    run = commands.add_parser("run", help="run FILE on the bytelens VM, like python3 FILE ARGS")
    run.add_argument("file")
    run.add_argument("args", nargs=argparse.REMAINDER)
    run.set_defaults(run=_cmd_run)

    trace = commands.add_parser("trace", help="trace FILE run as a script, or run it and trace one call, "
                                              "step by step")
    trace.add_argument("file")
    trace.add_argument("--call", help="the call to trace after the module body ran, e.g. 'fib(5)' "
                                      "(without it, the module body is traced, run as __main__)")
    trace.add_argument("--format", choices=("text", "json"), default="text")
    trace.add_argument("--max-steps", type=int, default=10_000, help="step budget (default 10000)")
    trace.add_argument("--explain", action="store_true",
                       help="text format: under each step, a sentence saying what it did with which values")
    trace.set_defaults(run=_cmd_trace)

    compile_ = commands.add_parser("compile", help="write __pycache__ cache files, like py_compile")
    compile_.add_argument("paths", nargs="+", metavar="PATH")
    compile_.set_defaults(run=_cmd_compile)

    cache = commands.add_parser("cache", help="explain FILE.py's __pycache__ files (or read a .pyc/.blc)")
    cache.add_argument("file")
    cache.add_argument("--format", choices=("text", "json"), default="text")
    cache.set_defaults(run=_cmd_cache)

    serve = commands.add_parser("serve", help="the language server (stdio unless --tcp)")
    serve.add_argument("--tcp", metavar="HOST:PORT",
                       help="listen on a loopback TCP socket instead of stdio (clients need the token "
                            "the server writes at start-up)")
    serve.add_argument("--unsafe-expose-to-network", action="store_true",
                       help="allow --tcp on a non-loopback address: whoever reaches it and has the "
                            "token can run code as you")
    serve.set_defaults(run=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except FileNotFoundError as error:
        print(f"bytelens {args.command}: can't open file {error.filename!r}: {error.strerror}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1

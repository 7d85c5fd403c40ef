"""The compile scheduler: debounced, one compile at a time per document, results in version order.

The compile function is replaced by one that records what it was asked and can be held up, so
that the ordering cases are reproducible; the real compiler is exercised end to end elsewhere.
"""

import asyncio
import gc
import threading

from bytelens.server.collector import CollectorPause
from bytelens.server.compiling import Compilation, CompileScheduler, compile_text
from bytelens.server.documents import DocumentStore
from bytelens.vm.compiler.diagnostics import Diagnostic
from lsprotocol import types

URI = "file:///doc.py"


class RecordingCompiler:
    """Records its calls; ``gate`` holds a compile up before its checks end, ``generating`` after
    its diagnostics were handed on (during code generation)."""

    def __init__(self):
        self.calls = []
        self.gate = threading.Event()
        self.gate.set()
        self.generating = threading.Event()
        self.generating.set()

    def __call__(self, text, filename, version, on_diagnostics=None):
        self.calls.append((text, version))
        self.gate.wait(5)
        diagnostics = (warning(version),)
        if on_diagnostics is not None:
            on_diagnostics(diagnostics)
        self.generating.wait(5)
        return Compilation(version, [text], code=None, diagnostics=diagnostics)


def warning(version):
    return Diagnostic("doc.py", version, 1, version, 2, "warning", f"version {version}", "SyntaxWarning")


def make(delay=0.01, early=None):
    documents = DocumentStore()
    published = []
    compiler = RecordingCompiler()
    on_diagnostics = None if early is None else (lambda d, version, found: early.append((version, found)))
    scheduler = CompileScheduler(documents, lambda uri: uri, lambda d, c: published.append((c.version, c.text)),
                                 on_diagnostics=on_diagnostics, compile_function=compiler, delay=delay)
    return documents, scheduler, compiler, published


def edit(documents, version, text):
    documents.change(URI, version, [types.TextDocumentContentChangeWholeDocument(text=text)], "utf-16")


async def test_a_burst_of_changes_compiles_once_with_the_newest_text():
    documents, scheduler, compiler, published = make(delay=0.05)
    documents.open(URI, "v1", 1)
    for version in range(2, 7):
        edit(documents, version, f"v{version}")
        scheduler.schedule(URI)
    await scheduler.wait(URI)
    assert compiler.calls == [("v6", 6)]
    assert published == [(6, "v6")]
    assert documents.get(URI).compilation.version == 6


async def test_a_change_after_a_quiet_spell_does_not_wait_for_the_debounce():
    documents, scheduler, compiler, published = make(delay=60)
    documents.open(URI, "v1", 1)
    edit(documents, 2, "v2")
    scheduler.schedule(URI)
    await asyncio.wait_for(scheduler.wait(URI), 10)
    assert published == [(2, "v2")]
    # The next change comes within the delay: it is part of a burst and waits (cancelled here).
    edit(documents, 3, "v3")
    task = scheduler.schedule(URI)
    await asyncio.sleep(0.05)
    assert not task.done() and compiler.calls == [("v2", 2)]
    scheduler.close(URI)


async def test_a_change_during_a_compile_waits_for_it_and_the_old_result_is_not_published():
    documents, scheduler, compiler, published = make()
    documents.open(URI, "old", 1)
    compiler.gate.clear()
    scheduler.schedule(URI, debounce=False)
    while not compiler.calls:
        await asyncio.sleep(0.005)
    edit(documents, 2, "new")
    scheduler.schedule(URI)
    await asyncio.sleep(0.05)
    assert compiler.calls == [("old", 1)]  # never two compiles of one document at once
    compiler.gate.set()
    await scheduler.wait(URI)
    assert compiler.calls == [("old", 1), ("new", 2)]
    assert published == [(2, "new")]
    # The old result was still recorded, but the newest compilation is version 2's.
    assert documents.get(URI).compilation.version == 2


async def test_nothing_is_published_for_a_closed_document():
    documents, scheduler, compiler, published = make()
    documents.open(URI, "text", 1)
    compiler.gate.clear()
    task = scheduler.schedule(URI, debounce=False)
    while not compiler.calls:
        await asyncio.sleep(0.005)
    scheduler.cancel(URI)
    documents.close(URI)
    compiler.gate.set()
    await asyncio.sleep(0.05)
    assert task.cancelled()
    assert published == []


async def test_a_document_reopened_meanwhile_does_not_get_the_old_result():
    documents, scheduler, compiler, published = make()
    documents.open(URI, "first", 5)
    compiler.gate.clear()
    scheduler.schedule(URI, debounce=False)
    while not compiler.calls:
        await asyncio.sleep(0.005)
    scheduler.cancel(URI)
    documents.close(URI)
    reopened = documents.open(URI, "second", 1)
    scheduler.schedule(URI, debounce=False)
    compiler.gate.set()
    await scheduler.wait(URI)
    assert published == [(1, "second")]
    assert reopened.compilation.version == 1 and reopened.compilation.text == "second"


async def test_documents_compile_independently():
    documents, scheduler, compiler, published = make()
    documents.open(URI, "a", 1)
    documents.open("file:///other.py", "b", 1)
    scheduler.schedule(URI)
    scheduler.schedule("file:///other.py")
    await scheduler.wait(URI)
    await scheduler.wait("file:///other.py")
    assert sorted(published) == [(1, "a"), (1, "b")]


async def test_diagnostics_are_handed_on_before_the_code_is_generated():
    early = []
    documents, scheduler, compiler, published = make(early=early)
    document = documents.open(URI, "text", 1)
    compiler.generating.clear()
    task = scheduler.schedule(URI, debounce=False)
    while not early:
        await asyncio.sleep(0.005)
    assert early == [(1, (warning(1),))]
    # The compilation is not there yet: hovers keep using what they had.
    assert published == [] and document.compilation is None and document.last_good is None
    compiler.generating.set()
    await task
    assert published == [(1, "text")] and document.compilation.version == 1


async def test_early_diagnostics_of_a_superseded_version_are_dropped():
    early = []
    documents, scheduler, compiler, published = make(early=early)
    documents.open(URI, "old", 1)
    compiler.gate.clear()
    scheduler.schedule(URI, debounce=False)
    while not compiler.calls:
        await asyncio.sleep(0.005)
    edit(documents, 2, "new")  # typed while version 1 was being checked
    scheduler.schedule(URI)
    compiler.gate.set()
    await scheduler.wait(URI)
    assert compiler.calls == [("old", 1), ("new", 2)]
    assert early == [(2, (warning(2),))]
    assert published == [(2, "new")]


def test_compile_text_hands_over_what_the_compilation_then_reports():
    early = []
    compilation = compile_text("def f(x):\n    return x is 1\n", "doc.py", 3, early.append)
    assert compilation.ok
    assert early == [compilation.diagnostics] and compilation.diagnostics[0].kind == "SyntaxWarning"
    broken = []
    assert not compile_text("x = (\n", "doc.py", 4, broken.append).ok
    assert broken == []


def test_collector_pauses_overlap_and_restore_the_collector():
    assert gc.isenabled()
    first = CollectorPause()
    second = CollectorPause()
    assert not gc.isenabled()
    first.end()
    first.end()  # ending twice counts once
    assert not gc.isenabled()
    second.end()
    assert gc.isenabled()
    gc.disable()
    try:
        pause = CollectorPause()
        pause.end()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_compile_text_collects_again_from_code_generation_on():
    seen = []
    compile_text("x = 1\n", "doc.py", 1, lambda found: seen.append(gc.isenabled()))
    assert seen == [True] and gc.isenabled()
    assert not compile_text("x = (\n", "doc.py", 2).ok
    assert gc.isenabled()


async def test_an_edit_inside_a_function_is_previewed_before_it_compiles():
    """With previews on, the diagnostics of an edit inside one function go out before the compile
    of the new text has even started; the compile then reports the same ones."""
    early = []
    documents = DocumentStore()
    published = []
    compiler = RecordingCompiler()
    scheduler = CompileScheduler(documents, lambda uri: "doc.py",
                                 lambda d, c: published.append((c.version, c.diagnostics)),
                                 on_diagnostics=lambda d, version, found: early.append((version, found)),
                                 delay=0.01, preview=True,
                                 compile_function=lambda *args: compile_text(*args) if compiler(*args[:3]) else None)
    source = "def f(x):\n    return x\n\n\ndef g():\n    pass\n"
    documents.open(URI, source, 1)
    await scheduler.schedule(URI, debounce=False)
    assert documents.get(URI).compilation.ok and early[-1] == (1, ())
    compiler.gate.clear()  # hold the compile of version 2 up: only the preview can answer now
    edit(documents, 2, source.replace("    return x\n", "    return x is 1\n"))
    task = scheduler.schedule(URI, debounce=False)
    while len(early) < 2:
        await asyncio.sleep(0.005)
    (version, found), = early[1:]
    assert version == 2 and [(d.line, d.message) for d in found] == [(2, '"is" with a literal. Did you mean "=="?')]
    assert published[-1][0] == 1  # version 2's compile cannot finish: it waits at the gate
    compiler.gate.set()
    await task
    assert published[-1] == (2, found)


async def test_edits_compile_incrementally_from_the_last_good_compilation():
    """After an edit that breaks the buffer, the next edit compiles incrementally from the last
    compilation that compiled (its diff covers both edits), and equals a whole compile."""
    documents = DocumentStore()
    bases = []

    def compiling(*args):
        bases.append(args[4].version if len(args) > 4 else None)
        return compile_text(*args)
    scheduler = CompileScheduler(documents, lambda uri: "doc.py", lambda d, c: None,
                                 on_diagnostics=lambda d, version, found: None, delay=0.01, preview=True,
                                 compile_function=compiling)
    source = "def f(x):\n    return x\n\n\nvalue = 1\n"
    documents.open(URI, source, 1)
    await scheduler.schedule(URI, debounce=False)
    first = documents.get(URI).compilation
    edit(documents, 2, source.replace("value = 1", "value = ("))
    await scheduler.schedule(URI, debounce=False)
    assert not documents.get(URI).compilation.ok
    fixed = source.replace("value = 1", "value = (2 is 2)")
    edit(documents, 3, fixed)
    await scheduler.schedule(URI, debounce=False)
    assert bases == [None, 1, 1]
    compilation = documents.get(URI).compilation
    whole = compile_text(fixed, "doc.py", 3)
    assert compilation.ok and compilation.diagnostics == whole.diagnostics
    assert compilation.parts is not None
    assert compilation.code.consts[0] is first.code.consts[0]  # f's code, reused: not recompiled

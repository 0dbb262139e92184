"""Runs the code blocks of README.md and docs/*.md, so the documentation cannot drift
from the API.

- Every fenced ``python`` block runs in a fresh interpreter against a freshly started
  ``zdkit-emulator`` (with tests/docs/emulator.toml, reset before each block), with the variables of CONTRIBUTING.md
  ("Code blocks in the documentation") set.
- Every fenced ``c`` and ``cpp`` block is compiled with ``-Wall -Wextra -Wpedantic
  -Werror``. A block with a ``main`` function is linked against the built libzdkit and
  run against the emulator; a block without one is a fragment: its function
  definitions (lines from column 0 to the closing ``}`` at column 0) stay at file
  scope and its other lines form the body of a function that has the parameters
  ``config``, ``client`` and ``response`` (C), compiled (unused-variable warnings
  aside) but not run.
- An HTML comment on the line right above a fence changes that block:
  ``<!-- snippet: skip (reason) -->`` compiles it but does not run it (reason
  required: say what it needs, e.g. a real Zendesk account), and
  ``<!-- snippet: prelude`` followed by code lines and ``-->`` puts that code before
  the block (hidden when the Markdown is rendered, as rustdoc hides ``#`` lines).

The ``c`` examples in the doc comments of include/zdkit.h (the reference's per-function
examples) are fragments too.

Usage: check_snippets.py --emulator BIN --include DIR --lib-dir DIR --build-dir DIR
       [--python PY] [FILE ...]   (default: README.md, docs/*.md and include/zdkit.h)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 60
COMPILE_TIMEOUT_S = 120
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]
# A fragment shows a step, not a whole program: values it computes may go unused.
FRAGMENT_RELAXED = ["-Wno-unused-variable", "-Wno-unused-but-set-variable", "-Wno-unused-parameter"]
LANGUAGES = {"python", "c", "cpp"}
# A C fragment may use these three handles, as the examples of the reference do.
FRAGMENT_SIGNATURE = "void zdkit_snippet(zdk_config *config, zdk_client *client, zdk_response *response)"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(?P<body>.*)$")
SKIP = re.compile(r"skip\s*\((?P<reason>[^)]+)\)")
C_PRELUDE = "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"zdkit.h\"\n"
CPP_PRELUDE = "#include <cstdint>\n#include <cstdio>\n#include <string>\n#include \"zdkit.hpp\"\n"


@dataclasses.dataclass
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    prelude: str = ""
    skip_reason: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path}:{self.line}"


class SnippetError(Exception):
    pass


def read_marker(lines: list[str], fence_index: int, where: str) -> tuple[str | None, str]:
    """The skip reason and prelude of the HTML comment ending right above a fence."""
    end = fence_index - 1
    if end < 0 or not lines[end].rstrip().endswith("-->"):
        return None, ""
    start = end
    while start >= 0 and "<!--" not in lines[start]:
        start -= 1
    match = MARKER.match(lines[start]) if start >= 0 else None
    if match is None:
        return None, ""
    first = match.group("body")
    body_lines = [first] + [line.rstrip("\n") for line in lines[start + 1 : end + 1]]
    body_lines[-1] = body_lines[-1].rstrip()[: -len("-->")]
    words = body_lines[0].strip()
    skip = SKIP.search(words)
    rest = SKIP.sub("", words).strip()
    prelude = ""
    if rest == "prelude":
        prelude = "\n".join(body_lines[1:]).strip("\n") + "\n"
    elif rest:
        raise SnippetError(f"{where}: unknown snippet directive {rest!r} (use skip (reason) or prelude)")
    return (skip.group("reason").strip() if skip else None), prelude


def comment_text(line: str) -> str:
    """A line of a C header's doc comment without its " * " prefix ("" for code)."""
    match = re.match(r"^\s*\*(?!/) ?(.*)$", line)
    return match.group(1) if match else ""


def extract(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if path.suffix in (".h", ".hpp"):  # the examples in the reference's doc comments
        lines = [comment_text(line) for line in lines]
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence, lang = match.group("indent"), match.group("fence"), match.group("lang").lower()
        body: list[str] = []
        close = index + 1
        while close < len(lines):
            if lines[close].strip().startswith(fence) and lines[close].strip().strip(fence[0]) == "":
                break
            body.append(lines[close][len(indent) :] if lines[close].startswith(indent) else lines[close].lstrip())
            close += 1
        else:
            raise SnippetError(f"{path}:{index + 1}: fenced block is never closed")
        if lang in LANGUAGES:
            where = f"{path}:{index + 1}"
            skip, prelude = read_marker(lines, index, where)
            blocks.append(Block(path, index + 1, lang, "\n".join(body) + "\n", prelude, skip))
        index = close + 1
    return blocks


class Emulator:
    """A zdkit-emulator on 127.0.0.1, port 0; stopped by its PID."""

    def __init__(self, binary: Path, config: Path) -> None:
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=20)
        except queue.Empty:
            self.stop()
            raise SnippetError("zdkit-emulator printed no first line within 20 s") from None
        self.url: str = json.loads(first)["url"]

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/__emulator/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def snippet_env(emulator_url: str) -> dict[str, str]:
    """The documented variables: the emulator, its admin API token, nothing inherited
    that could point a snippet at a real account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENDESK_")}
    env.update(
        ZENDESK_URL=emulator_url,
        ZENDESK_EMAIL="agent@example.com",
        ZENDESK_API_TOKEN="emulator-api-token",
        ZDKIT_EMULATOR_URL=emulator_url,
    )
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env.pop(proxy, None)
    return env


def run(command: list[str], timeout: int, what: str, block: Block, **kwargs: object) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload]
    except subprocess.TimeoutExpired:
        raise SnippetError(f"{block.where}: {what} took more than {timeout} s") from None
    if done.returncode != 0:
        raise SnippetError(
            f"{block.where}: {what} failed (exit {done.returncode})\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )


def check_python(block: Block, python: str, work: Path, emulator: Emulator | None) -> None:
    source = block.prelude + block.code
    script = work / "snippet.py"
    script.write_text(source, encoding="utf-8")
    try:
        compile(source, block.where, "exec")
    except SyntaxError as error:
        raise SnippetError(f"{block.where}: not valid Python: {error}") from None
    if emulator is None:
        return
    emulator.reset()
    run([python, str(script)], RUN_TIMEOUT_S, "running the Python block", block, cwd=work, env=snippet_env(emulator.url))


def split_fragment(code: str) -> tuple[str, str]:
    """File-scope definitions (from a column-0 line ending in '{' to the next column-0
    '}') and the remaining lines, which become a function body."""
    file_scope: list[str] = []
    body: list[str] = []
    inside = False
    for line in code.split("\n"):
        if not inside and re.match(r"^[A-Za-z_].*\)\s*(const\s*)?\{\s*$", line) and not re.match(
            r"^(if|for|while|switch|do|else)\b", line
        ):
            inside = True
        (file_scope if inside else body).append(line)
        if inside and line.startswith("}"):
            inside = False
    return "\n".join(file_scope) + "\n", "\n".join("    " + line for line in body) + "\n"


def check_native(block: Block, args: argparse.Namespace, work: Path, emulator: Emulator | None) -> None:
    cpp = block.lang == "cpp"
    has_main = re.search(r"\bint\s+main\s*\(", block.code) is not None
    if has_main:
        source = block.prelude + block.code
        flags = WARNINGS
    else:
        definitions, body = split_fragment(block.code)
        prelude = CPP_PRELUDE if cpp else C_PRELUDE
        signature = "void zdkit_snippet()" if cpp else FRAGMENT_SIGNATURE
        # The body gets a block of its own, so it may declare the parameters' names again.
        source = f"{prelude}{block.prelude}{definitions}\n{signature};\n{signature} {{\n  {{\n{body}  }}\n}}\n"
        flags = WARNINGS + FRAGMENT_RELAXED
    name = f"snippet_{block.path.stem}_{block.line}"
    src = work / (name + (".cpp" if cpp else ".c"))
    src.write_text(source, encoding="utf-8")
    compiler = args.cxx if cpp else args.cc
    standard = "-std=c++17" if cpp else "-std=c11"
    if has_main:
        binary = work / name
        command = [compiler, standard, *flags, f"-I{args.include}", str(src), f"-L{args.lib_dir}", "-lzdkit",
                   f"-Wl,-rpath,{args.lib_dir}", "-o", str(binary)]
    else:
        command = [compiler, standard, *flags, f"-I{args.include}", "-c", str(src), "-o", str(work / (name + ".o"))]
    run(command, COMPILE_TIMEOUT_S, f"compiling the {block.lang} block ({src})", block)
    if has_main and emulator is not None:
        emulator.reset()
        run([str(work / name)], RUN_TIMEOUT_S, f"running the {block.lang} program", block, cwd=work,
            env=snippet_env(emulator.url))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emulator", type=Path, required=True)
    parser.add_argument("--emulator-config", type=Path, default=ROOT / "tests" / "docs" / "emulator.toml")
    parser.add_argument("--include", type=Path, default=ROOT / "include")
    parser.add_argument("--lib-dir", type=Path, required=True)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"))
    parser.add_argument("--cxx", default=os.environ.get("CXX", "c++"))
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "include" / "zdkit.h"]
    args.lib_dir = args.lib_dir.resolve()
    args.include = args.include.resolve()

    try:
        blocks = [block for path in files for block in extract(path.resolve())]
    except SnippetError as error:
        print(f"FAILED {error}", file=sys.stderr)
        return 1
    shutil.rmtree(args.build_dir, ignore_errors=True)
    args.build_dir = args.build_dir.resolve()
    args.build_dir.mkdir(parents=True)
    emulator = Emulator(args.emulator, args.emulator_config)
    failures: list[str] = []
    counts = {"python run": 0, "C/C++ programs run": 0, "C/C++ fragments compiled": 0}
    skipped: list[Block] = []
    try:
        for number, block in enumerate(blocks):
            work = Path(tempfile.mkdtemp(prefix=f"{number:03d}-", dir=args.build_dir))
            target = None if block.skip_reason else emulator
            try:
                if block.lang == "python":
                    check_python(block, args.python, work, target)
                else:
                    check_native(block, args, work, target)
            except SnippetError as error:
                failures.append(str(error))
                continue
            if block.skip_reason:
                skipped.append(block)
            elif block.lang == "python":
                counts["python run"] += 1
            elif re.search(r"\bint\s+main\s*\(", block.code):
                counts["C/C++ programs run"] += 1
            else:
                counts["C/C++ fragments compiled"] += 1
    finally:
        emulator.stop()

    for failure in failures:
        print(f"FAILED {failure}\n", file=sys.stderr)
    for block in skipped:
        print(f"skipped (compiled, not run) {block.where} [{block.lang}]: {block.skip_reason}")
    summary = ", ".join(f"{count} {what}" for what, count in counts.items())
    print(f"snippets: {len(blocks)} blocks in {len(files)} files: {summary}, {len(skipped)} skipped"
          f"{f', {len(failures)} FAILED' if failures else ''}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

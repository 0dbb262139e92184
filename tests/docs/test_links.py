"""Every document the repository points to is in the repository.

- A relative Markdown link in a Markdown file resolves to a file of the repository, and
  its `#anchor`, if any, to a heading of that file.
- A `docs/<name>.md` named anywhere in the sources (code comments, tests, docs) exists.
- No file cites a document kept outside the repository.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
DOC_MENTION = re.compile(r"\bdocs/[A-Za-z0-9_-]+\.md\b")
OUTSIDE = re.compile(r"ZENDESK\.md|\.\./shared/|/work/shared")


def tracked_files() -> list[Path]:
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, check=True)
    return [ROOT / name for name in listing.stdout.splitlines() if (ROOT / name).is_file()]


def text_of(path: Path) -> str | None:
    if path.suffix in {".yaml", ".whl", ".png", ".so", ".a"} or "tests/data" in str(path):
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def without_code(markdown: str) -> str:
    """The Markdown without fenced code blocks and inline code."""
    kept, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(kept)


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for line in without_code(markdown).split("\n"):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            found.add(slug)
    return found


def test_relative_markdown_links_resolve() -> None:
    broken = []
    for path in tracked_files():
        if path.suffix != ".md" or "tests/data" in str(path):
            continue
        markdown = path.read_text(encoding="utf-8")
        for target in LINK.findall(without_code(markdown)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_docs_page_named_in_the_sources_exists() -> None:
    missing = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for mention in sorted(set(DOC_MENTION.findall(text))):
            if not (ROOT / mention).exists():
                missing.append(f"{path.relative_to(ROOT)} names {mention}")
    assert not missing, "\n".join(missing)


def test_no_file_cites_a_document_outside_the_repository() -> None:
    here = Path(__file__).resolve()
    citing = [str(path.relative_to(ROOT)) for path in tracked_files()
              if path != here and (text := text_of(path)) is not None and OUTSIDE.search(text)]
    assert not citing, citing

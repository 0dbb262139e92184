"""Adds the emulator's sources to the sdist that `maturin sdist` wrote (`make sdist`).

maturin packs the extension crate and its path dependencies only; the emulator is not a
dependency of the extension, so this adds `emulator/` (Cargo.toml, README.md, src/) and
lists it among the sdist's workspace members. The extension's build script
(bindings/python/build.rs) then builds `zdkit-emulator` during `pip install` of the sdist.

Usage: python sdist_add_emulator.py SDIST.tar.gz REPOSITORY_ROOT
"""

from __future__ import annotations

import io
import pathlib
import re
import sys
import tarfile


def emulator_files(root: pathlib.Path) -> list[pathlib.Path]:
    emulator = root / "emulator"
    files = [emulator / "Cargo.toml", emulator / "README.md"]
    files += sorted(p for p in (emulator / "src").rglob("*") if p.is_file())
    return files


def with_emulator_member(manifest: str) -> str:
    match = re.search(r"(?m)^members\s*=\s*\[([^\]]*)\]", manifest)
    if match is None:
        raise SystemExit("sdist_add_emulator: no [workspace] members line in the sdist's Cargo.toml")
    if '"emulator"' in match.group(1):
        return manifest
    members = match.group(1).rstrip().rstrip(",")
    return manifest[: match.start(1)] + members + ', "emulator"' + manifest[match.end(1):]


def main(sdist: pathlib.Path, root: pathlib.Path) -> None:
    with tarfile.open(sdist, "r:gz") as source:
        members = [(info, source.extractfile(info).read() if info.isfile() else None)  # type: ignore[union-attr]
                   for info in source.getmembers()]
    top = members[0][0].name.split("/", 1)[0]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as target:
        for info, data in members:
            if info.name == f"{top}/Cargo.toml" and data is not None:
                data = with_emulator_member(data.decode("utf-8")).encode("utf-8")
                info.size = len(data)
            if info.name.startswith(f"{top}/emulator/"):
                continue
            target.addfile(info, io.BytesIO(data) if data is not None else None)
        for path in emulator_files(root):
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{top}/{path.relative_to(root).as_posix()}")
            info.size, info.mode, info.mtime = len(data), 0o644, members[0][0].mtime
            target.addfile(info, io.BytesIO(data))
    sdist.write_bytes(out.getvalue())
    print(f"sdist_add_emulator: added emulator/ to {sdist.name}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve())

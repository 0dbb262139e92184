"""Fails when a public item of the installed ``zdkit`` package has no docstring.

pdoc renders whatever docstrings exist and never complains, so ``make docs`` runs this
first: every public module, class, function, method and property needs one.
Usage: python tests/docs/check_python_docstrings.py
"""

from __future__ import annotations

import inspect
import sys
import types

import zdkit
import zdkit.cli

# Members every class inherits from object/Exception: documented by Python itself.
INHERITED_OK = {"args", "with_traceback", "add_note"}


def public(name: str) -> bool:
    return not name.startswith("_")


def missing_in_class(owner: str, cls: type) -> list[str]:
    missing = []
    for name, member in vars(cls).items():
        if not public(name) or name in INHERITED_OK:
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if callable(member) or isinstance(member, property) or inspect.isdatadescriptor(member):
            if not (inspect.getdoc(member) or "").strip():
                missing.append(f"{owner}.{name}")
    return missing


def missing_in_module(module: types.ModuleType) -> list[str]:
    missing = [] if (module.__doc__ or "").strip() else [module.__name__]
    names = getattr(module, "__all__", None) or [n for n in vars(module) if public(n)]
    for name in names:
        member = getattr(module, name)
        if isinstance(member, types.ModuleType) or not (
            inspect.isclass(member) or inspect.isroutine(member)
        ):
            continue
        if getattr(member, "__module__", "").split(".")[0] != "zdkit":
            continue
        qualified = f"{module.__name__}.{name}"
        if not (member.__doc__ or "").strip():
            missing.append(qualified)
        if inspect.isclass(member):
            missing += missing_in_class(qualified, member)
    return missing


def main() -> int:
    modules = [zdkit, zdkit.oauth, zdkit.errors, zdkit.cli]
    missing = sorted({item for module in modules for item in missing_in_module(module)})
    for item in missing:
        print(f"no docstring: {item}", file=sys.stderr)
    if missing:
        print(f"{len(missing)} public Python item(s) without a docstring", file=sys.stderr)
        return 1
    print("python docstrings: every public item of zdkit is documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())

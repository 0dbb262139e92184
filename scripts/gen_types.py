#!/usr/bin/env python3
"""Writes ``bindings/python/python/zdkit/types.py``: ``TypedDict`` shapes of Zendesk's
objects, generated from Zendesk's OpenAPI description of the Support API
(``tests/data/zendesk-oas/support-oas.yaml``).

    python3 scripts/gen_types.py           # rewrite the module
    python3 scripts/gen_types.py --check   # exit 1 when the committed module differs

Every schema named ``…Object`` becomes a TypedDict without that suffix
(``TicketObject`` → ``Ticket``), plus every schema they refer to; an object nested
inline becomes its own TypedDict named after its parent and key (``TicketVia``). Every
key is optional (``total=False``): Zendesk leaves keys out depending on the endpoint,
side-loads and the account's features. A few shapes Zendesk documents outside this
file (uploads, Help Center articles) are described in ``EXTRA`` below.

Needs PyYAML (the Makefile's virtualenv has it). The file has one quirk: a bare ``=``
in an example, which strict loaders read as the ``tag:yaml.org,2002:value`` tag and
refuse; the loader here reads that tag as a plain string.
"""

from __future__ import annotations

import argparse
import keyword
import pathlib
import re
import sys
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "data" / "zendesk-oas" / "support-oas.yaml"
OUTPUT = ROOT / "bindings" / "python" / "python" / "zdkit" / "types.py"

Schema = Dict[str, Any]

# Shapes Zendesk documents outside the Support API's OpenAPI file, in the same form as
# its schemas: the answer of POST /api/v2/uploads and a Help Center article.
EXTRA: Dict[str, Schema] = {
    "UploadObject": {
        "type": "object",
        "description": "An upload (`POST /api/v2/uploads`): its token goes in a comment's `uploads`.",
        "properties": {
            "token": {"type": "string"},
            "expires_at": {"type": "string"},
            "attachment": {"$ref": "#/components/schemas/AttachmentObject"},
            "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/AttachmentObject"}},
        },
    },
    "ArticleObject": {
        "type": "object",
        "description": "A Help Center article (`/api/v2/help_center/articles`).",
        "properties": {
            **{name: {"type": "integer"} for name in (
                "id", "author_id", "section_id", "position", "vote_sum", "vote_count",
                "permission_group_id")},
            "user_segment_id": {"type": "integer", "nullable": True},
            **{name: {"type": "string"} for name in (
                "url", "html_url", "title", "body", "locale", "source_locale", "created_at",
                "updated_at", "edited_at")},
            **{name: {"type": "boolean"} for name in ("comments_disabled", "draft", "promoted", "outdated")},
            "outdated_locales": {"type": "array", "items": {"type": "string"}},
            "label_names": {"type": "array", "items": {"type": "string"}},
            "content_tag_ids": {"type": "array", "items": {"type": "string"}},
        },
    },
}


class _Loader(yaml.SafeLoader):
    """A safe loader that reads the ``=`` quirk of Zendesk's file as a plain string."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
try:  # libyaml's parser when PyYAML has it: about ten times faster on this 1.6 MB file

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        pass

    _FastLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
    LOADER: Any = _FastLoader
except AttributeError:
    LOADER = _Loader


def load(path: pathlib.Path) -> Dict[str, Schema]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=LOADER)
    schemas: Dict[str, Schema] = dict(document["components"]["schemas"])
    schemas.update(EXTRA)
    return schemas


def camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", text) if part)


def type_name(schema_name: str) -> str:
    name = schema_name[: -len("Object")] if schema_name.endswith("Object") and schema_name != "Object" else schema_name
    return camel(name)


def first_line(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    line = text.strip().split("\n", 1)[0].strip()
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # [text](link) -> text
    return line.replace('"""', "'''")


class Generator:
    def __init__(self, schemas: Dict[str, Schema]) -> None:
        self.schemas = schemas
        self.done: Set[str] = set()
        self.classes: List[Tuple[str, str]] = []  # (name, source), in dependency order
        self.pending: Set[str] = set()

    def ref_name(self, ref: str) -> Optional[str]:
        name = ref.rsplit("/", 1)[-1]
        return name if name in self.schemas else None

    def annotation(self, schema: Any, owner: str, key: str) -> str:
        """The Python type of a property of `owner`."""
        if not isinstance(schema, dict):
            return "Any"
        text = self._annotation(schema, owner, key)
        if schema.get("nullable") and text != "Any" and not text.startswith("Optional["):
            text = f"Optional[{text}]"
        return text

    def _annotation(self, schema: Schema, owner: str, key: str) -> str:
        if "$ref" in schema:
            name = self.ref_name(schema["$ref"])
            if name is None:
                return "Any"
            target = self.schemas[name]
            if self.is_object(target):
                self.emit(name)
                return type_name(name)
            return self.annotation(target, owner, key)
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                options = sorted({self.annotation(s, owner, key) for s in schema[combinator]})
                if "Any" in options or not options:
                    return "Any"
                return options[0] if len(options) == 1 else f"Union[{', '.join(options)}]"
        if "allOf" in schema:
            if self.is_object(schema):
                return self.nested(schema, owner, key)
            parts = [self.annotation(s, owner, key) for s in schema["allOf"]]
            return parts[0] if len(parts) == 1 else "Any"
        kind = schema.get("type")
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return f"List[{self.annotation(schema.get('items'), owner, key)}]"
        if self.is_object(schema):
            return self.nested(schema, owner, key)
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return f"Dict[str, {self.annotation(schema['additionalProperties'], owner, key)}]"
        if kind == "object":
            return "Dict[str, Any]"
        return "Any"

    def is_object(self, schema: Any) -> bool:
        """An object with named properties: directly, through allOf, or as a choice
        (anyOf/oneOf) between such objects (read as one shape with the keys of all)."""
        if not isinstance(schema, dict):
            return False
        if schema.get("properties"):
            return True
        if any(self.is_object(self.resolve(part)) for part in schema.get("allOf", [])):
            return True
        choices = schema.get("anyOf") or schema.get("oneOf") or []
        return bool(choices) and all(self.is_object(self.resolve(part)) for part in choices)

    def resolve(self, schema: Any) -> Any:
        if isinstance(schema, dict) and "$ref" in schema:
            name = self.ref_name(schema["$ref"])
            return self.schemas.get(name) if name else None
        return schema

    def properties(self, schema: Schema) -> Dict[str, Any]:
        merged: Dict[str, Any] = {}
        choices = schema.get("anyOf") or schema.get("oneOf") or []
        parts = list(schema.get("allOf", []))
        if choices and all(self.is_object(self.resolve(part)) for part in choices):
            parts += choices
        for part in parts:
            resolved = self.resolve(part)
            if isinstance(resolved, dict):
                merged.update(self.properties(resolved))
        merged.update(schema.get("properties") or {})
        return merged

    def nested(self, schema: Schema, owner: str, key: str) -> str:
        name = owner + camel(key)
        self.build(name, schema, f"The `{key}` of a {owner}.")
        return name

    def emit(self, schema_name: str) -> None:
        if schema_name in self.done:
            return
        self.done.add(schema_name)
        schema = self.schemas[schema_name]
        origin = "" if schema_name in EXTRA else f" (`{schema_name}` in Zendesk's OpenAPI description)"
        summary = first_line(schema.get("description")).rstrip(".") or f"A {type_name(schema_name)}"
        self.build(type_name(schema_name), schema, summary + origin + ".")

    def build(self, name: str, schema: Schema, doc: str) -> None:
        lines = [f"class {name}(TypedDict, total=False):", f'    """{doc}"""', ""]
        skipped = []
        for key, value in sorted(self.properties(schema).items()):
            if not key.isidentifier() or keyword.iskeyword(key):
                skipped.append(key)
                continue
            lines.append(f"    {key}: {self.annotation(value, name, key)}")
        if skipped:
            lines.append(f"    # Not expressible as class-syntax keys (read them as plain dict keys): {', '.join(skipped)}")
        if lines[-1] == "":
            lines.append("    pass")
        self.classes.append((name, "\n".join(lines)))

    def module(self) -> str:
        for schema_name in sorted(self.schemas):
            if schema_name.endswith("Object") and self.is_object(self.schemas[schema_name]):
                self.emit(schema_name)
        names = sorted(name for name, _ in self.classes)
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise SystemExit(f"gen_types: two shapes are named {sorted(duplicates)}")
        header = f'''"""Typed shapes of Zendesk's objects, for editors and mypy: ``TypedDict`` classes
generated from Zendesk's OpenAPI description of the Support API.

Results stay plain dicts (no cost at run time); annotate them::

    from zdkit.types import Ticket
    ticket: Ticket = client.get(f"/api/v2/tickets/{{ticket_id}}")["ticket"]
    print(ticket["via"]["channel"])

Every key is optional (Zendesk leaves keys out depending on the endpoint, side-loads
and the account's features): use ``.get()`` where a key may be missing.

Generated by ``scripts/gen_types.py`` from ``tests/data/zendesk-oas/support-oas.yaml``:
do not edit by hand (``make test`` fails when this file and the generator disagree).
"""

# fmt: off
from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict, Union

__all__ = [
{chr(10).join(f'    "{n}",' for n in names)}
]
'''
        # Classes refer to each other by name; with postponed annotations the order
        # does not matter, so they are sorted for a stable diff.
        body = "\n\n\n".join(source for _, source in sorted(self.classes))
        return header + "\n\n" + body + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when the committed module differs")
    parser.add_argument("--source", type=pathlib.Path, default=SOURCE)
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = Generator(load(args.source)).module()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} differs from what scripts/gen_types.py generates: run "
                  "python3 scripts/gen_types.py and commit the result", file=sys.stderr)
            return 1
        print(f"gen_types: {args.output.name} matches the generator ({text.count('(TypedDict')} shapes)")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"gen_types: wrote {args.output} ({text.count('(TypedDict')} shapes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

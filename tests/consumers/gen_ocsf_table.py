#!/usr/bin/env python3
"""Regenerate ocsf-1.5.0-compliance_finding.json from the OCSF schema sources.

    python gen_ocsf_table.py /path/to/ocsf-schema.git 1.5.0 > ocsf-1.5.0-compliance_finding.json

The argument is a git directory (bare or not) of https://github.com/ocsf/ocsf-schema
and a tag. Only the standard library is used. The output lists, for the Compliance
Finding class (class_uid 2003) and every object reachable from it, each attribute's
type, requirement, enum values, profile and deprecation, compiled the way the OCSF
schema server compiles them: `extends` chains and `$include`d profiles are merged,
and dictionary.json supplies types and the base enum values (deep-merged with the
class/object overrides). validate.py reads this table; CI never runs this script.
"""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

CLASS = "compliance_finding"


def deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else v
        return out
    return over


class Schema:
    def __init__(self, gitdir: str, tag: str) -> None:
        self.gitdir, self.tag = gitdir, tag
        self.commit = self._git("rev-parse", f"{tag}^{{commit}}").strip()
        files = self._git("ls-tree", "-r", "--name-only", self.commit).split()
        self.dictionary = self.load("dictionary.json")
        self.attrs = self.dictionary["attributes"]
        self.types = self.dictionary["types"]["attributes"]
        self.objects = {}
        self.events = {}
        for f in files:
            if f.endswith(".json") and f.startswith("objects/"):
                j = self.load(f)
                self.objects[j["name"]] = j
            elif f.endswith(".json") and f.startswith("events/"):
                j = self.load(f)
                self.events[j["name"]] = j
        self.categories = self.load("categories.json")["attributes"]

    def _git(self, *args: str) -> str:
        return subprocess.check_output(["git", "--git-dir", self.gitdir, *args], text=True)

    def load(self, path: str) -> dict:
        return json.loads(self._git("show", f"{self.commit}:{path}"))

    def own_attributes(self, raw: dict) -> dict:
        attrs: dict = {}
        for inc in raw.get("attributes", {}).get("$include", []):
            incraw = self.load(inc)
            profile = incraw.get("name") if incraw.get("meta") == "profile" else None
            for k, v in self.own_attributes(incraw).items():
                v = dict(v)
                if profile and "profile" not in v:
                    v["profile"] = profile
                attrs[k] = deep_merge(attrs.get(k, {}), v)
        for k, v in raw.get("attributes", {}).items():
            if k != "$include":
                attrs[k] = deep_merge(attrs.get(k, {}), v)
        return attrs

    def compile(self, table: dict, name: str) -> tuple[dict, dict]:
        raw = table[name]
        parent = raw.get("extends")
        if parent:
            base_attrs, base_cons = self.compile(table, parent)
        else:
            base_attrs, base_cons = {}, {}
        attrs = deep_merge(base_attrs, self.own_attributes(raw))
        cons = raw["constraints"] if "constraints" in raw else base_cons
        return attrs, cons

    def base_type(self, t: str) -> str:
        seen = set()
        while t in self.types and "type" in self.types[t] and t not in seen:
            seen.add(t)
            t = self.types[t]["type"]
        return t

    def finish(self, attrs: dict) -> dict:
        out = {}
        for k, v in sorted(attrs.items()):
            d = deep_merge(self.attrs.get(k, {}), v)
            t = d.get("type", "object")
            a: dict = {"type": t, "requirement": d.get("requirement", "optional")}
            if d.get("is_array"):
                a["array"] = True
            if t.endswith("_t"):
                a["base"] = self.base_type(t)
            if d.get("enum"):
                a["enum"] = {str(e): ev.get("caption", "") for e, ev in sorted(d["enum"].items(), key=lambda x: int(x[0]) if x[0].lstrip("-").isdigit() else 0)}
            if d.get("sibling"):
                a["sibling"] = d["sibling"]
            if d.get("profile"):
                a["profile"] = d["profile"]
            if d.get("@deprecated"):
                a["deprecated"] = d["@deprecated"].get("message", "deprecated")
            out[k] = a
            if t == "timestamp_t":  # the datetime profile adds <name>_dt siblings
                out[k + "_dt"] = {"type": "datetime_t", "base": "string_t", "requirement": "optional", "profile": "datetime"}
        return out


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    s = Schema(sys.argv[1], sys.argv[2])
    cattrs, ccons = s.compile(s.events, CLASS)
    craw = s.events[CLASS]
    category = s.events["finding"]["category"]
    cat_uid = s.categories[category]["uid"]
    klass = {
        "name": CLASS,
        "caption": craw["caption"],
        "category_uid": cat_uid,
        "class_uid": cat_uid * 1000 + craw["uid"],
        "attributes": s.finish(cattrs),
        "constraints": ccons,
    }
    # As the OCSF server does: the class's own uid values, and type_uid = class_uid * 100 + activity_id.
    ka = klass["attributes"]
    ka["category_uid"]["enum"] = {str(cat_uid): s.categories[category]["caption"]}
    ka["class_uid"]["enum"] = {str(klass["class_uid"]): craw["caption"]}
    ka["type_uid"]["enum"] = {
        str(klass["class_uid"] * 100 + int(a)): f"{craw['caption']}: {cap}" for a, cap in ka["activity_id"]["enum"].items()
    }
    objects: dict = {}
    todo = [a["type"] for a in klass["attributes"].values()]
    while todo:
        t = todo.pop()
        if t.endswith("_t") or t in objects or t == "object" or t not in s.objects:
            continue
        oattrs, ocons = s.compile(s.objects, t)
        objects[t] = {"caption": s.objects[t].get("caption", t), "attributes": s.finish(oattrs), "constraints": ocons}
        todo.extend(a["type"] for a in objects[t]["attributes"].values())
    types = {t: {k: v for k, v in d.items() if k in ("type", "regex", "max_len", "values")} for t, d in s.types.items()}
    for t in types:
        types[t]["base"] = s.base_type(t)
    out = {
        "ocsf_version": sys.argv[2],
        "source": "https://github.com/ocsf/ocsf-schema",
        "commit": s.commit,
        "license": "Apache-2.0 (OCSF schema; this file is a compiled extract of it)",
        "generator": "tests/consumers/gen_ocsf_table.py",
        "types": types,
        "class": klass,
        "objects": dict(sorted(objects.items())),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

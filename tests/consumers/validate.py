#!/usr/bin/env python3
"""Check a cis-audit report with a real consumer of its format.

    python tests/consumers/validate.py FORMAT FILE [--screenshot OUT.png]

FORMAT is one of: sarif, sarif-github, ocsf, asff, junit, csv, html.

  sarif  jsonschema (Draft 7 validator, with format checking) against the vendored
         OASIS SARIF 2.1.0 schemas: the OASIS Standard with Approved Errata 01 and the
         Committee Specification copy. A report must pass both.
  sarif-github
         the sarif checks, then GitHub code scanning's own rules for an upload (its
         documentation "SARIF support for code scanning" and "SARIF results exceed
         limits"): at most 20 runs, 25,000 results and 25,000 rules per run, 20 tags per
         rule, 1,000 locations per result, 10 MB gzip-compressed; every result with a
         ruleId, a message text and at least one location whose
         physicalLocation.artifactLocation.uri is a repository-relative path (no scheme,
         no leading '/', no '..'); partialFingerprints present with string values;
         rules' properties.security-severity a number from 0.0 to 10.0 as a string.
  ocsf   a JSON array of OCSF 1.5.0 Compliance Findings (class_uid 2003). Each one is
         parsed by py-ocsf-models' ComplianceFinding (the models Prowler emits with) and
         checked against the OCSF 1.5.0 class definition (ocsf-1.5.0-compliance_finding.json,
         compiled from the OCSF schema sources). That catches what the pydantic models let
         through: unknown or misspelt attributes, values the models silently default
         (class_uid, category_uid, type_uid), enum values, types, profiles.
  asff   a JSON array of AwsSecurityFinding objects. botocore's own client-side
         validation of securityhub BatchImportFindings, then the service model's
         constraints that botocore leaves to the server (enums, patterns, documented
         lengths and array sizes), then the documented ASFF rules (SchemaVersion,
         timestamp format, ProductArn, 12-digit account, Severity, Types taxonomy,
         240 KB per finding, unique Ids of at most 512 characters).
  junit  junitparser; per-suite tests/failures/errors/skipped attributes must match
         the test cases.
  csv    Python's csv module (excel dialect = RFC 4180 quoting, strict); the header
         must contain control,title,status,account,region,message; every record has
         as many fields as the header.
  html   headless Chromium renders the page (network routed to a dead end, net-log on);
         fails on any non-embedded resource (found statically in the file or
         requested by the browser) and on uncaught JavaScript errors.
         --screenshot OUT.png also saves a 1400x2000 screenshot.

Exit status: 0 accepted (a JSON summary on stdout), 1 rejected (one line per problem
on stderr, "error: ..."), 2 usage error. Non-fatal findings are printed as
"warning: ..." lines and listed under "warnings" in the summary.
"""
from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = ("sarif", "sarif-github", "ocsf", "asff", "junit", "csv", "html")
MAX_PRINTED_PROBLEMS = 200
MAX_LINE = 600


class UsageError(Exception):
    pass


class Result:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.summary: dict[str, Any] = {}

    def error(self, msg: str, verbatim: bool = False) -> None:
        self.errors.append(" ".join(str(msg).split()) if verbatim else one_line(msg))

    def warn(self, msg: str) -> None:
        self.warnings.append(one_line(msg))


def one_line(msg: str) -> str:
    msg = " ".join(str(msg).split())
    return msg if len(msg) <= MAX_LINE else msg[: MAX_LINE - 3] + "..."


def short(value: Any, n: int = 80) -> str:
    s = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return s if len(s) <= n else s[: n - 3] + "..."


# --------------------------------------------------------------------------- JSON


def load_json(data: bytes, res: Result) -> Any:
    """Strict JSON: UTF-8 without BOM, no NaN/Infinity, no duplicate keys."""
    if data.startswith(b"\xef\xbb\xbf"):
        res.error("file starts with a UTF-8 byte order mark; JSON (RFC 8259) must not")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        res.error(f"not valid UTF-8 at byte {e.start}: {e.reason}")
        return None

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for k, v in items:
            if k in out:
                res.error(f"duplicate JSON key {k!r} in one object")
            out[k] = v
        return out

    def bad_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=bad_constant)
    except ValueError as e:
        res.error(f"not valid JSON: {e}")
        return None


def jpath(parts: Any) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


# --------------------------------------------------------------------------- SARIF

SARIF_SCHEMAS = (
    # (label, file): a report must be valid against both
    ("errata01", "sarif-schema-2.1.0.json"),
    ("cs01", "sarif-schema-2.1.0-cs01.json"),
)


def sarif_schemas() -> list[tuple[str, dict]]:
    schemas = []
    for label, fname in SARIF_SCHEMAS:
        with open(os.path.join(HERE, fname), encoding="utf-8") as f:
            schemas.append((label, json.load(f)))
    return schemas


def sarif_registry(schemas: list[tuple[str, dict]]) -> Any:
    """A referencing registry that holds the vendored schemas and retrieves nothing."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7

    def offline(uri: str) -> Any:  # never fetch anything: every $ref must be local
        raise NoSuchResource(ref=uri)

    resources = []
    for _, s in schemas:
        sid = s.get("$id") or s.get("id")
        if sid:
            resources.append((sid, Resource.from_contents(s, default_specification=DRAFT7)))
    return Registry(retrieve=offline).with_resources(resources)


def sarif_validators() -> list[tuple[str, Any]]:
    import jsonschema

    schemas = sarif_schemas()
    registry = sarif_registry(schemas)
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    missing = {"date-time", "uri", "uri-reference"} - set(checker.checkers)
    if missing:
        raise RuntimeError(
            "jsonschema cannot check the formats " + ", ".join(sorted(missing))
            + ": install tests/consumers/requirements.txt (rfc3339-validator, rfc3986-validator)"
        )
    out = []
    for label, s in schemas:
        jsonschema.Draft7Validator.check_schema(s)
        out.append((label, jsonschema.Draft7Validator(s, registry=registry, format_checker=checker)))
    return out


def check_sarif(data: bytes, res: Result, args: argparse.Namespace) -> None:
    from jsonschema.exceptions import best_match

    doc = load_json(data, res)
    if res.errors:
        return
    for label, validator in sarif_validators():
        errs = sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message))
        for e in errs:
            msg = e.message
            if e.context:
                sub = best_match(e.context)
                msg = f"{msg[:150]} (closest: {jpath(sub.absolute_path)}: {sub.message})"
            res.error(f"SARIF schema ({label}) {jpath(e.absolute_path)}: {msg}")
    if res.errors:
        return
    runs = doc.get("runs") or []
    rules: list[str] = []
    levels: collections.Counter = collections.Counter()
    kinds: collections.Counter = collections.Counter()
    n = 0
    for ri, run in enumerate(runs):
        driver = run["tool"]["driver"]
        drules = driver.get("rules") or []
        ids = [r.get("id") for r in drules]
        rules.extend(i for i in ids if i)
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            res.error(f"runs[{ri}].tool.driver.rules: duplicate rule ids {dup}")
        by_id = {r.get("id"): r for r in drules}
        for i, r in enumerate(run.get("results") or []):
            n += 1
            rid = r.get("ruleId") or (r.get("rule") or {}).get("id")
            idx = r.get("ruleIndex", (r.get("rule") or {}).get("index"))
            rule = None
            if idx is not None and idx >= 0:
                if idx >= len(drules):
                    res.error(f"runs[{ri}].results[{i}].ruleIndex {idx} is out of range ({len(drules)} rules)")
                else:
                    rule = drules[idx]
                    if rid is not None and rule.get("id") != rid:
                        res.error(f"runs[{ri}].results[{i}]: ruleId {rid!r} but rules[{idx}].id is {rule.get('id')!r}")
            elif rid is not None:
                rule = by_id.get(rid)
                if rule is None and drules:
                    res.warn(f"runs[{ri}].results[{i}].ruleId {rid!r} is not in tool.driver.rules")
            if rid is None and rule is None:
                res.warn(f"runs[{ri}].results[{i}] has neither ruleId nor ruleIndex")
            kind = r.get("kind", "fail")
            level = r.get("level")
            if level is None:
                level = ((rule or {}).get("defaultConfiguration") or {}).get("level")
            if level is None:
                level = "warning" if kind == "fail" else "none"
            if kind != "fail" and level != "none":
                res.error(f"runs[{ri}].results[{i}]: kind {kind!r} requires level 'none' (SARIF 3.27.10), got {level!r}")
            levels[level] += 1
            kinds[kind] += 1
    res.summary = {
        "runs": len(runs),
        "results": n,
        "rules": sorted(set(rules)),
        "levels": dict(sorted(levels.items())),
        "kinds": dict(sorted(kinds.items())),
        "tool": [r["tool"]["driver"].get("name") for r in runs],
        "schemas": [label for label, _ in SARIF_SCHEMAS],
    }


# GitHub code scanning's limits on an uploaded SARIF file.
GITHUB_LIMITS = {"runs": 20, "results": 25000, "rules": 25000, "tags": 20, "locations": 1000, "gzip_bytes": 10 * 1024 * 1024}


def check_sarif_github(data: bytes, res: Result, args: argparse.Namespace) -> None:
    import gzip

    check_sarif(data, res, args)
    if res.errors:
        return
    doc = json.loads(data)
    lim = GITHUB_LIMITS
    gz = len(gzip.compress(data))
    if gz > lim["gzip_bytes"]:
        res.error(f"the file is {gz} bytes gzip-compressed; code scanning takes at most {lim['gzip_bytes']}")
    runs = doc.get("runs") or []
    if len(runs) > lim["runs"]:
        res.error(f"{len(runs)} runs; code scanning takes at most {lim['runs']} per file")
    located = 0
    for ri, run in enumerate(runs):
        driver = run["tool"]["driver"]
        rules = driver.get("rules") or []
        if len(rules) > lim["rules"]:
            res.error(f"runs[{ri}]: {len(rules)} rules; code scanning takes at most {lim['rules']}")
        for k, rule in enumerate(rules):
            props = rule.get("properties") or {}
            tags = props.get("tags") or []
            if len(tags) > lim["tags"]:
                res.error(f"runs[{ri}].tool.driver.rules[{k}]: {len(tags)} tags; at most {lim['tags']}")
            sev = props.get("security-severity")
            if sev is not None:
                try:
                    ok = isinstance(sev, str) and 0.0 <= float(sev) <= 10.0
                except ValueError:
                    ok = False
                if not ok:
                    res.error(f"runs[{ri}].tool.driver.rules[{k}].properties.security-severity {sev!r}: a number 0.0-10.0 as a string")
        results = run.get("results") or []
        if len(results) > lim["results"]:
            res.error(f"runs[{ri}]: {len(results)} results; code scanning rejects more than {lim['results']}")
        for i, r in enumerate(results):
            where = f"runs[{ri}].results[{i}]"
            if not (r.get("ruleId") or (r.get("rule") or {}).get("id")):
                res.error(f"{where}: no ruleId")
            if not (r.get("message") or {}).get("text"):
                res.error(f"{where}: no message.text")
            locs = r.get("locations") or []
            if not locs:
                res.error(f"{where}: no location (code scanning shows a result only at a location)")
            if len(locs) > lim["locations"]:
                res.error(f"{where}: {len(locs)} locations; at most {lim['locations']}")
            for li, loc in enumerate(locs):
                uri = (((loc.get("physicalLocation") or {}).get("artifactLocation")) or {}).get("uri")
                if not uri:
                    res.error(f"{where}.locations[{li}]: no physicalLocation.artifactLocation.uri")
                    continue
                if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri) or uri.startswith("/") or ".." in uri.split("/"):
                    res.error(f"{where}.locations[{li}]: artifactLocation.uri {uri!r} is not a repository-relative path")
                else:
                    located += 1
            fp = r.get("partialFingerprints")
            if not fp or not all(isinstance(v, str) and v for v in fp.values()):
                res.error(f"{where}: partialFingerprints missing or not strings (alerts would not be tracked across runs)")
    res.summary["gzip_bytes"] = gz
    res.summary["located_results"] = located


# --------------------------------------------------------------------------- OCSF

OCSF_TABLE = "ocsf-1.5.0-compliance_finding.json"
TS_MIN, TS_MAX = 946684800000, 4102444800000  # 2000-01-01 .. 2100-01-01 in ms


class OcsfChecker:
    def __init__(self) -> None:
        with open(os.path.join(HERE, OCSF_TABLE), encoding="utf-8") as f:
            self.t = json.load(f)
        self.version = self.t["ocsf_version"]
        self.regex: dict[str, Any] = {}
        for name, ty in self.t["types"].items():
            if ty.get("regex"):
                try:
                    self.regex[name] = re.compile(ty["regex"])
                except re.error:
                    pass

    def check_event(self, ev: Any, where: str, res: Result) -> None:
        klass = self.t["class"]
        if not isinstance(ev, dict):
            res.error(f"{where}: a finding must be a JSON object, got {type(ev).__name__}")
            return
        md = ev.get("metadata") if isinstance(ev.get("metadata"), dict) else {}
        profiles = md.get("profiles") if isinstance(md.get("profiles"), list) else []
        self.check_object(ev, klass, klass["caption"], where, {p for p in profiles if isinstance(p, str)}, res)
        ver = md.get("version")
        if isinstance(ver, str) and ver != self.version:
            res.error(f"{where}.metadata.version is {ver!r}; this validator checks OCSF {self.version}, so it must be {self.version!r}")
        act = ev.get("activity_id")
        if isinstance(act, int) and isinstance(ev.get("type_uid"), int):
            want = klass["class_uid"] * 100 + act
            if ev["type_uid"] != want:
                res.error(f"{where}.type_uid is {ev['type_uid']}; OCSF defines it as class_uid * 100 + activity_id = {want}")

    def check_object(self, value: dict, spec: dict, name: str, where: str, profiles: set, res: Result) -> None:
        attrs = spec["attributes"]
        for k, v in value.items():
            a = attrs.get(k)
            p = f"{where}.{k}"
            if a is None:
                res.error(f"{p}: unknown attribute: OCSF {self.version} {name} has no attribute {k!r}")
                continue
            if a.get("profile") and a["profile"] not in profiles:
                res.error(f"{p}: attribute of the OCSF '{a['profile']}' profile; add \"{a['profile']}\" to metadata.profiles")
            if a.get("deprecated"):
                res.warn(f"{p}: deprecated in OCSF {self.version}: {re.sub('<[^>]+>', '', a['deprecated'])}")
            if v is None:
                res.error(f"{p}: null is not allowed; omit the attribute instead")
                continue
            if isinstance(v, str) and not v.strip() and (a["requirement"] == "required" or k == "uid"):
                res.error(f"{p}: empty string for a{' required' if a['requirement'] == 'required' else 'n identifying'} attribute")
            if a.get("array"):
                if not isinstance(v, list):
                    res.error(f"{p}: must be an array of {a['type']}, got {type(v).__name__}")
                    continue
                for i, item in enumerate(v):
                    self.check_value(item, a, f"{p}[{i}]", profiles, res)
            else:
                self.check_value(v, a, p, profiles, res)
        for k, a in attrs.items():
            if a["requirement"] == "required" and k not in value:
                if a.get("profile") and a["profile"] not in profiles:
                    continue
                why = f" (required by the '{a['profile']}' profile)" if a.get("profile") else ""
                res.error(f"{where}: missing required attribute {k!r}{why}")
            sib = a.get("sibling")
            if sib and "enum" in a and isinstance(value.get(k), int) and isinstance(value.get(sib), str):
                cap = a["enum"].get(str(value[k]))
                if cap and value[k] != 99 and value[sib] != cap:
                    res.warn(f"{where}.{sib} is {value[sib]!r} but {k} {value[k]} is {cap!r} in OCSF {self.version}")
        cons = spec.get("constraints") or {}
        if cons.get("at_least_one") and not any(k in value for k in cons["at_least_one"]):
            res.error(f"{where}: OCSF {name} needs at least one of {cons['at_least_one']}")
        if cons.get("just_one") and sum(k in value for k in cons["just_one"]) != 1:
            res.error(f"{where}: OCSF {name} needs exactly one of {cons['just_one']}")

    def check_value(self, v: Any, a: dict, p: str, profiles: set, res: Result) -> None:
        t = a["type"]
        if not t.endswith("_t"):  # an object type
            if not isinstance(v, dict):
                res.error(f"{p}: must be an OCSF {t} object, got {short(v)}")
            elif t != "object" and t in self.t["objects"]:
                obj = self.t["objects"][t]
                self.check_object(v, obj, obj["caption"], p, profiles, res)
            return
        base = a.get("base", t)
        ok = {
            "string_t": lambda x: isinstance(x, str),
            "integer_t": lambda x: isinstance(x, int) and not isinstance(x, bool),
            "long_t": lambda x: isinstance(x, int) and not isinstance(x, bool),
            "float_t": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
            "boolean_t": lambda x: isinstance(x, bool),
            "json_t": lambda x: True,
        }.get(base, lambda x: True)
        if not ok(v):
            res.error(f"{p}: must be {t} ({base}), got {short(v)}")
            return
        if "enum" in a and str(v) not in a["enum"]:
            allowed = ", ".join(f"{k} {c}" for k, c in a["enum"].items())
            res.error(f"{p}: {short(v)} is not an OCSF {self.version} value; allowed: {allowed}")
        if t == "timestamp_t" and not (TS_MIN <= v <= TS_MAX):
            res.error(f"{p}: {v} is not a plausible timestamp_t (milliseconds since the Unix epoch)")
        rx = self.regex.get(t)
        if rx is not None and isinstance(v, str) and not rx.search(v):
            res.error(f"{p}: {short(v)} does not match the OCSF {t} format")


def check_ocsf(data: bytes, res: Result, args: argparse.Namespace) -> None:
    import py_ocsf_models
    from importlib.metadata import version as dist_version
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.objects.cloud import Cloud
    from pydantic import ValidationError

    doc = load_json(data, res)
    if res.errors:
        return
    if not isinstance(doc, list):
        res.error(f"top level must be a JSON array of OCSF Compliance Finding objects, got {type(doc).__name__}")
        return
    checker = OcsfChecker()
    if getattr(py_ocsf_models, "OCSF_VERSION", None) != checker.version:
        res.error(f"py-ocsf-models implements OCSF {getattr(py_ocsf_models, 'OCSF_VERSION', '?')}, not {checker.version}: install tests/consumers/requirements.txt")
        return

    def pyd(model: Any, value: Any, where: str) -> None:
        try:
            model.model_validate(value)
        except ValidationError as e:
            for err in e.errors():
                loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"])
                res.error(f"{where}{loc}: {err['msg']} (py-ocsf-models {model.__name__}, input {short(err.get('input'), 60)})")

    comp: collections.Counter = collections.Counter()
    stat: collections.Counter = collections.Counter()
    sev: collections.Counter = collections.Counter()
    controls, accounts, profiles, uids = set(), set(), set(), []
    table = checker.t
    cenum = table["objects"]["compliance"]["attributes"]["status_id"]["enum"]
    senum = table["class"]["attributes"]["status_id"]["enum"]
    venum = table["class"]["attributes"]["severity_id"]["enum"]
    for i, ev in enumerate(doc):
        where = f"$[{i}]"
        checker.check_event(ev, where, res)
        if not isinstance(ev, dict):
            continue
        pyd(ComplianceFinding, ev, where)
        if isinstance(ev.get("cloud"), dict):  # the cloud profile: not modelled on ComplianceFinding
            pyd(Cloud, ev["cloud"], where + ".cloud")
        c = ev.get("compliance") if isinstance(ev.get("compliance"), dict) else {}
        comp[cenum.get(str(c.get("status_id")), "missing" if "status_id" not in c else str(c.get("status_id")))] += 1
        stat[senum.get(str(ev.get("status_id")), "missing" if "status_id" not in ev else str(ev.get("status_id")))] += 1
        sev[venum.get(str(ev.get("severity_id")), str(ev.get("severity_id")))] += 1
        if isinstance(c.get("control"), str):
            controls.add(c["control"])
        acct = ((ev.get("cloud") or {}).get("account") or {}) if isinstance(ev.get("cloud"), dict) else {}
        if isinstance(acct, dict) and isinstance(acct.get("uid"), str):
            accounts.add(acct["uid"])
        md = ev.get("metadata") if isinstance(ev.get("metadata"), dict) else {}
        if isinstance(md.get("profiles"), list):
            profiles.update(x for x in md["profiles"] if isinstance(x, str))
        fi = ev.get("finding_info") if isinstance(ev.get("finding_info"), dict) else {}
        if isinstance(fi.get("uid"), str):
            uids.append(fi["uid"])
    dups = sorted({u for u, n in collections.Counter(uids).items() if n > 1})
    if dups:
        res.error(f"finding_info.uid must identify one finding; repeated: {dups[:10]}")
    res.summary = {
        "findings": len(doc),
        "ocsf_version": checker.version,
        "compliance_status_ids": dict(sorted(comp.items())),
        "status_ids": dict(sorted(stat.items())),
        "severity_ids": dict(sorted(sev.items())),
        "controls": sorted(controls),
        "accounts": sorted(accounts),
        "profiles": sorted(profiles),
        "py_ocsf_models": dist_version("py-ocsf-models"),
    }


# --------------------------------------------------------------------------- ASFF

ASFF_TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2})(?::?(\d{2}))?)$")
ASFF_NAMESPACES = (
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
)
PRODUCT_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product/([^/]+)/([^/]+)$")
MAX_FINDING_BYTES = 240 * 1024
DOC_LEN = re.compile(
    r"Length Constraints:\s*(?:Minimum(?: length)? of (\d+)(?: length)?\.?\s*)?(?:Maximum(?: length)? of (\d+)(?: length)?\.?)?"
)
DOC_LEN_EXACT = re.compile(r"Length Constraints:\s*(\d+)\.")
DOC_ITEMS = re.compile(r"Array Members:\s*(?:Minimum number of (\d+) items?\.\s*)?(?:Maximum number of (\d+) items?\.)?")


def doc_limits(doc: str) -> dict:
    text = re.sub(r"<[^>]+>", " ", doc or "")
    out: dict = {}
    m = DOC_LEN_EXACT.search(text)
    if m:
        out["len_max"] = int(m.group(1))
    else:
        m = DOC_LEN.search(text)
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                out["len_min"] = int(m.group(1))
            if m.group(2):
                out["len_max"] = int(m.group(2))
    m = DOC_ITEMS.search(text)
    if m and (m.group(1) or m.group(2)):
        if m.group(1):
            out["items_min"] = int(m.group(1))
        if m.group(2):
            out["items_max"] = int(m.group(2))
    if "#timestamps" in (doc or "") or "Timestamps</a>" in (doc or ""):
        out["timestamp"] = True
    return out


class ModelConstraints:
    """Service-model constraints that botocore's client-side ParamValidator skips."""

    def __init__(self, res: Result) -> None:
        self.res = res
        self.patterns: dict[str, Any] = {}

    def walk(self, value: Any, shape: Any, path: str, limits: dict) -> None:
        t = shape.type_name
        if t == "string" and isinstance(value, str):
            if shape.enum and value not in shape.enum:
                self.res.error(f"securityhub model: {path}: {value!r} is not one of {shape.enum}")
            pat = shape.metadata.get("pattern")
            if pat:
                rx = self.patterns.get(pat) or self.patterns.setdefault(pat, re.compile(pat, re.S))
                if not rx.search(value):
                    self.res.error(f"securityhub model: {path}: {short(value)} does not match pattern {pat!r}")
            mx = shape.metadata.get("max", limits.get("len_max"))
            if mx is not None and len(value) > mx:
                self.res.error(f"securityhub model: {path}: length {len(value)} is over the maximum {mx}")
            if limits.get("timestamp"):
                asff_timestamp(value, path, self.res)
        elif t == "list" and isinstance(value, list):
            mx = shape.metadata.get("max", limits.get("items_max"))
            mn = limits.get("items_min")
            if mx is not None and len(value) > mx:
                self.res.error(f"securityhub model: {path}: {len(value)} items, the maximum is {mx}")
            if mn is not None and len(value) < mn and "min" not in shape.metadata:
                self.res.error(f"securityhub model: {path}: {len(value)} items, the minimum is {mn}")
            for i, item in enumerate(value):
                self.walk(item, shape.member, f"{path}[{i}]", {})
        elif t == "map" and isinstance(value, dict):
            for k, v in value.items():
                self.walk(k, shape.key, f"{path} (key {k!r})", {})
                self.walk(v, shape.value, f"{path}.{k}", {})
        elif t == "structure" and isinstance(value, dict):
            for k, v in value.items():
                if k in shape.members:
                    m = shape.members[k]
                    self.walk(v, m, f"{path}.{k}", doc_limits(m.documentation))


def asff_timestamp(value: str, path: str, res: Result) -> None:
    m = ASFF_TS.match(value)
    if not m:
        res.error(f"asff: {path}: {value!r} is not a Security Hub timestamp (e.g. 2024-01-31T23:00:00.123Z; 'T' separator, no spaces, at most 9 fraction digits, Z or +HH:MM)")
        return
    try:
        dt.datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError as e:
        res.error(f"asff: {path}: {value!r} is not a real date/time ({e})")
        return
    if m.group(9):
        off = int(m.group(9)) * 60 + int(m.group(10) or 0)
        if off > 18 * 60:
            res.error(f"asff: {path}: {value!r} has a UTC offset beyond +/-18:00")


def check_asff(data: bytes, res: Result, args: argparse.Namespace) -> None:
    import botocore
    import botocore.session
    from botocore.validate import ParamValidator

    doc = load_json(data, res)
    if res.errors:
        return
    if not isinstance(doc, list):
        res.error(f"top level must be a JSON array of AwsSecurityFinding objects, got {type(doc).__name__}")
        return
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    report = ParamValidator().validate({"Findings": doc}, shape)
    if report.has_errors():
        for line in report.generate_report().splitlines():  # one error a line, no header
            if line.strip():
                res.error("botocore: " + line.strip(), verbatim=True)
    finding_shape = shape.members["Findings"].member
    mc = ModelConstraints(res)
    ids: collections.Counter = collections.Counter()
    comp: collections.Counter = collections.Counter()
    sev: collections.Counter = collections.Counter()
    states: collections.Counter = collections.Counter()
    gens, accounts, regions, types = set(), set(), set(), set()
    for i, f in enumerate(doc):
        p = f"Findings[{i}]"
        if not isinstance(f, dict):
            continue  # botocore reported it
        mc.walk(f, finding_shape, p, {})
        size = len(json.dumps(f, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        if size > MAX_FINDING_BYTES:
            res.error(f"asff: {p}: {size} bytes; Security Hub rejects findings over 240 KB")
        if "SchemaVersion" in f and f["SchemaVersion"] != "2018-10-08":
            res.error(f"asff: {p}.SchemaVersion is {short(f['SchemaVersion'])}; it must be '2018-10-08'")
        fid = f.get("Id")
        if isinstance(fid, str):
            ids[fid] += 1
            if len(fid) > 512:
                res.error(f"asff: {p}.Id is {len(fid)} characters; the maximum is 512")
        acct = f.get("AwsAccountId")
        if isinstance(acct, str):
            accounts.add(acct)
            if not re.fullmatch(r"\d{12}", acct):
                res.error(f"asff: {p}.AwsAccountId {acct!r} is not a 12-digit AWS account id")
        arn = f.get("ProductArn")
        if isinstance(arn, str):
            m = PRODUCT_ARN.match(arn)
            if not m:
                res.error(f"asff: {p}.ProductArn {arn!r} is not arn:PARTITION:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT")
            elif isinstance(acct, str) and (m.group(3) != acct or m.group(4) != acct or m.group(5) != "default"):
                res.error(
                    f"asff: {p}.ProductArn {arn!r}: a custom integration imports with its own default product, "
                    f"arn:{m.group(1)}:securityhub:{m.group(2)}:{acct}:product/{acct}/default (AwsAccountId {acct})"
                )
            elif isinstance(f.get("Region"), str) and f["Region"] != m.group(2):
                res.error(f"asff: {p}.Region {f['Region']!r} differs from the ProductArn region {m.group(2)!r}")
        s = f.get("Severity")
        if s is None:
            res.error(f"asff: {p}: missing Severity; Security Hub treats a finding without Severity.Label (or Normalized) as invalid")
        elif isinstance(s, dict):
            if "Label" not in s and "Normalized" not in s:
                res.error(f"asff: {p}.Severity: needs Label (preferred) or Normalized; a finding with neither is invalid")
            label = s.get("Label", "missing")
            sev[label if isinstance(label, str) else "invalid"] += 1
        t = f.get("Types")
        if not t:
            res.warn(f"asff: {p}: no Types; use e.g. 'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'")
        elif isinstance(t, list):
            for j, ty in enumerate(t):
                if not isinstance(ty, str):
                    continue
                types.add(ty)
                parts = ty.split("/")
                if len(parts) > 3 or any(not x.strip() for x in parts) or parts[0] not in ASFF_NAMESPACES:
                    res.error(f"asff: {p}.Types[{j}] {ty!r} is not namespace[/category[/classifier]] with a namespace from {list(ASFF_NAMESPACES)}")
        for a, b in (("CreatedAt", "UpdatedAt"), ("FirstObservedAt", "LastObservedAt")):
            ta, tb = parse_ts(f.get(a)), parse_ts(f.get(b))
            if ta and tb and tb < ta:
                res.error(f"asff: {p}.{b} ({f[b]}) is before {a} ({f[a]})")
        c = f.get("Compliance")
        status = c.get("Status", "missing") if isinstance(c, dict) else "missing"
        comp[status if isinstance(status, str) else "invalid"] += 1
        if isinstance(f.get("RecordState"), str):
            states[f["RecordState"]] += 1
        if isinstance(f.get("GeneratorId"), str):
            gens.add(f["GeneratorId"])
        for r in f.get("Resources") if isinstance(f.get("Resources"), list) else []:
            if isinstance(r, dict) and isinstance(r.get("Region"), str):
                regions.add(r["Region"])
    dups = sorted(k for k, n in ids.items() if n > 1)
    if dups:
        res.error(f"asff: finding Ids must be unique; repeated: {dups[:10]}")
    res.summary = {
        "findings": len(doc),
        "compliance": dict(sorted(comp.items())),
        "severity": dict(sorted(sev.items())),
        "record_states": dict(sorted(states.items())),
        "ids_unique": not dups,
        "generator_ids": sorted(gens),
        "accounts": sorted(accounts),
        "regions": sorted(regions),
        "types": sorted(types),
        "batches": math.ceil(len(doc) / 100),
        "botocore": botocore.__version__,
    }


def parse_ts(v: Any) -> dt.datetime | None:
    if not isinstance(v, str) or not ASFF_TS.match(v):
        return None
    s = re.sub(r"(\.\d{1,6})\d*", r"\1", v).replace("Z", "+00:00")
    s = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", s)
    if re.search(r"[+-]\d{2}$", s):
        s += ":00"
    try:
        return dt.datetime.fromisoformat(s)
    except ValueError:
        return None


# --------------------------------------------------------------------------- JUnit


def check_junit(data: bytes, res: Result, args: argparse.Namespace) -> None:
    import xml.etree.ElementTree as ET

    from junitparser import Error, Failure, JUnitXml, JUnitXmlError, Skipped, TestSuite

    try:
        xml = JUnitXml.fromfile(args.file)
    except ET.ParseError as e:
        res.error(f"not well-formed XML: {e}")
        return
    except JUnitXmlError as e:
        res.error(f"junitparser: {e} (the root element must be <testsuites> or <testsuite>)")
        return
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    totals = collections.Counter()
    names = []
    for si, s in enumerate(suites):
        if not isinstance(s, TestSuite):
            continue
        names.append(s.name)
        if not s.name:
            res.error(f"testsuite #{si + 1} has no name attribute")
        counts = collections.Counter()
        for ci, c in enumerate(s):
            if not c.name:
                res.error(f"testsuite {s.name!r}: testcase #{ci + 1} has no name attribute")
            kinds = {type(r) for r in c.result}
            if Error in kinds:
                counts["errors"] += 1
            elif Failure in kinds:
                counts["failures"] += 1
            elif Skipped in kinds:
                counts["skipped"] += 1
            else:
                counts["passed"] += 1
            counts["tests"] += 1
        for attr in ("tests", "failures", "errors", "skipped"):
            raw = s._elem.get(attr)
            if raw is None:
                continue
            try:
                declared = int(raw)
            except ValueError:
                res.error(f"testsuite {s.name!r}: {attr}={raw!r} is not an integer")
                continue
            if declared != counts[attr]:
                res.error(f"testsuite {s.name!r}: {attr}=\"{declared}\" but it has {counts[attr]} such test cases")
        totals.update(counts)
    if not isinstance(xml, TestSuite):
        for attr in ("tests", "failures", "errors", "skipped"):
            raw = xml._elem.get(attr)
            if raw is not None and raw.isdigit() and int(raw) != totals[attr]:
                res.error(f"testsuites: {attr}=\"{raw}\" but the suites hold {totals[attr]}")
    if not suites:
        res.error("no <testsuite> element")
    res.summary = {
        "tests": totals["tests"],
        "failures": totals["failures"],
        "errors": totals["errors"],
        "skipped": totals["skipped"],
        "passed": totals["passed"],
        "suites": names,
    }


# --------------------------------------------------------------------------- CSV

CSV_REQUIRED = ("control", "title", "status", "account", "region", "message")


def check_csv(data: bytes, res: Result, args: argparse.Namespace) -> None:
    if data.startswith(b"\xef\xbb\xbf"):
        res.error("file starts with a UTF-8 byte order mark: csv readers take it as part of the first column name")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        res.error(f"not valid UTF-8 at byte {e.start}: {e.reason}")
        return
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel", strict=True)
    header: list[str] | None = None
    rows = 0
    statuses: collections.Counter = collections.Counter()
    try:
        for rec in reader:
            line = reader.line_num
            if header is None:
                header = rec
                if not rec or rec == [""]:
                    res.error("line 1: empty header")
                    return
                dup = sorted({h for h in rec if rec.count(h) > 1})
                if dup:
                    res.error(f"header: duplicate columns {dup}")
                missing = [c for c in CSV_REQUIRED if c not in rec]
                if missing:
                    res.error(f"header: missing required columns {missing} (header is {rec})")
                continue
            rows += 1
            if not rec:
                res.error(f"line {line}: empty line inside the data (record {rows})")
                continue
            if len(rec) != len(header):
                res.error(f"line {line}: record {rows} has {len(rec)} fields, the header has {len(header)}")
                continue
            row = dict(zip(header, rec))
            if "status" in row:
                statuses[row["status"]] += 1
            for col, cell in row.items():
                if cell[:1] in ("=", "+", "@", "-") and not re.fullmatch(r"[+-]?\d+(\.\d+)?", cell):
                    res.warn(f"line {line}: column {col!r} starts with {cell[0]!r}; spreadsheets run it as a formula (CSV injection)")
    except csv.Error as e:
        res.error(f"line {reader.line_num}: csv: {e}")
        return
    if header is None:
        res.error("empty file: no header")
        return
    res.summary = {"rows": rows, "columns": header, "statuses": dict(sorted(statuses.items()))}


# --------------------------------------------------------------------------- HTML

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # needed as root; harmless otherwise
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--metrics-recording-only",
    "--hide-scrollbars",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    # Nothing may leave this machine: every request goes to a proxy that does not
    # exist, and no host name (the proxy's included) resolves. The net-log still
    # records each request the page makes.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--enable-logging=stderr",
    "--v=0",
]
RESOURCE_ATTRS = {
    "src": None, "srcset": None, "poster": None, "data": ("object",), "background": None,
    "action": ("form",), "formaction": None, "manifest": ("html",), "ping": None,
    "href": ("link", "script", "image", "use", "feimage", "base"), "xlink:href": None,
}
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
CSS_IMPORT = re.compile(r"@import\s+(['\"])(.*?)\1", re.I)  # @import url(...) is caught by CSS_URL


def embedded(url: str) -> bool:
    u = url.strip().lower()
    return u == "" or u.startswith(("data:", "#", "about:blank", "javascript:void"))


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset (HTML's parsing: a URL is a run of non-space characters,
    so a data: URL's commas stay in it; descriptors run to the next comma)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url, i = url.rstrip(","), j
        else:
            k = value.find(",", j)
            i = n if k < 0 else k + 1
        if url:
            urls.append(url)
    return urls


class StaticScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.in_style = False

    def css(self, text: str, where: str) -> None:
        for m in CSS_URL.finditer(text):
            if not embedded(m.group(2)):
                self.refs.append(f"{where} url({m.group(2)[:120]})")
        for m in CSS_IMPORT.finditer(text):
            if not embedded(m.group(2)):
                self.refs.append(f"{where} @import {m.group(2)[:120]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag == "style":
            self.in_style = True
        for name, val in attrs:
            name = name.lower()
            if val is None:
                continue
            if name == "style":
                self.css(val, f"<{tag} style>")
                continue
            if tag == "meta" and name == "content" and ("http-equiv", "refresh") in [(a.lower(), (v or "").lower()) for a, v in attrs]:
                m = re.search(r"url\s*=\s*(\S+)", val, re.I)
                if m and not embedded(m.group(1)):
                    self.refs.append(f"<meta http-equiv=refresh> {m.group(1)[:120]}")
                continue
            if name not in RESOURCE_ATTRS:
                continue
            tags = RESOURCE_ATTRS[name]
            if tags is not None and tag not in tags:
                continue
            urls = srcset_urls(val) if name == "srcset" else [val]
            for u in urls:
                if not embedded(u):
                    self.refs.append(f"<{tag} {name}={u[:120]!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.css(data, "<style>")


class DomScan(HTMLParser):
    SKIP = {"script", "style", "template", "noscript", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = None
        self.svg = 0
        self.text: list[str] = []
        self.stack: list[str] = []
        self.in_title = False
        self.tparts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "svg":
            self.svg += 1
        if tag == "title" and self.title is None and "svg" not in self.stack:
            self.in_title = True
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "area", "base", "wbr", "source", "track", "embed", "param"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title = " ".join("".join(self.tparts).split())
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.tparts.append(data)
        elif not (self.SKIP & set(self.stack)):
            self.text.append(data)


def find_chromium() -> str:
    env = os.environ.get("CIS_AUDIT_TEST_CHROMIUM")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise RuntimeError(f"CIS_AUDIT_TEST_CHROMIUM={env} is not an executable")
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    raise RuntimeError("chromium not found: set CIS_AUDIT_TEST_CHROMIUM or install it (Debian: apt-get install -y chromium)")


def net_requests(netlog: str) -> tuple[list[str], int]:
    """http(s)/ws(s)/ftp requests in a Chromium net-log: (page's, browser-internal count)."""
    try:
        with open(netlog, encoding="utf-8", errors="replace") as f:
            text = f.read()
        try:
            d = json.loads(text)
        except ValueError:  # killed mid-write: the log is left unterminated
            d = json.loads(text.rstrip().rstrip(",") + "]}")
    except (OSError, ValueError) as e:
        raise RuntimeError(f"could not read chromium's net-log {netlog}: {e}")
    types = {v: k for k, v in d.get("constants", {}).get("logEventTypes", {}).items()}
    page, browser = [], 0
    for e in d.get("events", []):
        if types.get(e.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params") or {}
        url = p.get("url")
        if not url or not re.match(r"(?i)(https?|wss?|ftp):", url):
            continue
        if p.get("initiator") == "not an origin":  # the browser's own traffic, not the page's
            browser += 1
        elif url not in page:
            page.append(url)
    return page, browser


def png_size(path: str) -> list[int] | None:
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return [int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")]


def check_html(data: bytes, res: Result, args: argparse.Namespace) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        res.error(f"not valid UTF-8 at byte {e.start}: {e.reason}")
        return
    scan = StaticScan()
    scan.feed(text)
    scan.close()
    for r in scan.refs:
        res.error(f"not self-contained: {r} (embed it as a data: URL or inline it)")
    chromium = find_chromium()
    tmp = tempfile.mkdtemp(prefix="cis-audit-chromium.")
    try:
        netlog = os.path.join(tmp, "net.json")
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--log-net-log={netlog}"]
        if args.screenshot:
            cmd += [f"--screenshot={os.path.abspath(args.screenshot)}", "--window-size=1400,2000"]
        cmd += ["--dump-dom", "file://" + os.path.abspath(args.file)]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            res.error("chromium did not finish rendering within 120 s")
            return
        secs = round(time.monotonic() - t0, 2)
        stderr = p.stderr.decode("utf-8", "replace")
        if p.returncode != 0 or not p.stdout.strip():
            tail = " | ".join(l for l in stderr.splitlines() if "dbus" not in l.lower())[-400:]
            res.error(f"chromium exited {p.returncode} without a DOM: {tail}")
            return
        dom = p.stdout.decode("utf-8", "replace")
        requests, browser = net_requests(netlog)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for u in requests:
        res.error(f"not self-contained: the page requested {u}")
    console = []
    for m in re.finditer(r':INFO:CONSOLE[^\]]*\] "(.*)", source: (.*)$', stderr, re.M):
        console.append(f"{m.group(1)} ({m.group(2)})")
        if m.group(1).startswith("Uncaught"):
            res.error(f"javascript: {m.group(1)} at {m.group(2)}")
    ds = DomScan()
    ds.feed(dom)
    ds.close()
    body_text = " ".join("".join(ds.text).split())
    if not body_text:
        res.error("the rendered page has no text")
    summary = {
        "title": ds.title,
        "svg_count": ds.svg,
        "text_length": len(body_text),
        "external_requests": requests,
        "external_references": scan.refs,
        "console": console[:20],
        "seconds": secs,
        "browser_internal_requests_blocked": browser,
    }
    if args.screenshot:
        if not os.path.isfile(args.screenshot):
            res.error(f"chromium wrote no screenshot to {args.screenshot}")
        else:
            size = png_size(args.screenshot)
            if size is None:
                res.error(f"{args.screenshot} is not a PNG")
            summary["screenshot"] = {"path": args.screenshot, "size": size}
    res.summary = summary


# --------------------------------------------------------------------------- main

CHECKS: dict[str, Callable[[bytes, Result, argparse.Namespace], None]] = {
    "sarif": check_sarif,
    "sarif-github": check_sarif_github,
    "ocsf": check_ocsf,
    "asff": check_asff,
    "junit": check_junit,
    "csv": check_csv,
    "html": check_html,
}


def validate(fmt: str, path: str, screenshot: str | None = None) -> Result:
    """Run one consumer; raises UsageError for a bad format or an unreadable file."""
    if fmt not in CHECKS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if screenshot and fmt != "html":
        raise UsageError("--screenshot is only for the html format")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}")
    res = Result()
    args = argparse.Namespace(file=path, screenshot=screenshot)
    try:
        CHECKS[fmt](data, res, args)
    except RuntimeError as e:  # the consumer itself could not run
        res.error(f"{fmt} consumer unavailable: {e}")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="validate.py",
        description="Check a cis-audit report with a real consumer of its format.",
        epilog="exit 0: accepted (JSON summary on stdout); 1: rejected (problems on stderr); 2: usage error",
    )
    ap.add_argument("format", metavar="FORMAT", choices=FORMATS, help=" | ".join(FORMATS))
    ap.add_argument("file", metavar="FILE")
    ap.add_argument("--screenshot", metavar="OUT.png", help="html only: also save a 1400x2000 screenshot")
    args = ap.parse_args(argv)
    try:
        res = validate(args.format, args.file, args.screenshot)
    except UsageError as e:
        print(f"validate.py: error: {e}", file=sys.stderr)
        return 2
    for w in res.warnings[:MAX_PRINTED_PROBLEMS]:
        print(f"warning: {w}", file=sys.stderr)
    if res.errors:
        for e in res.errors[:MAX_PRINTED_PROBLEMS]:
            print(f"error: {e}", file=sys.stderr)
        if len(res.errors) > MAX_PRINTED_PROBLEMS:
            print(f"error: ... and {len(res.errors) - MAX_PRINTED_PROBLEMS} more problems", file=sys.stderr)
        return 1
    out = dict(res.summary)
    out["format"] = args.format
    out["warnings"] = res.warnings
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

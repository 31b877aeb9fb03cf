#!/usr/bin/env python3
"""Self-test of tests/consumers/validate.py: each consumer accepts the valid sample of
its format (samples/valid.*) and rejects the invalid one (samples/invalid.*) and a set
of single-fault mutations of the valid one, each with the expected message.

    python tests/consumers/selftest.py

Run with the test virtualenv's python (tests/emulator + tests/consumers requirements);
the html checks need chromium (CIS_AUDIT_TEST_CHROMIUM or on PATH). Exits non-zero if
any check fails.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import traceback
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "samples")
VALIDATE = os.path.join(HERE, "validate.py")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import validate  # noqa: E402

TMP = tempfile.mkdtemp(prefix="cis-audit-consumers.")


def sample(name: str) -> str:
    return os.path.join(SAMPLES, name)


def cli(*args: str) -> tuple[int, dict | None, str]:
    p = subprocess.run([sys.executable, VALIDATE, *args], capture_output=True, text=True, timeout=180)
    summary = None
    if p.returncode == 0:
        assert p.stdout.strip(), f"exit 0 but no summary on stdout; stderr: {p.stderr}"
        summary = json.loads(p.stdout)
    else:
        assert not p.stdout.strip(), f"exit {p.returncode} with stdout: {p.stdout[:300]}"
    return p.returncode, summary, p.stderr


def accepts(fmt: str, path: str, *extra: str) -> dict:
    rc, summary, err = cli(fmt, path, *extra)
    assert rc == 0, f"{fmt} {os.path.basename(path)}: expected exit 0, got {rc}:\n{err}"
    assert summary is not None and summary["format"] == fmt
    return summary


def rejects(fmt: str, path: str, *needles: str) -> str:
    rc, _, err = cli(fmt, path)
    assert rc == 1, f"{fmt} {os.path.basename(path)}: expected exit 1, got {rc}:\n{err}"
    lines = err.splitlines()
    assert lines and all(l.startswith(("error: ", "warning: ")) for l in lines), f"stderr is not one line per problem:\n{err}"
    for n in needles:
        assert n in err, f"{fmt} {os.path.basename(path)}: no problem mentions {n!r}; stderr:\n{err}"
    return err


def write(name: str, content: Any) -> str:
    path = os.path.join(TMP, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        if isinstance(content, (bytes, str)):
            f.write(content)
        else:
            json.dump(content, f, indent=1)
    return path


def load(name: str) -> Any:
    with open(sample(name), encoding="utf-8") as f:
        return json.load(f)


def mutant(fmt: str, base: Any, change: Callable[[Any], Any], *needles: str, ok: bool = False,
           replace: bool = False, suffix: str = ".json") -> validate.Result:
    """Validate (in-process) a deep copy of base changed in place by change, or replaced
    by what change returns when base is a str or replace is set; expect the needles."""
    doc = copy.deepcopy(base)
    out = change(doc)
    if replace or isinstance(base, str):
        doc = out
    path = write(f"mutant{suffix}", doc)
    res = validate.validate(fmt, path)
    text = "\n".join(res.errors + res.warnings)
    if ok:
        assert not res.errors, f"{fmt}: expected acceptance, got:\n{text}"
    else:
        assert res.errors, f"{fmt}: expected a rejection mentioning {needles}, got none"
    for n in needles:
        assert n in text, f"{fmt}: no problem mentions {n!r}; got:\n{text}"
    return res


# ------------------------------------------------------------------------ usage


def t_usage_errors() -> None:
    for args in ([], ["xml", sample("valid.csv")], ["csv", os.path.join(TMP, "missing.csv")],
                 ["sarif", sample("valid.sarif"), "--screenshot", os.path.join(TMP, "x.png")]):
        p = subprocess.run([sys.executable, VALIDATE, *args], capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, f"{args}: expected exit 2, got {p.returncode}: {p.stderr}"
        assert p.stderr.strip() and not p.stdout.strip()


def t_strict_json() -> None:
    for raw, needle in ((b'[{"a": NaN}]', "NaN is not valid JSON"),
                        (b'[{"Id": "x", "Id": "y"}]', "duplicate JSON key 'Id'"),
                        (b'\xef\xbb\xbf[]', "byte order mark"),
                        (b'[{"Title": "\xff"}]', "not valid UTF-8")):
        res = validate.validate("asff", write("strict.json", raw))
        assert any(needle in e for e in res.errors), f"{raw!r}: {res.errors}"


# ------------------------------------------------------------------------ sarif


def t_sarif_valid() -> None:
    s = accepts("sarif", sample("valid.sarif"))
    assert s["runs"] == 1 and s["results"] == 3, s
    assert s["rules"] == ["1.1", "1.4", "3.1", "4.10"], s
    assert s["levels"] == {"none": 2, "warning": 1} and s["kinds"] == {"fail": 1, "pass": 1, "review": 1}, s
    assert s["schemas"] == ["errata01", "cs01"] and s["warnings"] == [], s


def t_sarif_invalid() -> None:
    rejects("sarif", sample("invalid.sarif"),
            "$.version: '2.0.0' is not one of ['2.1.0']",
            "$.runs[0].tool.driver: 'name' is a required property",
            "$.runs[0].results[0].level: 'fatal' is not one of",
            "startTimeUtc: '2025-06-01 12:00:00' is not a 'date-time'",
            "SARIF schema (errata01) $.runs[0].results[1].suppressions[0]: Additional properties are not allowed ('state' was unexpected)",
            "'text' is a required property")


def t_sarif_mutations() -> None:
    base = load("valid.sarif")

    def rules(d: Any) -> list:
        return d["runs"][0]["tool"]["driver"]["rules"]

    def results(d: Any) -> list:
        return d["runs"][0]["results"]

    mutant("sarif", base, lambda d: results(d)[0].update(ruleIndex=7), "ruleIndex 7 is out of range (4 rules)")
    mutant("sarif", base, lambda d: results(d)[0].update(ruleIndex=1), "ruleId '4.10' but rules[1].id is '1.4'")
    mutant("sarif", base, lambda d: results(d)[1].update(level="error"), "kind 'pass' requires level 'none'")
    mutant("sarif", base, lambda d: rules(d)[0].update(helpUri="not a uri"), "'not a uri' is not a 'uri'")
    mutant("sarif", base, lambda d: rules(d).append({"id": "4.10"}), "duplicate rule ids ['4.10']")
    mutant("sarif", base, lambda d: results(d)[0]["locations"][0]["physicalLocation"].update(region={"endLine": 2}),
           "SARIF schema (errata01) $.runs[0].results[0].locations[0].physicalLocation.region")
    # level absent: SARIF takes the rule's defaultConfiguration.level
    r = mutant("sarif", base, lambda d: results(d)[0].pop("level"), ok=True)
    assert r.summary["levels"] == {"none": 2, "warning": 1}, r.summary
    r = mutant("sarif", base, lambda d: results(d)[0].update(ruleId="9.9", ruleIndex=-1), "'9.9' is not in tool.driver.rules", ok=True)


def t_sarif_github() -> None:
    # The sample is valid SARIF but not what code scanning takes: an ARN is no repository path,
    # and the pass/review results have no location.
    rejects("sarif-github", sample("valid.sarif"),
            "runs[0].results[0].locations[0]: artifactLocation.uri 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events' is not a repository-relative path",
            "runs[0].results[1]: no location")
    base = load("valid.sarif")

    def fix(d: Any) -> None:
        res = d["runs"][0]["results"]
        for r in res:
            r["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": f"aws/111122223333/{r['properties']['region']}/{r['ruleId']}"}}}]
            r["partialFingerprints"] = {"cisAudit/v1": f"111122223333/{r['properties']['region']}/{r['ruleId']}"}

    r = mutant("sarif-github", base, fix, ok=True)
    assert r.summary["located_results"] == 3 and r.summary["gzip_bytes"] > 0, r.summary

    def also(f: Callable[[Any], None]) -> Callable[[Any], None]:
        return lambda d: (fix(d), f(d))

    mutant("sarif-github", base, also(lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].update(uri="/abs/x")),
           "'/abs/x' is not a repository-relative path")
    mutant("sarif-github", base, also(lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].update(uri="../x")),
           "'../x' is not a repository-relative path")
    mutant("sarif-github", base, also(lambda d: d["runs"][0]["results"][0].pop("partialFingerprints")), "partialFingerprints missing")
    mutant("sarif-github", base, also(lambda d: d["runs"][0]["tool"]["driver"]["rules"][0].setdefault("properties", {}).update(tags=[str(i) for i in range(21)])),
           "21 tags; at most 20")
    mutant("sarif-github", base, also(lambda d: d["runs"][0]["tool"]["driver"]["rules"][0].setdefault("properties", {}).update({"security-severity": "11"})),
           "security-severity '11'")
    mutant("sarif-github", base, also(lambda d: d["runs"][0].update(results=d["runs"][0]["results"] * 8334)),
           "25002 results; code scanning rejects more than 25000")


def t_sarif_schema_is_offline() -> None:
    import jsonschema
    from referencing.exceptions import Unresolvable

    validators = validate.sarif_validators()
    assert [label for label, _ in validators] == ["errata01", "cs01"]
    assert all(type(v) is jsonschema.Draft7Validator for _, v in validators), validators
    registry = validate.sarif_registry(validate.sarif_schemas())
    # both vendored schemas resolve by their ids, without any download
    for sid in ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
                "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"):
        jsonschema.Draft7Validator({"$ref": sid + "#/definitions/message"}, registry=registry).validate({"text": "x"})
    try:
        jsonschema.Draft7Validator({"$ref": "https://example.invalid/other.json"}, registry=registry).validate({})
    except Unresolvable:
        pass
    else:
        raise AssertionError("a remote $ref resolved: the registry must not retrieve anything")


# ------------------------------------------------------------------------ ocsf


def t_ocsf_valid() -> None:
    s = accepts("ocsf", sample("valid.ocsf.json"))
    assert s["findings"] == 2 and s["ocsf_version"] == "1.5.0", s
    assert s["compliance_status_ids"] == {"Fail": 1, "Pass": 1}, s
    assert s["status_ids"] == {"New": 2} and s["severity_ids"] == {"High": 1, "Medium": 1}, s
    assert s["controls"] == ["1.4", "4.10"] and s["accounts"] == ["111122223333"] and s["profiles"] == ["cloud"], s
    assert s["py_ocsf_models"] == "0.10.0" and s["warnings"] == [], s


def t_ocsf_invalid() -> None:
    rejects("ocsf", sample("invalid.ocsf.json"),
            "$[0].class_uid: 2004 is not an OCSF 1.5.0 value; allowed: 2003 Compliance Finding",
            "$[0].type_uid is 200300; OCSF defines it as class_uid * 100 + activity_id = 200301",
            "$[0].time: 1748779200 is not a plausible timestamp_t",
            "$[0]: missing required attribute 'finding_info'",
            "$[0].resouces: unknown attribute",
            "$[0].compliance.status_id: 4 is not an OCSF 1.5.0 value",
            "$[0].cloud: attribute of the OCSF 'cloud' profile",
            "$[0].metadata.version is '1.4.0'",
            "metadata.product.vendor_name: Field required (py-ocsf-models ComplianceFinding",
            "warning: $[0].severity is 'High' but severity_id 3 is 'Medium'")


def t_ocsf_mutations() -> None:
    base = load("valid.ocsf.json")
    # py-ocsf-models would default these three: the OCSF table must not
    mutant("ocsf", base, lambda d: d[0].pop("class_uid"), "$[0]: missing required attribute 'class_uid'")
    mutant("ocsf", base, lambda d: d[0].pop("type_uid"), "$[0]: missing required attribute 'type_uid'", "type_uid: Field required (py-ocsf-models")
    mutant("ocsf", base, lambda d: d[0]["compliance"].update(stauts_id=3), "$[0].compliance.stauts_id: unknown attribute")
    mutant("ocsf", base, lambda d: d[0].update(severity_id="3"), "$[0].severity_id: must be integer_t")
    mutant("ocsf", base, lambda d: d[0]["cloud"]["account"].update(type_id=42), "$[0].cloud.account.type_id: 42 is not an OCSF 1.5.0 value",
           "cloud.account.type_id: Input should be")
    mutant("ocsf", base, lambda d: d[0]["cloud"].pop("provider"), "$[0].cloud: missing required attribute 'provider'", "(py-ocsf-models Cloud")
    mutant("ocsf", base, lambda d: d[0]["metadata"].update(profiles=[]), "$[0].cloud: attribute of the OCSF 'cloud' profile",
           "$[0].resources[0].region: attribute of the OCSF 'cloud' profile")
    mutant("ocsf", base, lambda d: d[1]["finding_info"].update(uid=d[0]["finding_info"]["uid"]), "finding_info.uid must identify one finding")
    mutant("ocsf", base, lambda d: d[0].update(activity_id=2), "type_uid is 200301; OCSF defines it as class_uid * 100 + activity_id = 200302")
    mutant("ocsf", base, lambda d: [d[0]["resources"][0].pop(k) for k in ("uid", "name")],
           "$[0].resources[0]: OCSF Resource Details needs at least one of ['name', 'uid']")
    mutant("ocsf", base, lambda d: d[0].update(time_dt="2025-06-01T12:00:00Z"), "add \"datetime\" to metadata.profiles")
    mutant("ocsf", base, lambda d: d[0]["remediation"].pop("desc"), "$[0].remediation: missing required attribute 'desc'")
    mutant("ocsf", base, lambda d: d[0].update(message=None), "$[0].message: null is not allowed")
    mutant("ocsf", base, lambda d: d[0]["finding_info"].update(uid=" "), "$[0].finding_info.uid: empty string for a required attribute")
    mutant("ocsf", base, lambda d: d[0]["cloud"]["account"].update(uid=""), "$[0].cloud.account.uid: empty string for an identifying attribute")
    mutant("ocsf", base, lambda d: d[0], "top level must be a JSON array", replace=True)
    r = mutant("ocsf", base, lambda d: d[0]["compliance"].update(status_detail="x"), "deprecated in OCSF 1.5.0: Use the status_details", ok=True)
    assert r.warnings, r.warnings
    mutant("ocsf", base, lambda d: [], ok=True, replace=True)


# ------------------------------------------------------------------------ asff


def t_asff_valid() -> None:
    s = accepts("asff", sample("valid.asff.json"))
    assert s["findings"] == 2 and s["ids_unique"] is True and s["batches"] == 1, s
    assert s["compliance"] == {"FAILED": 1, "PASSED": 1}, s
    assert s["severity"] == {"INFORMATIONAL": 1, "MEDIUM": 1} and s["record_states"] == {"ACTIVE": 2}, s
    assert s["accounts"] == ["111122223333"] and s["regions"] == ["us-east-1"] and s["botocore"] == "1.44.5", s
    assert s["warnings"] == [], s


def t_asff_invalid() -> None:
    rejects("asff", sample("invalid.asff.json"),
            'error: botocore: Missing required parameter in Findings[0]: "Title"',
            'error: botocore: Unknown parameter in Findings[0]: "Control", must be one of: SchemaVersion,',
            "Findings[0].Compliance.Status: 'FAIL' is not one of ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']",
            "Findings[0].Severity.Label: 'SEVERE' is not one of ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']",
            "Findings[0].CreatedAt: '2025-06-01 12:00:00' is not a Security Hub timestamp",
            "Findings[0].ProductArn 'arn:aws:securityhub:us-east-1::product/aws/securityhub'",
            "Findings[0].Types[0] 'CIS/4.10'",
            "Findings[1].Resources: 0 items, the minimum is 1",
            "Findings[1]: missing Severity",
            "finding Ids must be unique; repeated: ['cis-audit/111122223333/us-east-1/4.10']")


def t_asff_mutations() -> None:
    base = load("valid.asff.json")
    mutant("asff", base, lambda d: d[0].update(Id="x" * 513), "Findings[0].Id: length 513 is over the maximum 512", "Findings[0].Id is 513 characters")
    mutant("asff", base, lambda d: d[0].update(Title="t" * 257), "Findings[0].Title: length 257 is over the maximum 256")
    mutant("asff", base, lambda d: d[0].update(Description="d" * 1025), "Findings[0].Description: length 1025 is over the maximum 1024")
    mutant("asff", base, lambda d: d[0].update(AwsAccountId="11112222333"), "is not a 12-digit AWS account id")
    mutant("asff", base, lambda d: d[0].update(ProductArn="arn:aws:securityhub:us-east-1:444455556666:product/444455556666/default"),
           "a custom integration imports with its own default product, arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default")
    mutant("asff", base, lambda d: d[0].update(Region="eu-west-1"), "Findings[0].Region 'eu-west-1' differs from the ProductArn region 'us-east-1'")
    mutant("asff", base, lambda d: d[0]["Severity"].update(Normalized="40"), "botocore: Invalid type for parameter Findings[0].Severity.Normalized")
    mutant("asff", base, lambda d: d[0]["Severity"].clear(), "needs Label (preferred) or Normalized")
    mutant("asff", base, lambda d: d[0].update(UpdatedAt="2025-05-31T12:00:00Z"), "Findings[0].UpdatedAt (2025-05-31T12:00:00Z) is before CreatedAt")
    mutant("asff", base, lambda d: d[0].update(SchemaVersion="2020-01-01"), "it must be '2018-10-08'")
    mutant("asff", base, lambda d: d[0].update(RecordState="OPEN"), "Findings[0].RecordState: 'OPEN' is not one of ['ACTIVE', 'ARCHIVED']")
    mutant("asff", base, lambda d: d[0]["Workflow"].update(Status="OPEN"), "Findings[0].Workflow.Status: 'OPEN' is not one of ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']")
    mutant("asff", base, lambda d: d[0]["Resources"][0].update(Partition="aws-eu"), "Findings[0].Resources[0].Partition: 'aws-eu' is not one of")
    mutant("asff", base, lambda d: d[0].update(Resources=d[0]["Resources"] * 17), "Findings[0].Resources: 34 items, the maximum is 32")
    mutant("asff", base, lambda d: d[0].update(CreatedAt="2025-02-30T12:00:00Z"), "is not a real date/time")
    mutant("asff", base, lambda d: d[0].update(CreatedAt="2025-06-01T12:00:00.1234567891Z"), "is not a Security Hub timestamp")
    mutant("asff", base, lambda d: d[0].update(CreatedAt="2025-06-01T12:00:00+19:00"), "UTC offset beyond +/-18:00")
    mutant("asff", base, lambda d: d[0]["Resources"][1].update(Details={"Other": {f"k{i}": "v" * 2000 for i in range(130)}}),
           "Security Hub rejects findings over 240 KB")
    mutant("asff", base, lambda d: [], 'botocore: Invalid length for parameter Findings, value: 0, valid min length: 1', replace=True)
    mutant("asff", base, lambda d: d[0], "top level must be a JSON array", replace=True)
    for ts in ("2025-06-01T12:00:00Z", "2025-06-01T12:00:00.123456789Z", "2025-06-01T14:00:00+02:00", "2025-06-01T14:00:00+0200"):
        mutant("asff", base, lambda d, ts=ts: d[1].update(CreatedAt=ts, UpdatedAt=ts), ok=True)
    r = mutant("asff", base, lambda d: d[1].pop("Types"), "no Types", ok=True)
    assert r.warnings, r.warnings
    r = mutant("asff", base, lambda d: d[1].update(Types=[]), "no Types", ok=True)
    r = mutant("asff", base, lambda d: [dict(f, Id=f"{f['Id']}/{i}") for i, f in enumerate(d * 60)], ok=True, replace=True)
    assert r.summary["findings"] == 120 and r.summary["batches"] == 2, r.summary


# ------------------------------------------------------------------------ junit


def t_junit_valid() -> None:
    s = accepts("junit", sample("valid.junit.xml"))
    assert (s["tests"], s["failures"], s["errors"], s["skipped"], s["passed"]) == (4, 1, 1, 1, 1), s
    assert s["suites"] == ["CIS AWS Foundations Benchmark v3.0.0 / 111122223333"], s


def t_junit_invalid() -> None:
    rejects("junit", sample("invalid.junit.xml"), "not well-formed XML")


def t_junit_mutations() -> None:
    with open(sample("valid.junit.xml"), encoding="utf-8") as f:
        xml = f.read()
    mutant("junit", xml, lambda d: d.replace('tests="4" failures="1" errors="1" skipped="1" time="42.125" timestamp',
                                             'tests="5" failures="1" errors="1" skipped="1" time="42.125" timestamp'),
           "tests=\"5\" but it has 4 such test cases", suffix=".xml")
    mutant("junit", xml, lambda d: d.replace('<testsuites name="cis-audit" tests="4"', '<testsuites name="cis-audit" tests="3"'),
           'testsuites: tests="3" but the suites hold 4', suffix=".xml")
    mutant("junit", xml, lambda d: d.replace("<testsuites", "<results").replace("</testsuites>", "</results>"),
           "junitparser: Invalid format", suffix=".xml")
    mutant("junit", xml, lambda d: d.replace('name="1.4 Ensure', 'nam="1.4 Ensure'), "testcase #2 has no name attribute", suffix=".xml")
    # a bare <testsuite> root is fine
    one = xml[xml.index("<testsuite "):xml.index("</testsuites>")]
    r = mutant("junit", one, lambda d: d, ok=True, suffix=".xml")
    assert r.summary["tests"] == 4 and r.summary["failures"] == 1, r.summary


# ------------------------------------------------------------------------ csv


def t_csv_valid() -> None:
    s = accepts("csv", sample("valid.csv"))
    assert s["rows"] == 4, s
    assert s["columns"] == ["control", "title", "status", "account", "region", "resource", "message"], s
    assert s["statuses"] == {"ERROR": 1, "FAIL": 1, "MANUAL": 1, "PASS": 1}, s


def t_csv_invalid() -> None:
    rejects("csv", sample("invalid.csv"),
            "header: missing required columns ['region']",
            "line 2: record 1 has 6 fields, the header has 5",
            "line 3: record 2 has 3 fields, the header has 5",
            "line 4: csv: ',' expected after '\"'")


def t_csv_mutations() -> None:
    with open(sample("valid.csv"), encoding="utf-8", newline="") as f:
        text = f.read()
    mutant("csv", text, lambda d: "\ufeff" + d, "byte order mark", suffix=".csv")
    mutant("csv", text, lambda d: d.replace("\r\n1.4,", "\r\n\r\n1.4,"), "line 3: empty line inside the data", suffix=".csv")
    mutant("csv", text, lambda d: d.replace("control,title,status,account,region,resource,message",
                                            "control,title,status,account,region,resource,message,status"),
           "header: duplicate columns ['status']", suffix=".csv")
    mutant("csv", "", lambda d: d, "empty file", suffix=".csv")
    r = mutant("csv", text, lambda d: d.replace("\r\n", "\n"), ok=True, suffix=".csv")  # LF records are read too
    assert r.summary["rows"] == 4, r.summary
    r = mutant("csv", text, lambda d: d.replace("The root user has no access keys.", '=HYPERLINK("https://example.invalid")'),
               "starts with '='; spreadsheets run it as a formula", ok=True, suffix=".csv")
    assert r.warnings


# ------------------------------------------------------------------------ html


def t_html_valid() -> None:
    shot = os.path.join(TMP, "valid.png")
    s = accepts("html", sample("valid.html"), "--screenshot", shot)
    assert s["title"] == "cis-audit report: 111122223333", s
    assert s["svg_count"] == 2 and s["external_requests"] == [] and s["external_references"] == [], s
    assert s["text_length"] > 400 and s["console"] == [], s
    assert s["screenshot"]["size"] == [1400, 2000] and os.path.getsize(shot) > 10000, s


def t_html_invalid() -> None:
    rejects("html", sample("invalid.html"),
            "not self-contained: <link href='https://cdn.example.invalid/report.css'>",
            "not self-contained: <script src='https://cdn.example.invalid/chart.js'>",
            "not self-contained: <img src='logo.png'>",
            "not self-contained: <style> url(logo-bg.png)",
            "not self-contained: the page requested https://cdn.example.invalid/report.css",
            # only the browser can see this one: it is made by a script
            "not self-contained: the page requested https://telemetry.example.invalid/report-viewed",
            "javascript: Uncaught ReferenceError: drawCharts is not defined")


def t_html_mutations() -> None:
    with open(sample("valid.html"), encoding="utf-8") as f:
        html = f.read()
    mutant("html", html, lambda d: d.replace("</body>", "<script>new Image().src = 'http' + '://img.example.invalid/p.gif';</script></body>"),
           "the page requested http://img.example.invalid/p.gif", suffix=".html")
    mutant("html", html, lambda d: d.replace('<div class="n">1</div>passed', '<div class="n" style="background:url(https://x.example.invalid/b.png)">1</div>passed'),
           "<div style> url(https://x.example.invalid/b.png)", suffix=".html")
    mutant("html", "<!DOCTYPE html><html><head><title>empty</title></head><body><script>1</script></body></html>", lambda d: d,
           "the rendered page has no text", suffix=".html")
    r = mutant("html", html, lambda d: d.replace("<title>cis-audit report: 111122223333</title>", ""), ok=True, suffix=".html")
    assert r.summary["title"] is None, r.summary


TESTS = [
    t_usage_errors, t_strict_json,
    t_sarif_valid, t_sarif_invalid, t_sarif_mutations, t_sarif_github, t_sarif_schema_is_offline,
    t_ocsf_valid, t_ocsf_invalid, t_ocsf_mutations,
    t_asff_valid, t_asff_invalid, t_asff_mutations,
    t_junit_valid, t_junit_invalid, t_junit_mutations,
    t_csv_valid, t_csv_invalid, t_csv_mutations,
    t_html_valid, t_html_invalid, t_html_mutations,
]


def main() -> int:
    passed = failed = 0
    for test in TESTS:
        try:
            test()
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL {test.__name__}", flush=True)
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {test.__name__}", flush=True)
    print(f"consumers selftest: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Helpers for scripts/bench (not a test).

    python bench.py spec CONTROLS_JSON ACCOUNT [--regions a,b]   # a compliant account, as a seeder spec
    python bench.py replicate INVENTORY N OUT [--distinct]        # N copies with their own account ids
    python bench.py summary REPORT_JSON                            # api calls / verdict counts, one line of JSON
    python bench.py org-inventory INVENTORY N OUT                   # an organisation of N accounts
    python bench.py chromium-load FILE.html [--timeout S]           # seconds headless Chromium takes to load it

`spec` reads `cis-audit controls --benchmark V --json` and builds a seeder spec for an account
where every control passes: a multi-region logging trail delivering to a log group, one metric
filter per monitoring control (its benchmark text), the CIS alarm on each, one topic with a
confirmed email subscriber, and an AWS Config recorder in every region given.

`replicate` copies the accounts of a saved inventory N times with new account ids (in every id
and ARN). With --distinct every copy's filter patterns get their own text (extra spaces, so the
same meaning): nothing can be shared between accounts by pattern text.
"""
from __future__ import annotations

import json
import sys


def spec(controls_json: str, account: str, regions: list[str]) -> dict:
    controls = json.load(open(controls_json))["controls"]
    filters, alarms = [], []
    for c in controls:
        if c.get("check") != "metric-filter-chain":
            continue
        metric = c.get("metric_name") or c["key"]
        filters.append({"region": "us-east-1", "log_group": "ct-logs", "name": metric, "pattern": c["patterns"][0],
                        "metric_name": metric, "namespace": "CISBenchmark"})
        alarms.append({"region": "us-east-1", "name": f"{metric}-alarm", "metric_name": metric,
                       "namespace": "CISBenchmark", "topic": "cis-alarms"})
    return {
        "account": account,
        "trails": [{"name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": True,
                    "logging": True, "log_group": "ct-logs",
                    "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]}],
        "metric_filters": filters,
        "alarms": alarms,
        "topics": [{"region": "us-east-1", "name": "cis-alarms",
                    "subscriptions": [{"protocol": "email", "endpoint": "secops@example.com", "confirm": True}]}],
        "config": [{"region": r, "recorder": "default", "include_global": r == "us-east-1",
                    "delivery_channel": {"name": "default", "bucket": "config-{account}-" + r}} for r in regions],
    }


def replicate(path: str, n: int, out: str, distinct: bool) -> None:
    inv = json.load(open(path))
    base_accounts = inv["accounts"]
    ids = [a["account_id"] for a in base_accounts]
    per = {k: inv[k] for k in ("log_groups", "metric_alarms", "topics")}
    result = dict(inv)
    result["accounts"], result["log_groups"], result["metric_alarms"], result["topics"] = [], [], [], []
    for i in range(n):
        new_ids = {old: f"{700000000000 + i * len(ids) + j:012d}" for j, old in enumerate(ids)}

        def rename(v):
            s = json.dumps(v)
            for old, new in new_ids.items():
                s = s.replace(old, new)
            return json.loads(s)

        for a in base_accounts:
            result["accounts"].append(rename(a))
        for k, items in per.items():
            for item in items:
                item = rename(item)
                if distinct and k == "log_groups" and "ok" in item["metric_filters"]:
                    for f in item["metric_filters"]["ok"]:
                        f["pattern"] = distinct_text(f["pattern"], i)
                result[k].append(item)
    json.dump(result, open(out, "w"))


def distinct_text(pattern: str, i: int) -> str:
    """The same pattern with spacing of its own for copy i (< 1000): the digits of i set the
    spaces after '{', before '}' and after the first '(' or '$' — never more than 30 characters."""
    a, b, c = i % 10, (i // 10) % 10, (i // 100) % 10
    body = pattern.strip()
    assert body.startswith("{") and body.endswith("}"), pattern
    inner = body[1:-1].strip()
    j = next((k for k, ch in enumerate(inner) if ch in "($"), 0)
    inner = inner[: j + 1] + " " * c + inner[j + 1:] if inner[j] == "(" else " " * c + inner
    return "{" + " " * (a + 1) + inner + " " * (b + 1) + "}"


OUS = ["Root/Prod/Web", "Root/Prod/Data", "Root/Prod/Payments", "Root/Staging", "Root/Dev/Web", "Root/Dev/Data",
       "Root/Sandbox", "Root/Security", "Root/Shared/Network", "Root/Shared/Logging", "Root/Suspended-Review", "Root"]
TEAMS = ["checkout", "search", "ledger", "identity", "media", "analytics", "billing", "ml", "edge", "platform"]


def org_inventory(path: str, n: int, out: str) -> None:
    """N copies of a saved one-account inventory (the demo's: a mix of verdicts) as the accounts of
    an organisation: distinct ids, names (team-env-NNNN) and OUs (12, some nested), and a mix of
    verdicts that differs by account (deterministic): a stricter password policy, the metric
    filters gone, EBS encryption on, AWS Config stopped, one account in 97 unreadable (ERROR)."""
    inv = json.load(open(path))
    assert len(inv["accounts"]) == 1, "org-inventory takes a one-account inventory"
    old = inv["accounts"][0]["account_id"]
    base = {k: inv[k] for k in ("accounts", "log_groups", "metric_alarms", "topics")}
    text = {k: json.dumps(v) for k, v in base.items()}
    result = dict(inv)
    for k in base:
        result[k] = []
    members = []
    for i in range(n):
        new = f"{500000000000 + i * 7919:012d}"
        acct, lgs, alarms, topics = (json.loads(text[k].replace(old, new)) for k in ("accounts", "log_groups", "metric_alarms", "topics"))
        a = acct[0]
        h = (i * 2654435761 + 12345) % 2**32  # a mix independent of the OU (which is i * 7 % 12)
        if (h >> 3) % 3 == 0 and "password_policy" in a.get("account_wide", {}):
            pp = a["account_wide"]["password_policy"]
            if isinstance(pp.get("ok"), dict):
                pp["ok"]["minimum_password_length"] = 14
        if (h >> 7) % 4 == 1:
            for g in lgs:
                if "ok" in g["metric_filters"]:
                    g["metric_filters"]["ok"] = g["metric_filters"]["ok"][: (h >> 11) % 5]
        if (h >> 13) % 5 == 2:
            for r in a.get("resources", []):
                if "ebs_encryption_by_default" in r:
                    r["ebs_encryption_by_default"] = {"ok": True}
        if (h >> 17) % 6 == 4:
            for c in a.get("config", []):
                st = c.get("recorder_statuses", {})
                for x in st.get("ok", []) if isinstance(st, dict) else []:
                    x["recording"] = False
        if i % 97 == 5:
            a["error"] = {"operation": "sts:AssumeRole", "account": new, "region": None, "code": "AccessDenied",
                          "message": "not authorized to assume the role"}
        result["accounts"].extend(acct)
        result["log_groups"].extend(lgs)
        result["metric_alarms"].extend(alarms)
        result["topics"].extend(topics)
        env = ["prod", "staging", "dev", "sandbox"][i % 4]
        members.append({"id": new, "name": f"{TEAMS[i % len(TEAMS)]}-{env}-{i:04d}", "email": f"aws+{i}@example.com",
                        "status": "ACTIVE", "ou": OUS[(i * 7) % len(OUS)]})
    result["organization"] = {"id": "o-bench", "management_account": members[0]["id"],
                              "caller_account": members[0]["id"], "accounts": members}
    json.dump(result, open(out, "w"))


def chromium_load(path: str, timeout: float) -> None:
    """Wall seconds of headless Chromium loading FILE and printing its DOM (page parsed, laid out,
    scripts run), and the same for an empty page (Chromium's own start-up), as JSON."""
    import os
    import shutil
    import subprocess
    import tempfile
    import time
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "consumers"))
    import validate  # noqa: E402  (its Chromium flags and finder)
    chromium = validate.find_chromium()

    def load(p: str) -> float | None:
        # The DOM goes to a file, not a pipe: a helper process Chromium leaves behind may hold a
        # pipe open long after the browser exited. Only the browser's own exit is waited for,
        # then its whole process group is ended.
        import signal
        tmp = tempfile.mkdtemp(prefix="cis-audit-bench-chromium.")
        try:
            cmd = [chromium, *validate.CHROMIUM_FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile')}", "--dump-dom",
                   "file://" + os.path.abspath(p)]
            dom = os.path.join(tmp, "dom.html")
            with open(dom, "wb") as out:
                t0 = time.monotonic()
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
                try:
                    rc = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    rc = None
                secs = round(time.monotonic() - t0, 2)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            return secs if rc == 0 and os.path.getsize(dom) > 0 else None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    empty = os.path.join(tempfile.mkdtemp(prefix="cis-audit-bench-empty."), "empty.html")
    open(empty, "w").write("<!DOCTYPE html><title>empty</title><p>empty</p>")
    print(json.dumps({"seconds": load(path), "empty_page_seconds": load(empty), "bytes": os.path.getsize(path)}))


def summary(path: str) -> None:
    r = json.load(open(path))
    counts: dict = {}
    for c in r["controls"]:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    print(json.dumps({"api_calls": r["stats"]["api_calls_total"], "duration_ms": r["stats"]["duration_ms"],
                      "verdicts": counts, "accounts": len(r["scope"])}))


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "spec":
        regions = ["us-east-1"]
        if "--regions" in argv:
            regions = argv[argv.index("--regions") + 1].split(",")
        print(json.dumps(spec(argv[2], argv[3], regions)))
    elif cmd == "replicate":
        replicate(argv[2], int(argv[3]), argv[4], "--distinct" in argv)
    elif cmd == "summary":
        summary(argv[2])
    elif cmd == "org-inventory":
        org_inventory(argv[2], int(argv[3]), argv[4])
    elif cmd == "chromium-load":
        chromium_load(argv[2], float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 600.0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

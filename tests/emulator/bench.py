#!/usr/bin/env python3
"""Helpers for scripts/bench (not a test).

    python bench.py spec CONTROLS_JSON ACCOUNT [--regions a,b]   # a compliant account, as a seeder spec
    python bench.py replicate INVENTORY N OUT [--distinct]        # N copies with their own account ids
    python bench.py summary REPORT_JSON                            # api calls / verdict counts, one line of JSON

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
        if c["kind"] != "metric-filter-chain":
            continue
        metric = c["metric_name"] or c["check"]
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
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

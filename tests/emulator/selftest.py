#!/usr/bin/env python3
"""Self-test of the cis-audit emulator harness (server.py + seed.py).

    python selftest.py --endpoint http://127.0.0.1:PORT

Run with the emulator venv's python against a running server. Uses fresh
random account ids, so it can run against a server that already holds state;
but the last check calls POST /_harness/reset, which wipes the whole emulator
(skip it with --keep-state). Exits non-zero if any check fails.

Checks: seeding and read-back, SNS pending/confirm, the CloudWatch RPC v2 CBOR
bridge, faults (JSON, query, CBOR; delays with and without pass-through, a
client SIGKILLed during a delayed call), account:ListRegions, CloudTrail ->
CloudWatch Logs delivery status, KMS keys / SNS topic policy and encryption /
EventBridge target round trips, Security Hub, Organizations with member
accounts, and what reset clears.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from typing import Any, Callable

import boto3
import botocore.model
import cbor2
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = Config(retries={"total_max_attempts": 1, "mode": "standard"})
EP = ""


def fresh_account() -> str:
    return str(random.randint(200000000000, 999999999999))


def session_for(account: str) -> boto3.Session:
    base = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    c = base.client("sts", endpoint_url=EP, config=CFG).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/selftest", RoleSessionName="selftest"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


def client(sess: boto3.Session, service: str, region: str = "us-east-1") -> Any:
    return sess.client(service, region_name=region, endpoint_url=EP, config=CFG)


def cbor_call(sess: boto3.Session, op: str, body: dict | None, region: str = "us-east-1") -> requests.Response:
    """A hand-made Smithy RPC v2 CBOR CloudWatch request, as aws-sdk-cloudwatch sends it."""
    url = f"{EP}/service/GraniteServiceVersion20100801/operation/{op}"
    data = cbor2.dumps(body) if body is not None else b""
    headers = {"smithy-protocol": "rpc-v2-cbor", "Accept": "application/cbor"}
    if body is not None:
        headers["Content-Type"] = "application/cbor"
    req = AWSRequest(method="POST", url=url, data=data, headers=headers)
    SigV4Auth(sess.get_credentials().get_frozen_credentials(), "monitoring", region).add_auth(req)
    return requests.post(url, data=data, headers=dict(req.headers), timeout=30)


def cbor_ok(resp: requests.Response) -> dict:
    assert resp.status_code == 200, f"HTTP {resp.status_code}: {resp.content[:300]!r}"
    assert resp.headers.get("smithy-protocol") == "rpc-v2-cbor", resp.headers
    assert resp.headers.get("Content-Type") == "application/cbor", resp.headers
    return cbor2.loads(resp.content) if resp.content else {}


def raw_cbor_types(data: bytes) -> dict:
    return cbor2.loads(data)


def cbor_client(sess: boto3.Session, region: str = "us-east-1") -> Any:
    """A botocore CloudWatch client forced onto smithy-rpc-v2-cbor (botocore would pick JSON)."""
    saved = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor",) + tuple(
        p for p in saved if p != "smithy-rpc-v2-cbor"
    )
    try:
        c = client(sess, "cloudwatch", region)
        assert c.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
        return c
    finally:
        botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = saved


def add_fault(**fault: Any) -> None:
    r = requests.post(f"{EP}/_harness/faults", json=fault, timeout=30)
    assert r.status_code == 200, r.text


def clear_faults() -> None:
    r = requests.delete(f"{EP}/_harness/faults", timeout=30)
    assert r.status_code == 200, r.text


def expect_client_error(fn: Callable[[], Any], code: str, status: int = 400, message: str | None = None) -> ClientError:
    try:
        fn()
    except ClientError as exc:
        got = exc.response["Error"].get("Code")
        assert got == code, f"expected {code}, got {got}: {exc.response['Error']}"
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == status, exc.response["ResponseMetadata"]
        if message is not None:
            assert exc.response["Error"].get("Message") == message, exc.response["Error"]
        return exc
    raise AssertionError(f"expected {code}, call succeeded")


def seed(spec: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "seed.py"), "--endpoint", EP, "--spec", "-", "--json"],
        input=json.dumps(spec), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"seed.py failed ({proc.returncode}): {proc.stderr}"
    return json.loads(proc.stdout)


def spec_for(account: str) -> dict:
    return {
        "account": account,
        "log_groups": [{"region": "us-east-1", "name": "ct-logs"}],
        "trails": [{
            "name": "main", "region": "us-east-1", "bucket": "trail-{account}", "multi_region": True,
            "logging": True, "log_group": "ct-logs",
            "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
        }],
        "metric_filters": [{
            "region": "us-east-1", "log_group": "ct-logs", "name": "sg-changes",
            "pattern": "{ ($.eventName = CreateSecurityGroup) }", "metric_name": "SecurityGroupChanges",
        }],
        "topics": [{"region": "us-east-1", "name": "cis-alarms", "subscriptions": [
            {"protocol": "email", "endpoint": "secops@example.com", "confirm": True},
            {"protocol": "email", "endpoint": "nobody@example.com"},
            {"protocol": "sqs", "endpoint": f"arn:aws:sqs:us-east-1:{account}:q"},
        ]}],
        "alarms": [
            {"region": "us-east-1", "name": "sg-changes-alarm", "metric_name": "SecurityGroupChanges",
             "topic": "cis-alarms"},
            {"region": "us-east-1", "name": "dangling", "metric_name": "Other",
             "alarm_actions": [f"arn:aws:sns:us-east-1:{account}:missing"], "actions_enabled": False},
        ],
        "config": [
            {"region": "us-east-1", "recorder": "default", "delivery_channel": {"name": "default", "bucket": "cfg-{account}"}},
            {"region": "eu-west-1", "recorder": "default", "recording": False,
             "delivery_channel": {"name": "default", "bucket": "cfg-{account}"}},
        ],
    }


# ---------------------------------------------------------------------------
class Ctx:
    a: str
    b: str
    sa: boto3.Session
    sb: boto3.Session
    seeded: dict


CTX = Ctx()


def t_health() -> None:
    r = requests.get(f"{EP}/_harness/health", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok", r.text


def t_seed_and_read_back() -> None:
    CTX.a, CTX.b = fresh_account(), fresh_account()
    CTX.seeded = seed(spec_for(CTX.a))
    CTX.sa, CTX.sb = session_for(CTX.a), session_for(CTX.b)
    ident = client(CTX.sa, "sts").get_caller_identity()
    assert ident["Account"] == CTX.a, ident

    ct = client(CTX.sa, "cloudtrail")
    trails = ct.describe_trails()["trailList"]
    assert [t["Name"] for t in trails] == ["main"], trails
    t = trails[0]
    assert t["IsMultiRegionTrail"] and t["HomeRegion"] == "us-east-1", t
    assert t["TrailARN"] == f"arn:aws:cloudtrail:us-east-1:{CTX.a}:trail/main", t
    assert t["CloudWatchLogsLogGroupArn"] == f"arn:aws:logs:us-east-1:{CTX.a}:log-group:ct-logs:*", t
    assert ct.get_trail_status(Name=t["TrailARN"])["IsLogging"] is True
    sel = ct.get_event_selectors(TrailName=t["TrailARN"])["EventSelectors"]
    assert sel and sel[0]["ReadWriteType"] == "All" and sel[0]["IncludeManagementEvents"], sel
    # shadow trail visible from another region
    eu = client(CTX.sa, "cloudtrail", "eu-west-1").describe_trails()["trailList"]
    assert [x["TrailARN"] for x in eu] == [t["TrailARN"]], eu

    mf = client(CTX.sa, "logs").describe_metric_filters(logGroupName="ct-logs")["metricFilters"]
    assert len(mf) == 1 and mf[0]["metricTransformations"][0]["metricNamespace"] == "CISBenchmark", mf

    alarms = client(CTX.sa, "cloudwatch").describe_alarms()["MetricAlarms"]  # boto3: AWS JSON 1.0
    by_name = {x["AlarmName"]: x for x in alarms}
    assert set(by_name) == {"sg-changes-alarm", "dangling"}, by_name
    assert by_name["sg-changes-alarm"]["AlarmActions"] == [f"arn:aws:sns:us-east-1:{CTX.a}:cis-alarms"]
    assert by_name["dangling"]["ActionsEnabled"] is False

    cfg = client(CTX.sa, "config")
    rec = cfg.describe_configuration_recorders()["ConfigurationRecorders"]
    assert rec[0]["recordingGroup"]["allSupported"] is True, rec
    st = cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert st[0]["recording"] is True, st
    st_eu = client(CTX.sa, "config", "eu-west-1").describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert st_eu[0]["recording"] is False, st_eu
    assert client(CTX.sa, "config", "eu-central-1").describe_configuration_recorders()["ConfigurationRecorders"] == []


def t_sns_pending_and_confirm() -> None:
    sns = client(CTX.sa, "sns")
    topic = f"arn:aws:sns:us-east-1:{CTX.a}:cis-alarms"
    subs = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    assert subs["nobody@example.com"] == "PendingConfirmation", subs
    assert subs["secops@example.com"].startswith(topic + ":"), subs
    assert subs[f"arn:aws:sqs:us-east-1:{CTX.a}:q"].startswith(topic + ":"), subs
    all_subs = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]}
    assert all_subs["nobody@example.com"] == "PendingConfirmation", all_subs
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attrs["SubscriptionsPending"], attrs["SubscriptionsConfirmed"]) == ("1", "2"), attrs

    # Subscribe answers like AWS for pending protocols
    r = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://hooks.example.com/x")
    assert r["SubscriptionArn"] == "pending confirmation", r
    r = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f"arn:aws:lambda:us-east-1:{CTX.a}:function:f")
    assert r["SubscriptionArn"].startswith(topic + ":"), r

    # confirm one endpoint
    resp = requests.post(f"{EP}/_harness/sns/confirm", json={
        "account_id": CTX.a, "topic_arn": topic, "endpoint": "nobody@example.com"}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert len(body["confirmed"]) == 1 and body["confirmed"][0].startswith(topic + ":"), body
    subs = {s["Endpoint"]: s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    assert subs["nobody@example.com"] == body["confirmed"][0], subs
    assert subs["https://hooks.example.com/x"] == "PendingConfirmation", subs
    got = sns.get_subscription_attributes(SubscriptionArn=body["confirmed"][0])["Attributes"]
    assert got["PendingConfirmation"] == "false", got
    # confirm all remaining (no endpoint)
    resp = requests.post(f"{EP}/_harness/sns/confirm", json={"account_id": CTX.a, "topic_arn": topic}, timeout=10)
    assert resp.status_code == 200 and len(resp.json()["confirmed"]) == 1, resp.text
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert all(s["SubscriptionArn"] != "PendingConfirmation" for s in subs), subs
    # unknown topic
    resp = requests.post(f"{EP}/_harness/sns/confirm", json={
        "account_id": CTX.a, "topic_arn": f"arn:aws:sns:us-east-1:{CTX.a}:nope"}, timeout=10)
    assert resp.status_code == 404, resp.text


def t_cloudwatch_cbor_raw() -> None:
    s = CTX.sa
    put = {
        "AlarmName": "cbor-alarm", "MetricName": "CborMetric", "Namespace": "CISBenchmark",
        "Statistic": "Sum", "Period": 300, "Threshold": 1.0, "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "ActionsEnabled": True,
        "AlarmActions": [f"arn:aws:sns:us-east-1:{CTX.a}:cis-alarms"],
        "Dimensions": [{"Name": "Env", "Value": "prod"}],
    }
    r = cbor_call(s, "PutMetricAlarm", put)
    assert r.status_code == 200, (r.status_code, r.content)
    r = cbor_call(s, "DescribeAlarms", {"AlarmNames": ["cbor-alarm"]})
    body = cbor_ok(r)
    assert len(body["MetricAlarms"]) == 1, body
    alarm = body["MetricAlarms"][0]
    assert alarm["AlarmActions"] == put["AlarmActions"] and alarm["ActionsEnabled"] is True, alarm
    assert alarm["Dimensions"] == put["Dimensions"], alarm
    assert isinstance(alarm["StateUpdatedTimestamp"], dt.datetime), alarm
    raw = raw_cbor_types(r.content)["MetricAlarms"][0]
    assert isinstance(raw["Threshold"], float), raw["Threshold"]
    assert type(raw["EvaluationPeriods"]) is int and type(raw["Period"]) is int, raw
    assert raw["ActionsEnabled"] is True, raw
    # timestamps on the wire: tag 1 (0xc1) followed by a float64 (0xfb), what aws-smithy-cbor reads
    for key in ("StateUpdatedTimestamp", "AlarmConfigurationUpdatedTimestamp"):
        assert cbor2.dumps(key) + b"\xc1\xfb" in r.content, key
    assert cbor2.dumps("Threshold") + b"\xfb" in r.content
    # DescribeAlarms with no input body at all (unit-like request)
    names = {a["AlarmName"] for a in cbor_ok(cbor_call(s, "DescribeAlarms", None))["MetricAlarms"]}
    assert {"cbor-alarm", "sg-changes-alarm", "dangling"} <= names, names
    # AlarmTypes
    b = cbor_ok(cbor_call(s, "DescribeAlarms", {"AlarmTypes": ["CompositeAlarm"]}))
    assert b.get("MetricAlarms", []) == [], b
    b = cbor_ok(cbor_call(s, "DescribeAlarms", {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"], "AlarmNames": ["cbor-alarm"]}))
    assert [a["AlarmName"] for a in b["MetricAlarms"]] == ["cbor-alarm"], b
    # DescribeAlarmsForMetric
    b = cbor_ok(cbor_call(s, "DescribeAlarmsForMetric", {"MetricName": "CborMetric", "Namespace": "CISBenchmark"}))
    assert [a["AlarmName"] for a in b["MetricAlarms"]] == ["cbor-alarm"], b
    # the other account sees nothing
    b = cbor_ok(cbor_call(CTX.sb, "DescribeAlarms", {}))
    assert b.get("MetricAlarms") == [], b
    # another region of the same account sees nothing
    b = cbor_ok(cbor_call(s, "DescribeAlarms", {}, region="eu-west-1"))
    assert b.get("MetricAlarms") == [], b
    # DeleteAlarms
    r = cbor_call(s, "DeleteAlarms", {"AlarmNames": ["cbor-alarm"]})
    assert r.status_code == 200, r.content
    b = cbor_ok(cbor_call(s, "DescribeAlarms", {"AlarmNames": ["cbor-alarm"]}))
    assert b["MetricAlarms"] == [], b
    # a natural moto error keeps its status and comes back in the rpc-v2-cbor error shape
    r = cbor_call(s, "GetDashboard", {"DashboardName": "nope"})
    assert r.status_code == 404 and r.headers.get("smithy-protocol") == "rpc-v2-cbor", (r.status_code, r.headers)
    err = cbor2.loads(r.content)
    assert err["__type"] == "ResourceNotFound" and err["message"], err


def t_cloudwatch_cbor_botocore() -> None:
    cw = cbor_client(CTX.sa)
    cw.put_metric_alarm(
        AlarmName="botocore-cbor", MetricName="M2", Namespace="CISBenchmark", Statistic="Sum",
        Period=60, Threshold=2.5, ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=3,
        AlarmActions=[f"arn:aws:sns:us-east-1:{CTX.a}:cis-alarms"],
    )
    a = cw.describe_alarms(AlarmNames=["botocore-cbor"])["MetricAlarms"][0]
    assert a["Threshold"] == 2.5 and a["EvaluationPeriods"] == 3 and a["Period"] == 60, a
    assert isinstance(a["AlarmConfigurationUpdatedTimestamp"], dt.datetime), a
    got = cw.describe_alarms_for_metric(MetricName="M2", Namespace="CISBenchmark")["MetricAlarms"]
    assert [x["AlarmName"] for x in got] == ["botocore-cbor"], got
    cw.delete_alarms(AlarmNames=["botocore-cbor"])
    assert cw.describe_alarms(AlarmNames=["botocore-cbor"])["MetricAlarms"] == []
    # the same alarm is visible via boto3's default protocol (JSON 1.0)
    assert "sg-changes-alarm" in {x["AlarmName"] for x in cw.describe_alarms()["MetricAlarms"]}


def t_faults_json() -> None:
    clear_faults()
    add_fault(account_id=CTX.a, operation="DescribeTrails", error_code="AccessDeniedException",
              message="no trails for you", http_status=400, times=1)
    add_fault(account_id=CTX.a, operation="DescribeMetricFilters", error_code="ThrottlingException",
              message="slow down", http_status=400, times=None)
    add_fault(account_id=CTX.a, operation="DescribeConfigurationRecorderStatus", region="eu-west-1",
              error_code="AccessDeniedException", message="denied in eu", times=None)
    ct = client(CTX.sa, "cloudtrail")
    exc = expect_client_error(ct.describe_trails, "AccessDeniedException", 400, "no trails for you")
    hdrs = exc.response["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs.get("x-amzn-errortype") == "AccessDeniedException", hdrs
    assert "json" in hdrs.get("content-type", ""), hdrs
    ct.describe_trails()  # times=1 consumed
    logs = client(CTX.sa, "logs")
    for _ in range(2):  # times=null: forever
        expect_client_error(lambda: logs.describe_metric_filters(logGroupName="ct-logs"), "ThrottlingException")
    client(CTX.sb, "logs").describe_metric_filters()  # other account unaffected
    expect_client_error(client(CTX.sa, "config", "eu-west-1").describe_configuration_recorder_status,
                        "AccessDeniedException", 400, "denied in eu")
    client(CTX.sa, "config", "us-east-1").describe_configuration_recorder_status()  # other region fine
    listed = requests.get(f"{EP}/_harness/faults", timeout=10).json()["faults"]
    assert {f["operation"] for f in listed} == {"DescribeMetricFilters", "DescribeConfigurationRecorderStatus"}, listed
    clear_faults()
    logs.describe_metric_filters(logGroupName="ct-logs")


def t_faults_query() -> None:
    clear_faults()
    topic = f"arn:aws:sns:us-east-1:{CTX.a}:cis-alarms"
    add_fault(account_id=CTX.a, operation="ListSubscriptionsByTopic", error_code="AuthorizationError",
              message="not authorized", http_status=403, times=1)
    add_fault(account_id=CTX.b, operation="GetCallerIdentity", error_code="ExpiredToken",
              message="expired", http_status=400, times=1)
    sns = client(CTX.sa, "sns")
    exc = expect_client_error(lambda: sns.list_subscriptions_by_topic(TopicArn=topic), "AuthorizationError", 403, "not authorized")
    assert exc.response["Error"].get("Type") == "Sender", exc.response
    assert "xml" in exc.response["ResponseMetadata"]["HTTPHeaders"].get("content-type", "")
    sns.list_subscriptions_by_topic(TopicArn=topic)
    client(CTX.sa, "sts").get_caller_identity()  # account A not targeted
    expect_client_error(client(CTX.sb, "sts").get_caller_identity, "ExpiredToken", 400, "expired")
    client(CTX.sb, "sts").get_caller_identity()
    clear_faults()


def t_faults_cbor() -> None:
    clear_faults()
    add_fault(account_id=CTX.a, operation="DescribeAlarms", error_code="AccessDenied",
              message="cw denied", http_status=403, times=2)
    r = cbor_call(CTX.sa, "DescribeAlarms", {})
    assert r.status_code == 403 and r.headers.get("smithy-protocol") == "rpc-v2-cbor", (r.status_code, r.headers)
    assert r.headers.get("Content-Type") == "application/cbor"
    assert cbor2.loads(r.content) == {"__type": "AccessDenied", "message": "cw denied"}, r.content
    expect_client_error(cbor_client(CTX.sa).describe_alarms, "AccessDenied", 403, "cw denied")
    cbor_ok(cbor_call(CTX.sa, "DescribeAlarms", {}))  # both uses consumed
    # a 5xx fault on the JSON 1.0 path (boto3 default protocol) too
    add_fault(operation="DescribeAlarms", error_code="InternalFailure", message="boom", http_status=500, times=1)
    expect_client_error(client(CTX.sb, "cloudwatch").describe_alarms, "InternalFailure", 500)
    clear_faults()


def t_faults_validation() -> None:
    r = requests.post(f"{EP}/_harness/faults", json={"error_code": "X"}, timeout=10)
    assert r.status_code == 400, r.text
    r = requests.post(f"{EP}/_harness/faults", json={"operation": "X", "times": 0}, timeout=10)
    assert r.status_code == 400, r.text
    r = requests.get(f"{EP}/_harness/nope", timeout=10)
    assert r.status_code == 404, r.text


def t_account_isolation() -> None:
    sb = CTX.sb
    assert client(sb, "cloudtrail").describe_trails()["trailList"] == []
    assert client(sb, "sns").list_topics()["Topics"] == []
    assert client(sb, "logs").describe_metric_filters()["metricFilters"] == []
    assert client(sb, "cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert client(sb, "config").describe_configuration_recorders()["ConfigurationRecorders"] == []
    # same names in account B do not collide with A
    seeded = seed(spec_for(CTX.b))
    assert seeded["account"] == CTX.b
    tb = client(sb, "cloudtrail").describe_trails()["trailList"]
    assert [t["TrailARN"] for t in tb] == [f"arn:aws:cloudtrail:us-east-1:{CTX.b}:trail/main"], tb
    ta = client(CTX.sa, "cloudtrail").describe_trails()["trailList"]
    assert [t["TrailARN"] for t in ta] == [f"arn:aws:cloudtrail:us-east-1:{CTX.a}:trail/main"], ta
    # B's pending subscription is untouched by A's confirmations
    subs = client(sb, "sns").list_subscriptions_by_topic(TopicArn=f"arn:aws:sns:us-east-1:{CTX.b}:cis-alarms")["Subscriptions"]
    assert sorted(s["SubscriptionArn"] == "PendingConfirmation" for s in subs) == [False, False, True], subs


def t_demo_seed() -> None:
    account = fresh_account()
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "seed.py"), "--endpoint", EP, "--demo", account],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"seeded account {account}" in proc.stdout, proc.stdout
    s = session_for(account)
    mf = client(s, "logs").describe_metric_filters()["metricFilters"]
    assert any("ModifySecurityGroupRules" in f["filterPattern"] for f in mf), mf
    st = client(s, "config", "eu-central-1").describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert all(not x["recording"] for x in st), st


def t_account_list_regions() -> None:
    acct = client(CTX.sa, "account")
    regions = {r["RegionName"]: r["RegionOptStatus"] for r in acct.list_regions()["Regions"]}
    assert regions["us-east-1"] == "ENABLED_BY_DEFAULT" and regions["eu-south-1"] == "DISABLED", regions
    r = requests.post(f"{EP}/_harness/account/regions", json={
        "account_id": CTX.a, "regions": {"eu-south-1": "ENABLED", "eu-west-3": "DISABLED"}}, timeout=10)
    assert r.status_code == 200, r.text
    got = acct.list_regions(RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"])["Regions"]
    names = {x["RegionName"] for x in got}
    assert "eu-south-1" in names and "eu-west-3" not in names and "us-east-1" in names, names
    other = {x["RegionName"]: x["RegionOptStatus"] for x in client(CTX.sb, "account").list_regions()["Regions"]}
    assert other["eu-south-1"] == "DISABLED", other  # per account
    add_fault(account_id=CTX.a, operation="ListRegions", error_code="AccessDeniedException",
              message="no account:ListRegions", http_status=403, times=1)
    expect_client_error(acct.list_regions, "AccessDeniedException", 403, "no account:ListRegions")
    acct.list_regions()
    clear_faults()


# -- delayed operations ----------------------------------------------------------
def delaying(account: str) -> list[dict]:
    r = requests.get(f"{EP}/_harness/faults", timeout=10)
    assert r.status_code == 200, r.text
    return [d for d in r.json()["delaying"] if d["account_id"] == account]


def wait_until(what: str, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def put_alarm_args(name: str) -> dict:
    return {"AlarmName": name, "MetricName": "Slow", "Namespace": "CISBenchmark", "Statistic": "Sum",
            "Period": 300, "Threshold": 1.0, "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold"}


def alarm_names(sess: boto3.Session) -> set[str]:
    return {a["AlarmName"] for a in client(sess, "cloudwatch").describe_alarms()["MetricAlarms"]}


def t_fault_delay_pass_through() -> None:
    clear_faults()
    acct = fresh_account()
    s = session_for(acct)
    add_fault(account_id=acct, operation="PutMetricAlarm", delay_ms=1500, pass_through=True, times=1)
    listed = requests.get(f"{EP}/_harness/faults", timeout=10).json()["faults"]
    assert listed[0]["delay_ms"] == 1500 and listed[0]["pass_through"] is True, listed
    result: dict = {}

    def slow_call() -> None:
        t0 = time.monotonic()
        try:
            client(s, "cloudwatch").put_metric_alarm(**put_alarm_args("slow"))
            result["ok"] = True
        except Exception as exc:  # noqa: BLE001
            result["error"] = exc
        result["elapsed"] = time.monotonic() - t0

    th = threading.Thread(target=slow_call)
    th.start()
    held = wait_until("the PutMetricAlarm to be held", lambda: delaying(acct))
    assert held[0]["operation"] == "PutMetricAlarm" and 0 < held[0]["remaining_ms"] <= 1500, held
    # the server keeps answering other requests (same account, same operation kind) meanwhile
    t0 = time.monotonic()
    assert "slow" not in alarm_names(s)
    client(s, "cloudwatch").put_metric_alarm(**put_alarm_args("fast"))  # times=1 already consumed
    assert time.monotonic() - t0 < 1.0, "another request waited for the delayed one"
    th.join(10)
    assert result.get("ok") and result["elapsed"] >= 1.4, result
    assert {"slow", "fast"} <= alarm_names(s)
    assert delaying(acct) == [] and requests.get(f"{EP}/_harness/faults", timeout=10).json()["faults"] == []

    # delay + error: the error comes after the delay; the call is not applied
    add_fault(account_id=acct, operation="DescribeAlarms", delay_ms=300, error_code="ThrottlingException",
              message="slow and denied", times=1)
    t0 = time.monotonic()
    expect_client_error(client(s, "cloudwatch").describe_alarms, "ThrottlingException", 400, "slow and denied")
    assert time.monotonic() - t0 >= 0.29
    # validation
    for bad in ({"operation": "X", "delay_ms": -1}, {"operation": "X", "delay_ms": "5"},
                {"operation": "X", "delay_ms": 10, "pass_through": "yes"}):
        r = requests.post(f"{EP}/_harness/faults", json=bad, timeout=10)
        assert r.status_code == 400, (bad, r.text)
    clear_faults()


CHILD_CALL = """
import sys
sys.path.insert(0, {here!r})
import selftest as st
st.EP = {ep!r}
s = st.session_for({account!r})
args = st.put_alarm_args({alarm!r})
if {cbor!r}:
    st.cbor_call(s, "PutMetricAlarm", args)    # the Rust SDK's protocol
else:
    st.client(s, "cloudwatch").put_metric_alarm(**args)   # boto3: AWS JSON 1.0
print("the call returned: it should have been killed first", flush=True)
"""


def t_fault_delay_killed_client() -> None:
    """A client SIGKILLed while its call is held: the server still applies the call."""
    clear_faults()
    children = []
    for cbor in (True, False):
        acct = fresh_account()
        session_for(acct)  # warm: the child's own AssumeRole is quick
        add_fault(account_id=acct, operation="PutMetricAlarm", delay_ms=2000, pass_through=True, times=1)
        code = CHILD_CALL.format(here=HERE, ep=EP, account=acct, alarm="landed-after-kill", cbor=cbor)
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},  # no __pycache__ in the repo
        )
        children.append((acct, proc))
    try:
        for acct, proc in children:
            wait_until(f"the child's PutMetricAlarm ({acct}) to be held", lambda: delaying(acct), 20)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout.read())
            assert "landed-after-kill" not in alarm_names(session_for(acct)), "applied before the delay ran out"
        for acct, _ in children:
            s = session_for(acct)
            wait_until(f"the killed client's alarm in {acct}", lambda: "landed-after-kill" in alarm_names(s), 10)
            assert delaying(acct) == []
    finally:
        for _, proc in children:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        clear_faults()


# -- CloudTrail -> CloudWatch Logs delivery ----------------------------------------
def trail_status(sess: boto3.Session, name: str, region: str = "us-east-1") -> dict:
    st = client(sess, "cloudtrail", region).get_trail_status(Name=name)
    st.pop("ResponseMetadata", None)
    return st


def set_delivery(**body: Any) -> requests.Response:
    return requests.post(f"{EP}/_harness/cloudtrail/delivery", json=body, timeout=10)


def raw_json11(sess: boto3.Session, target: str, body: dict, region: str = "us-east-1") -> dict:
    """A hand-signed AWS JSON 1.1 request: the wire body as the Rust SDK reads it."""
    data = json.dumps(body).encode()
    headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
    req = AWSRequest(method="POST", url=f"{EP}/", data=data, headers=headers)
    SigV4Auth(sess.get_credentials().get_frozen_credentials(), "cloudtrail", region).add_auth(req)
    r = requests.post(f"{EP}/", data=data, headers=dict(req.headers), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def t_cloudtrail_cw_delivery() -> None:
    acct = fresh_account()
    created = seed({
        "account": acct,
        "log_groups": [{"name": "ct-logs"}],
        "trails": [
            {"name": "default-delivery", "log_group": "ct-logs"},
            {"name": "stale-delivery", "log_group": "ct-logs", "multi_region": False,
             "cw_delivery_age_seconds": 3 * 86400},
            {"name": "never-delivered", "log_group": "ct-logs", "multi_region": False,
             "cw_never_delivered": True, "cw_delivery_error": "AccessDeniedException"},
            {"name": "no-log-group", "multi_region": False},
            {"name": "not-logging", "log_group": "ct-logs", "multi_region": False, "logging": False},
        ],
    })
    assert len(created["trails"]) == 5, created
    s = session_for(acct)
    now = dt.datetime.now(dt.timezone.utc)
    st = trail_status(s, "default-delivery")
    t = st["LatestCloudWatchLogsDeliveryTime"]
    assert isinstance(t, dt.datetime), st  # boto3 (and the Rust SDK) read epoch seconds
    assert dt.timedelta(0) <= now - t < dt.timedelta(minutes=10), (now, t)
    assert "LatestCloudWatchLogsDeliveryError" not in st, st
    # the wire format: AWS JSON 1.1, epoch seconds as a JSON number
    raw = raw_json11(s, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus",
                     {"Name": "default-delivery"})
    assert isinstance(raw["LatestCloudWatchLogsDeliveryTime"], (int, float)), raw
    # also from another region (shadow of the multi-region trail), by ARN
    arn = f"arn:aws:cloudtrail:us-east-1:{acct}:trail/default-delivery"
    assert isinstance(trail_status(s, arn, "eu-west-1")["LatestCloudWatchLogsDeliveryTime"], dt.datetime)

    st = trail_status(s, "stale-delivery")
    age = now - st["LatestCloudWatchLogsDeliveryTime"]
    assert dt.timedelta(days=3) - dt.timedelta(minutes=2) < age < dt.timedelta(days=3, minutes=2), st
    st = trail_status(s, "never-delivered")
    assert "LatestCloudWatchLogsDeliveryTime" not in st, st
    assert st["LatestCloudWatchLogsDeliveryError"] == "AccessDeniedException", st
    st = trail_status(s, "no-log-group")
    assert st["IsLogging"] is True and not any("CloudWatchLogs" in k for k in st), st
    st = trail_status(s, "not-logging")
    assert st["IsLogging"] is False and "LatestCloudWatchLogsDeliveryTime" not in st, st

    # the endpoint: by name, by ARN, error only, back to the default
    r = set_delivery(account_id=acct, trail="default-delivery", age_seconds=7200)
    assert r.status_code == 200 and r.json()["trail_arn"] == arn, r.text
    age = now - trail_status(s, "default-delivery")["LatestCloudWatchLogsDeliveryTime"]
    assert dt.timedelta(minutes=119) < age < dt.timedelta(minutes=122), age
    r = set_delivery(account_id=acct, trail=arn, error="CloudWatch Logs delivery failed")
    assert r.status_code == 200, r.text
    st = trail_status(s, "default-delivery")
    assert st["LatestCloudWatchLogsDeliveryError"] == "CloudWatch Logs delivery failed", st
    assert now - st["LatestCloudWatchLogsDeliveryTime"] < dt.timedelta(minutes=10), st
    overrides = requests.get(f"{EP}/_harness/cloudtrail/delivery", timeout=10).json()["overrides"]
    assert arn in overrides and overrides[arn]["error"], overrides
    r = set_delivery(account_id=acct, trail=arn)
    assert r.status_code == 200 and r.json()["delivery"] == "default", r.text
    assert "LatestCloudWatchLogsDeliveryError" not in trail_status(s, "default-delivery")
    # stopped: reports when it stopped
    client(s, "cloudtrail").stop_logging(Name="default-delivery")
    st = trail_status(s, "default-delivery")
    assert st["IsLogging"] is False and isinstance(st.get("LatestCloudWatchLogsDeliveryTime"), dt.datetime), st
    # validation
    assert set_delivery(account_id=acct, trail="nope").status_code == 404
    assert set_delivery(account_id=acct, trail="nope", region="us-east-1", never=True).status_code == 200
    assert set_delivery(account_id=acct, trail="stale-delivery", age_seconds=-5).status_code == 400
    assert set_delivery(account_id=acct, trail="stale-delivery", age_seconds=5, never=True).status_code == 400
    assert set_delivery(account_id=acct).status_code == 400
    # another account's trail of the same name is untouched
    other = fresh_account()
    seed({"account": other, "trails": [{"name": "stale-delivery", "log_group": "g", "multi_region": False}]})
    age = now - trail_status(session_for(other), "stale-delivery")["LatestCloudWatchLogsDeliveryTime"]
    assert age < dt.timedelta(minutes=10), age


# -- KMS, SNS policy / encryption, EventBridge targets, Security Hub -----------------
def t_seed_kms_sns_events() -> None:
    acct = fresh_account()
    cw_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "alarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]}
    topic_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": "{topic_arn}"}]}
    transformer = {"InputPathsMap": {"user": "$.detail.userIdentity.arn", "ev": "$.detail.eventName"},
                   "InputTemplate": "\"<ev> by <user>\""}
    created = seed({
        "account": acct,
        "kms_keys": [{"name": "alarm-cmk", "policy": cw_policy, "alias": "alias/cis-alarms"},
                     {"name": "default-policy", "region": "eu-west-1"}],
        "topics": [
            {"name": "cmk-topic", "kms_key": "alarm-cmk", "policy": topic_policy},
            {"name": "aws-managed", "kms_key": "alias/aws/sns"},
            {"name": "by-alias", "kms_key": "alias/cis-alarms", "policy": json.dumps(topic_policy)},
            {"name": "plain"},
        ],
        "event_rules": [{"name": "console-root", "pattern": {"detail-type": ["AWS Console Sign In via CloudTrail"]},
                         "targets": ["plain", {"topic": "cmk-topic", "id": "cmk", "input_transformer": transformer,
                                               "role_arn": f"arn:aws:iam::{acct}:role/events"}]}],
    })
    s = session_for(acct)
    key = created["kms_keys"]["alarm-cmk"]
    assert key["arn"] == f"arn:aws:kms:us-east-1:{acct}:key/{key['key_id']}", key
    kms = client(s, "kms")
    want_policy = json.loads(json.dumps(cw_policy).replace("{account}", acct))
    assert json.loads(kms.get_key_policy(KeyId=key["key_id"], PolicyName="default")["Policy"]) == want_policy
    meta = kms.describe_key(KeyId="alias/cis-alarms")["KeyMetadata"]
    assert meta["Arn"] == key["arn"] and meta["KeyManager"] == "CUSTOMER", meta
    expect_client_error(lambda: kms.describe_key(KeyId="alias/aws/sns"), "NotFoundException")  # as emulator.md says
    dflt = created["kms_keys"]["default-policy"]
    assert dflt["region"] == "eu-west-1" and ":eu-west-1:" in dflt["arn"], dflt
    got = json.loads(client(s, "kms", "eu-west-1").get_key_policy(KeyId=dflt["key_id"], PolicyName="default")["Policy"])
    assert got["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{acct}:root"} and got["Statement"][0]["Action"] == "kms:*", got

    sns = client(s, "sns")
    topic = lambda n: f"arn:aws:sns:us-east-1:{acct}:{n}"  # noqa: E731
    a = sns.get_topic_attributes(TopicArn=topic("cmk-topic"))["Attributes"]
    assert a["KmsMasterKeyId"] == key["arn"], a
    assert json.loads(a["Policy"])["Statement"][0]["Resource"] == topic("cmk-topic"), a["Policy"]
    assert sns.get_topic_attributes(TopicArn=topic("aws-managed"))["Attributes"]["KmsMasterKeyId"] == "alias/aws/sns"
    a = sns.get_topic_attributes(TopicArn=topic("by-alias"))["Attributes"]
    assert a["KmsMasterKeyId"] == "alias/cis-alarms" and json.loads(a["Policy"])["Statement"][0]["Sid"] == "events", a
    a = sns.get_topic_attributes(TopicArn=topic("plain"))["Attributes"]
    assert "KmsMasterKeyId" not in a and "__default_policy_ID" in a["Policy"], a
    assert {x["topic"] for x in created["topic_settings"]} == {topic("cmk-topic"), topic("aws-managed"), topic("by-alias")}

    targets = {t["Id"]: t for t in client(s, "events").list_targets_by_rule(Rule="console-root")["Targets"]}
    assert targets["t0"]["Arn"] == topic("plain") and "InputTransformer" not in targets["t0"], targets
    assert targets["cmk"]["InputTransformer"] == transformer, targets["cmk"]
    assert targets["cmk"]["RoleArn"] == f"arn:aws:iam::{acct}:role/events", targets["cmk"]


def t_seed_securityhub() -> None:
    acct = fresh_account()
    created = seed({"account": acct, "securityhub": {"regions": ["us-east-1", "eu-west-1"]}})
    assert created["securityhub"] == ["us-east-1", "eu-west-1"], created
    s = session_for(acct)
    hub = client(s, "securityhub", "eu-west-1").describe_hub()
    assert hub["HubArn"] == f"arn:aws:securityhub:eu-west-1:{acct}:hub/default", hub
    sh = client(s, "securityhub")
    finding = {
        "SchemaVersion": "2018-10-08", "Id": "cis-audit/3.1", "GeneratorId": "cis-audit",
        "ProductArn": f"arn:aws:securityhub:us-east-1:{acct}:product/{acct}/default",
        "AwsAccountId": acct, "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-01-01T00:00:00Z", "UpdatedAt": "2026-01-01T00:00:00Z",
        "Severity": {"Label": "HIGH"}, "Title": "3.1 trail", "Description": "no multi-region trail",
        "Resources": [{"Type": "AwsAccount", "Id": f"AWS::::Account:{acct}"}], "Compliance": {"Status": "FAILED"},
    }
    r = sh.batch_import_findings(Findings=[finding])
    assert (r["SuccessCount"], r["FailedCount"]) == (1, 0), r
    got = sh.get_findings()["Findings"]
    assert [f["Id"] for f in got] == ["cis-audit/3.1"] and got[0]["Compliance"]["Status"] == "FAILED", got
    assert client(s, "securityhub", "eu-west-1").get_findings()["Findings"] == []  # per region
    assert client(session_for(fresh_account()), "securityhub").get_findings()["Findings"] == []  # per account


# -- Organizations and member accounts -------------------------------------------------
def t_seed_organization() -> None:
    mgmt = fresh_account()
    n = mgmt[-6:]
    org_spec = {
        "account": mgmt,
        "organization": {"feature_set": "ALL", "members": [
            {"name": "prod", "email": f"prod-{n}@example.com", "key": "m1"},
            {"name": "retired", "email": f"retired-{n}@example.com", "key": "m2"},
            {"name": "dev", "email": f"dev-{n}@example.com"}], "close": ["m2"]},
        "trails": [{"name": "org-trail", "organization": True, "bucket": "org-trail-{account}"}],
    }
    # one run, two specs: the second seeds member m1 by its key
    results = seed([org_spec, {"account": "@m1", "topics": [{"name": "member-topic"}]}])
    org = results[0]["organization"]
    assert org["management_account"] == mgmt and set(org["accounts"]) == {"m1", "m2", "dev"}, org
    m1, m2 = org["accounts"]["m1"], org["accounts"]["m2"]
    assert results[1]["account"] == m1 and results[1]["topics"] == [f"arn:aws:sns:us-east-1:{m1}:member-topic"]
    s = session_for(mgmt)
    status = {a["Id"]: a["Status"] for a in client(s, "organizations").list_accounts()["Accounts"]}
    assert status == {mgmt: "ACTIVE", m1: "ACTIVE", m2: "SUSPENDED", org["accounts"]["dev"]: "ACTIVE"}, status
    # the member acts as itself (assume-role into the random id) and sees its organization
    sm = session_for(m1)
    assert client(sm, "sts").get_caller_identity()["Account"] == m1
    assert client(sm, "organizations").describe_organization()["Organization"]["MasterAccountId"] == mgmt
    assert [t["TopicArn"] for t in client(sm, "sns").list_topics()["Topics"]] == [f"arn:aws:sns:us-east-1:{m1}:member-topic"]
    # two steps work too: read the id from the first --json output, seed the member with it
    dev = org["accounts"]["dev"]
    assert seed({"account": dev, "log_groups": [{"name": "dev-logs"}]})["account"] == dev
    assert [g["logGroupName"] for g in client(session_for(dev), "logs").describe_log_groups()["logGroups"]] == ["dev-logs"]
    # moto: the organization trail is visible in the management account only (emulator.md)
    trails = client(s, "cloudtrail").describe_trails()["trailList"]
    assert [(t["Name"], t["IsOrganizationTrail"]) for t in trails] == [("org-trail", True)], trails
    member_view = client(sm, "cloudtrail").describe_trails()["trailList"]
    assert member_view == [], f"moto now shows the org trail to members: update emulator.md ({member_view})"
    # errors: unknown key, unknown close key
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "seed.py"), "--endpoint", EP, "--spec", "-"],
        input=json.dumps([{"account": "@nobody"}]), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0 and "@nobody" in proc.stderr, proc.stderr


# -- reset (last: it wipes the whole emulator) -------------------------------------------
def t_reset_clears_harness_state() -> None:
    acct = fresh_account()
    s = session_for(acct)
    seed({"account": acct, "trails": [{"name": "reset-trail", "log_group": "g", "cw_never_delivered": True}]})
    assert requests.get(f"{EP}/_harness/cloudtrail/delivery", timeout=10).json()["overrides"]
    r = requests.post(f"{EP}/_harness/account/regions", json={"account_id": acct, "regions": {"eu-south-1": "ENABLED"}}, timeout=10)
    assert r.status_code == 200, r.text
    add_fault(account_id=acct, operation="CreateTopic", delay_ms=30000, pass_through=True)
    add_fault(account_id=acct, operation="ListTopics", error_code="AccessDenied")
    result: dict = {}

    def held_call() -> None:
        try:
            client(s, "sns").create_topic(Name="never-created")
            result["ok"] = True
        except ClientError as exc:
            result["error"] = exc

    th = threading.Thread(target=held_call)
    th.start()
    wait_until("the CreateTopic to be held", lambda: delaying(acct))
    assert requests.post(f"{EP}/_harness/latency", json={"ms": 1500}, timeout=10).status_code == 200
    t0 = time.monotonic()
    r = requests.post(f"{EP}/_harness/reset", timeout=30)
    assert r.status_code == 200 and r.json()["reset"] is True, r.text
    th.join(10)
    assert time.monotonic() - t0 < 5, "reset did not wake the held request"
    err = result.get("error")
    assert err is not None and err.response["Error"]["Code"] == "EmulatorReset", result
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    faults = requests.get(f"{EP}/_harness/faults", timeout=10).json()
    assert faults == {"faults": [], "delaying": []}, faults
    assert requests.get(f"{EP}/_harness/cloudtrail/delivery", timeout=10).json()["overrides"] == {}
    s = session_for(acct)
    assert client(s, "sns").list_topics()["Topics"] == []  # the held CreateTopic was dropped, ListTopics fault gone
    regions = {x["RegionName"]: x["RegionOptStatus"] for x in client(s, "account").list_regions()["Regions"]}
    assert regions["eu-south-1"] == "DISABLED", regions
    assert client(s, "cloudtrail").describe_trails()["trailList"] == []
    t0 = time.monotonic()
    client(s, "sts").get_caller_identity()
    assert time.monotonic() - t0 < 1.0, "reset left the latency on"


TESTS = [
    t_health, t_seed_and_read_back, t_sns_pending_and_confirm, t_cloudwatch_cbor_raw,
    t_cloudwatch_cbor_botocore, t_faults_json, t_faults_query, t_faults_cbor,
    t_faults_validation, t_account_isolation, t_account_list_regions, t_demo_seed,
    t_fault_delay_pass_through, t_fault_delay_killed_client, t_cloudtrail_cw_delivery,
    t_seed_kms_sns_events, t_seed_securityhub, t_seed_organization,
    t_reset_clears_harness_state,  # last: wipes the emulator
]


def main() -> int:
    global EP
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", default=os.environ.get("CIS_AUDIT_TEST_ENDPOINT"))
    p.add_argument("--keep-state", action="store_true",
                   help="skip the last check, which resets (wipes) the emulator")
    args = p.parse_args()
    if not args.endpoint:
        p.error("--endpoint (or CIS_AUDIT_TEST_ENDPOINT) is required")
    EP = args.endpoint.rstrip("/")
    passed = failed = 0
    for test in TESTS:
        if args.keep_state and test is t_reset_clears_harness_state:
            continue
        try:
            test()
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL {test.__name__}", flush=True)
            traceback.print_exc()
            if test in (t_health, t_seed_and_read_back):
                break  # everything else depends on these
        else:
            passed += 1
            print(f"ok   {test.__name__}", flush=True)
    try:
        requests.delete(f"{EP}/_harness/faults", timeout=10)
    except requests.RequestException:
        pass
    print(f"emulator selftest: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

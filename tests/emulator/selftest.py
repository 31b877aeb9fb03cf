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
accounts, the demo, a realistic account (EC2 security groups / NACLs / flow logs /
EBS / instances / peering and AWS's default security group rule; S3 bucket
settings, MFA Delete and account Block Public Access through S3 Control; KMS key
kinds and rotation status; trail validation and KMS; IAM users, groups, roles,
policies, certificates, root, the credential report and account summary),
Access Analyzer, RDS, EFS, alternate contacts, and what reset clears.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import re
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
    # the demo's newer content (see seed.demo_spec): a PASS and a FAIL in each section
    trails = [t for r in ("us-east-1", "eu-west-1")
              for t in client(s, "cloudtrail", r).describe_trails(includeShadowTrails=False)["trailList"]]
    assert {t["Name"]: (t["LogFileValidationEnabled"], "KmsKeyId" in t) for t in trails} == {
        "cis-demo-management-events": (True, False), "legacy-eu-west-1-trail": (True, False)}, trails
    rot = {r: [client(s, "kms", r).get_key_rotation_status(KeyId=k["KeyId"])["KeyRotationEnabled"]
               for k in client(s, "kms", r).list_keys()["Keys"]] for r in ("us-east-1", "eu-west-1")}
    assert rot == {"us-east-1": [True], "eu-west-1": [False]}, rot
    ebs = {r: client(s, "ec2", r).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
           for r in ("us-east-1", "eu-west-1", "eu-central-1")}
    assert ebs == {"us-east-1": True, "eu-west-1": True, "eu-central-1": False}, ebs
    flows = {r: len(client(s, "ec2", r).describe_flow_logs()["FlowLogs"]) for r in ("us-east-1", "eu-west-1", "eu-central-1")}
    assert flows == {"us-east-1": 1, "eu-west-1": 0, "eu-central-1": 0}, flows
    ssh = client(s, "ec2").describe_security_groups(Filters=[{"Name": "ip-permission.cidr", "Values": ["0.0.0.0/0"]}])["SecurityGroups"]
    assert [(g["GroupName"], g["IpPermissions"][0]["FromPort"]) for g in ssh] == [("legacy-bastion-ssh", 22)], ssh
    nacl = client(s, "ec2", "eu-central-1").describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
    assert {"CidrBlock": "0.0.0.0/0", "Egress": False, "PortRange": {"From": 3389, "To": 3389}, "Protocol": "6",
            "RuleAction": "allow", "RuleNumber": 50} in nacl["Entries"], nacl
    client(s, "securityhub").describe_hub()
    expect_client_error(client(s, "securityhub", "eu-west-1").describe_hub, "InvalidAccessException", 401)
    iam = client(s, "iam")
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 8
    mfa = {u: bool(iam.list_mfa_devices(UserName=u)["MFADevices"]) for u in ("cis-demo-admin", "cis-demo-analyst")}
    assert mfa == {"cis-demo-admin": True, "cis-demo-analyst": False}, mfa
    s3 = client(s, "s3")
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=f"cis-demo-app-data-{account}")["Policy"]
    expect_client_error(lambda: s3.get_bucket_policy(Bucket=f"cis-demo-cloudtrail-{account}"), "NoSuchBucketPolicy", 404)


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
            {"name": "prod", "email": f"prod-{n}@example.com", "key": "m1", "ou": "Prod/Web"},
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
    # m1 sits in Prod/Web: its parent is Web, whose parent is Prod, whose parent is the root
    o = client(s, "organizations")
    assert set(org["ous"]) == {"Prod", "Prod/Web"}, org["ous"]
    assert o.list_parents(ChildId=m1)["Parents"][0]["Id"] == org["ous"]["Prod/Web"]
    assert o.list_parents(ChildId=org["ous"]["Prod/Web"])["Parents"][0]["Id"] == org["ous"]["Prod"]
    assert o.list_parents(ChildId=org["ous"]["Prod"])["Parents"][0]["Type"] == "ROOT"
    assert o.describe_organizational_unit(OrganizationalUnitId=org["ous"]["Prod/Web"])["OrganizationalUnit"]["Name"] == "Web"
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


# -- EC2, S3, KMS, CloudTrail, IAM: one realistic account, read back with boto3 ----------
TLS_DENY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def big_spec(acct: str) -> dict:
    return {
        "account": acct,
        "buckets": [
            {"name": "data-{account}", "policy": TLS_DENY, "versioning": "Enabled", "mfa_delete": True,
             "public_access_block": True, "logging": {"target_bucket": "logs-{account}", "prefix": "data/"}},
            {"name": "logs-{account}", "policy": TLS_DENY},  # Principal "*" in a logging target's policy
            {"name": "public-{account}", "acl": "public-read", "versioning": "Suspended",
             "public_access_block": {"block_public_acls": True}},
            {"name": "eu-{account}", "region": "eu-west-1", "versioning": "Enabled", "mfa_delete": False},
        ],
        "s3_account_public_access_block": {"block_public_acls": True, "ignore_public_acls": True,
                                           "block_public_policy": True},
        "kms_keys": [
            {"name": "rotated", "rotation": True, "alias": "alias/rotated"},
            {"name": "unrotated"},
            {"name": "rsa", "spec": "RSA_2048"},
            {"name": "hmac", "spec": "HMAC_256"},
            {"name": "imported", "origin": "EXTERNAL"},
            {"name": "managed", "aws_managed": True, "alias": "alias/aws/s3"},
            {"name": "disabled", "rotation": 180, "state": "Disabled"},
            {"name": "pending", "rotation": True, "state": "PendingDeletion", "deletion_days": 7},
        ],
        "trails": [{"name": "validated", "log_file_validation": True, "kms_key": "rotated"},
                   {"name": "plain-trail", "multi_region": False}],
        "iam": {
            "password_policy": {"min_length": 14, "reuse": 24, "uppercase": True, "lowercase": True,
                                "numbers": True, "symbols": True, "max_age": 90},
            "policies": [{"name": "full-admin", "document": ALLOW_ALL,
                          "attach_to": {"groups": ["admins"], "roles": ["ops"], "users": ["ci"]}}],
            "groups": [{"name": "admins", "attached_policies": ["ReadOnlyAccess"],
                        "inline_policies": [{"name": "g-inline", "document": ALLOW_ALL}]}],
            "roles": [{"name": "support", "trust": "{account}", "attached_policies": ["AWSSupportAccess"]},
                      {"name": "ops", "trust": "ec2.amazonaws.com",
                       "inline_policies": [{"name": "r-inline", "document": ALLOW_ALL}]}],
            "users": [
                {"name": "alice", "console_password": True, "mfa": True, "groups": ["admins"],
                 "password_last_used_days": 3,
                 "access_keys": [{"age_days": 120, "last_used_days": 2, "last_used_service": "ec2"},
                                 {"active": False, "age_days": 10}]},
                {"name": "bob", "console_password": True, "attached_policies": ["AdministratorAccess"],
                 "inline_policies": [{"name": "u-inline", "document": ALLOW_ALL}],
                 "age_days": 100, "password_age_days": 30},
                {"name": "ci", "access_keys": [{"age_days": 200}]},
            ],
            "server_certificates": [{"name": "old-cert"}, {"name": "fresh-cert", "expired": False}],
            "root": {"access_keys_active": [True, False], "mfa": "hardware", "password_last_used_days": 1,
                     "access_key_age_days": 400, "access_key_last_used_days": 5},
        },
        "ec2": [
            {"region": "us-east-1",
             "vpcs": [{"name": "app", "cidr": "10.10.0.0/16"}, {"name": "shared", "cidr": "10.20.0.0/16"}],
             "security_groups": [
                 {"name": "ssh-open", "ingress": [{"port": 22, "cidr": "0.0.0.0/0"}, {"port": 22, "cidr6": "::/0"}]},
                 {"name": "web", "vpc": "app", "description": "web tier", "revoke_default_egress": True,
                  "ingress": [{"port": 443, "prefix_list": "com.amazonaws.us-east-1.s3"},
                              {"protocol": "-1", "group": "web"}],
                  "egress": [{"port": 443, "cidr": "0.0.0.0/0"}]},
                 {"name": "rdp", "ingress": [
                     {"protocol": "tcp", "from": 3389, "to": 3389, "cidr": "0.0.0.0/0", "description": "rdp"},
                     {"protocol": "icmp", "cidr": "10.0.0.0/8"}, {"protocol": "-1", "group": "ssh-open"},
                     {"protocol": "udp", "from": 1000, "to": 2000, "prefix_list": "pl-0123456789abcdef0"}]},
             ],
             "default_group": [{"clear": True},
                               {"vpc": "shared", "clear": True, "egress": [{"port": 443, "cidr": "10.0.0.0/8"}]}],
             "network_acls": [{"name": "app-acl", "vpc": "app"}],
             "network_acl_entries": [
                 {"rule": 90, "port": 22, "cidr": "0.0.0.0/0"},
                 {"acl": "app-acl", "rule": 110, "protocol": "tcp", "from": 3389, "to": 3389, "cidr6": "::/0"},
                 {"acl": "app-acl", "rule": 120, "protocol": "-1", "action": "deny", "cidr": "0.0.0.0/0", "egress": True},
             ],
             "flow_logs": [{"traffic": "REJECT"}, {"vpc": "app", "destination": "s3"},
                           {"vpc": "shared", "log_group": "missing-group", "delivery_failed": True}],
             "ebs_encryption_by_default": True,
             "instances": [{"name": "web1", "http_tokens": "required", "security_groups": ["ssh-open"],
                            "instance_profile": "ops"},
                           {"name": "app1", "vpc": "app", "http_endpoint": "disabled"}],
             "peering": [{"from_vpc": "app", "to_vpc": "shared",
                          "routes": [{"vpc": "app"}, {"vpc": "shared", "destination": "10.10.1.0/24"}]}]},
            {"region": "eu-west-1", "default_group": {"vpc": "all", "ingress": [{"port": 22, "cidr": "0.0.0.0/0"}]},
             "ebs_encryption_by_default": False},
        ],
    }


def t_seed_realistic_account() -> None:
    acct = fresh_account()
    CTX.big = seed(big_spec(acct))
    CTX.big_acct = acct
    CTX.big_session = session_for(acct)
    assert CTX.big["account"] == acct


def _perms(group: dict, egress: bool = False) -> list[tuple]:
    """A security group's permissions as (protocol, from, to, kind, value) tuples."""
    out = []
    for p in group["IpPermissionsEgress" if egress else "IpPermissions"]:
        key = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        out += [(*key, "cidr", r["CidrIp"]) for r in p["IpRanges"]]
        out += [(*key, "cidr6", r["CidrIpv6"]) for r in p["Ipv6Ranges"]]
        out += [(*key, "pl", r["PrefixListId"]) for r in p["PrefixListIds"]]
        out += [(*key, "group", r["GroupId"]) for r in p["UserIdGroupPairs"]]
    return sorted(out, key=str)


def t_ec2_read_back() -> None:
    s, ids = CTX.big_session, CTX.big["ec2"]["us-east-1"]
    ec2 = client(s, "ec2")
    assert set(ids["vpcs"]) == {"default", "app", "shared"} and set(ids["instances"]) == {"web1", "app1"}, ids
    vpcs = {v["VpcId"]: v for v in ec2.describe_vpcs()["Vpcs"]}
    assert vpcs[ids["vpcs"]["app"]]["CidrBlock"] == "10.10.0.0/16" and vpcs[ids["vpcs"]["default"]]["IsDefault"]
    assert {"Key": "Name", "Value": "shared"} in vpcs[ids["vpcs"]["shared"]]["Tags"]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    sg = ids["security_groups"]
    # the default VPC's default group was cleared (ingress self-rule and egress); other VPCs'
    # default groups keep AWS's two rules (the harness adds the self-referencing ingress rule)
    assert groups[sg["default"]]["IpPermissions"] == [] and groups[sg["default"]]["IpPermissionsEgress"] == []
    app_default = next(g for g in groups.values() if g["VpcId"] == ids["vpcs"]["app"] and g["GroupName"] == "default")
    assert _perms(app_default) == [("-1", None, None, "group", app_default["GroupId"])], app_default
    assert app_default["IpPermissions"][0]["UserIdGroupPairs"] == [{"UserId": CTX.big_acct, "GroupId": app_default["GroupId"]}]
    assert _perms(app_default, egress=True) == [("-1", None, None, "cidr", "0.0.0.0/0")], app_default
    shared_default = next(g for g in groups.values() if g["VpcId"] == ids["vpcs"]["shared"] and g["GroupName"] == "default")
    assert _perms(shared_default) == [] and _perms(shared_default, egress=True) == [("tcp", 443, 443, "cidr", "10.0.0.0/8")]
    assert _perms(groups[sg["ssh-open"]]) == [("tcp", 22, 22, "cidr", "0.0.0.0/0"), ("tcp", 22, 22, "cidr6", "::/0")]
    web = groups[sg["web"]]
    assert web["VpcId"] == ids["vpcs"]["app"] and web["Description"] == "web tier", web
    s3_pl = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])["PrefixLists"][0]["PrefixListId"]
    assert _perms(web) == sorted([("tcp", 443, 443, "pl", s3_pl), ("-1", None, None, "group", sg["web"])], key=str), _perms(web)
    assert _perms(web, egress=True) == [("tcp", 443, 443, "cidr", "0.0.0.0/0")], web  # default egress revoked
    rdp = groups[sg["rdp"]]
    assert _perms(rdp) == sorted([("tcp", 3389, 3389, "cidr", "0.0.0.0/0"), ("icmp", -1, -1, "cidr", "10.0.0.0/8"),
                                  ("-1", None, None, "group", sg["ssh-open"]),
                                  ("udp", 1000, 2000, "pl", "pl-0123456789abcdef0")], key=str), _perms(rdp)
    assert [r.get("Description") for p in rdp["IpPermissions"] for r in p["IpRanges"] if r["CidrIp"] == "0.0.0.0/0"] == ["rdp"]
    # eu-west-1: AWS's default rules plus the spec's SSH rule
    eu = client(s, "ec2", "eu-west-1").describe_security_groups(GroupIds=[CTX.big["ec2"]["eu-west-1"]["security_groups"]["default"]])["SecurityGroups"][0]
    assert _perms(eu) == sorted([("-1", None, None, "group", eu["GroupId"]), ("tcp", 22, 22, "cidr", "0.0.0.0/0")], key=str), eu
    # DescribeSecurityGroupRules agrees, and the self-rule can be revoked like AWS's
    rules = client(s, "ec2", "eu-west-1").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [eu["GroupId"]]}])["SecurityGroupRules"]
    self_rule = [r for r in rules if r.get("ReferencedGroupInfo", {}).get("GroupId") == eu["GroupId"]]
    assert len(self_rule) == 1 and not self_rule[0]["IsEgress"] and self_rule[0]["IpProtocol"] == "-1", rules

    acls = {a["NetworkAclId"]: a for a in ec2.describe_network_acls()["NetworkAcls"]}
    entries = lambda a: [(e["RuleNumber"], e["Egress"], e["Protocol"], e.get("PortRange"), e.get("CidrBlock") or e.get("Ipv6CidrBlock"), e["RuleAction"]) for e in acls[a]["Entries"]]  # noqa: E731
    dflt = ids["network_acls"]["default"]
    assert acls[dflt]["IsDefault"] and acls[dflt]["VpcId"] == ids["vpcs"]["default"]
    assert (90, False, "6", {"From": 22, "To": 22}, "0.0.0.0/0", "allow") in entries(dflt), entries(dflt)
    # a custom NACL: AWS's two 32767 deny entries plus the spec's, egress first, by rule number
    assert entries(ids["network_acls"]["app-acl"]) == [
        (120, True, "-1", None, "0.0.0.0/0", "deny"), (32767, True, "-1", None, "0.0.0.0/0", "deny"),
        (110, False, "6", {"From": 3389, "To": 3389}, "::/0", "allow"), (32767, False, "-1", None, "0.0.0.0/0", "deny"),
    ], entries(ids["network_acls"]["app-acl"])

    logs = {f["ResourceId"]: f for f in ec2.describe_flow_logs()["FlowLogs"]}
    d, a, sh = (logs[ids["vpcs"][k]] for k in ("default", "app", "shared"))
    assert (d["TrafficType"], d["LogDestinationType"], d["LogGroupName"], d["DeliverLogsStatus"]) == (
        "REJECT", "cloud-watch-logs", "vpc-flow-logs", "SUCCESS"), d
    assert d["DeliverLogsPermissionArn"] == f"arn:aws:iam::{CTX.big_acct}:role/flow-logs", d
    assert (a["LogDestinationType"], a["LogDestination"]) == ("s3", f"arn:aws:s3:::flow-logs-{CTX.big_acct}"), a
    assert (sh["DeliverLogsStatus"], sh["DeliverLogsErrorMessage"]) == ("FAILED", "Access error"), sh
    assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    assert client(s, "ec2", "eu-west-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    assert client(s, "ec2", "eu-central-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False

    inst = {i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    web1, app1 = inst[ids["instances"]["web1"]], inst[ids["instances"]["app1"]]
    assert (web1["MetadataOptions"]["HttpTokens"], web1["MetadataOptions"]["HttpEndpoint"]) == ("required", "enabled")
    assert web1["IamInstanceProfile"]["Arn"] == f"arn:aws:iam::{CTX.big_acct}:instance-profile/ops", web1
    assert web1["SecurityGroups"] == [{"GroupId": sg["ssh-open"], "GroupName": "ssh-open"}], web1
    assert (app1["MetadataOptions"]["HttpTokens"], app1["MetadataOptions"]["HttpEndpoint"]) == ("optional", "disabled")
    assert app1["VpcId"] == ids["vpcs"]["app"] and app1["SecurityGroups"] == [
        {"GroupId": app_default["GroupId"], "GroupName": "default"}], app1
    profile = client(s, "iam").get_instance_profile(InstanceProfileName="ops")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["ops"], profile

    pcx = ids["peering"][0]["id"]
    p = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0]
    assert p["Status"]["Code"] == "active" and (p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"]) == (
        ids["vpcs"]["app"], ids["vpcs"]["shared"]), p
    tables = ec2.describe_route_tables(Filters=[{"Name": "route.vpc-peering-connection-id", "Values": [pcx]}])["RouteTables"]
    routes = {(t["VpcId"], r["DestinationCidrBlock"]) for t in tables for r in t["Routes"] if r.get("VpcPeeringConnectionId") == pcx}
    assert routes == {(ids["vpcs"]["app"], "10.20.0.0/16"), (ids["vpcs"]["shared"], "10.10.1.0/24")}, routes


def t_ec2_default_group_harness() -> None:
    """Every default group moto creates gets AWS's self-referencing rule, in any region and VPC."""
    s = session_for(fresh_account())
    ec2 = client(s, "ec2", "ap-southeast-2")
    g = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert len(g) == 1 and _perms(g[0]) == [("-1", None, None, "group", g[0]["GroupId"])], g
    # revoking it the way AWS documents works (it really exists), and leaves the group empty
    ec2.revoke_security_group_ingress(GroupId=g[0]["GroupId"], IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": g[0]["GroupId"]}]}])
    assert ec2.describe_security_groups(GroupIds=[g[0]["GroupId"]])["SecurityGroups"][0]["IpPermissions"] == []
    # a non-default group gets no ingress rule
    gid = ec2.create_security_group(GroupName="plain", Description="plain")["GroupId"]
    assert ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"] == []
    # a new network ACL denies everything (AWS's 32767 entries); entries stay in AWS's order
    # (egress first, by rule number), also after ReplaceNetworkAclEntry
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    order = lambda: [(e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in  # noqa: E731
                     ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]]
    assert order() == [(True, 32767, "deny"), (False, 32767, "deny")], order()
    for n in (200, 100):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=n, Protocol="-1", RuleAction="allow",
                                     Egress=False, CidrBlock="10.0.0.0/8")
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="deny",
                                  Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22})
    assert order() == [(True, 32767, "deny"), (False, 100, "deny"), (False, 200, "allow"), (False, 32767, "deny")], order()


def t_s3_read_back() -> None:
    s, acct = CTX.big_session, CTX.big_acct
    s3 = client(s, "s3")
    data, logs_b, public = f"data-{acct}", f"logs-{acct}", f"public-{acct}"
    v = s3.get_bucket_versioning(Bucket=data)
    assert (v["Status"], v["MFADelete"]) == ("Enabled", "Enabled"), v
    v = s3.get_bucket_versioning(Bucket=public)
    assert v["Status"] == "Suspended" and "MFADelete" not in v, v  # never configured: AWS omits it
    v = client(s, "s3", "eu-west-1").get_bucket_versioning(Bucket=f"eu-{acct}")
    assert (v["Status"], v["MFADelete"]) == ("Enabled", "Disabled"), v
    assert "Status" not in s3.get_bucket_versioning(Bucket=logs_b)
    # the wire format: <MfaDelete>, as AWS writes it
    raw = requests.get(f"{EP}/{data}?versioning", headers=signed_headers(s, "s3", f"{EP}/{data}?versioning"), timeout=10)
    assert "<MfaDelete>Enabled</MfaDelete>" in raw.text, raw.text
    assert s3.get_bucket_logging(Bucket=data)["LoggingEnabled"] == {"TargetBucket": logs_b, "TargetPrefix": "data/"}
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=public)
    pol = json.loads(s3.get_bucket_policy(Bucket=data)["Policy"])
    assert pol["Statement"][0]["Resource"] == [f"arn:aws:s3:::{data}", f"arn:aws:s3:::{data}/*"], pol
    target = json.loads(s3.get_bucket_policy(Bucket=logs_b)["Policy"])["Statement"]
    assert [x.get("Sid") for x in target] == ["S3ServerAccessLogsPolicy", "DenyInsecureTransport"], target
    expect_client_error(lambda: s3.get_bucket_policy(Bucket=public), "NoSuchBucketPolicy", 404)
    assert s3.get_public_access_block(Bucket=data)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert s3.get_public_access_block(Bucket=public)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    expect_client_error(lambda: s3.get_public_access_block(Bucket=logs_b), "NoSuchPublicAccessBlockConfiguration", 404)
    grants = {(g["Grantee"].get("URI"), g["Permission"]) for g in s3.get_bucket_acl(Bucket=public)["Grants"]}
    assert ("http://acs.amazonaws.com/groups/global/AllUsers", "READ") in grants, grants

    # account-level Block Public Access: the raw request a Rust S3 Control client sends, through
    # server.py (service "s3" in the signature, account in x-amz-account-id and in the host name)
    want = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    url = f"{EP}/v20180820/configuration/publicAccessBlock"
    host = f"{acct}.{EP.split('//', 1)[1]}"
    r = requests.get(url, headers=signed_headers(s, "s3", url, {"x-amz-account-id": acct, "Host": host}), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    for k, val in want.items():
        assert f"<{k}>{str(val).lower()}</{k}>" in r.text, r.text
    other = fresh_account()
    so = session_for(other)
    r = requests.get(url, headers=signed_headers(so, "s3", url, {"x-amz-account-id": other}), timeout=10)
    assert r.status_code == 404 and "NoSuchPublicAccessBlockConfiguration" in r.text, r.text


def signed_headers(sess: boto3.Session, service: str, url: str, headers: dict | None = None,
                   method: str = "GET", region: str = "us-east-1") -> dict:
    req = AWSRequest(method=method, url=url, headers=dict(headers or {}))
    SigV4Auth(sess.get_credentials().get_frozen_credentials(), service, region).add_auth(req)
    return dict(req.headers)


def t_kms_cloudtrail_read_back() -> None:
    s, keys = CTX.big_session, CTX.big["kms_keys"]
    kms = client(s, "kms")

    def rotation(name: str) -> Any:
        try:
            r = kms.get_key_rotation_status(KeyId=keys[name]["arn"])
        except ClientError as exc:
            return exc.response["Error"]["Code"]
        return {k: v for k, v in r.items() if k != "ResponseMetadata"}

    meta = {n: kms.describe_key(KeyId=k["key_id"])["KeyMetadata"] for n, k in keys.items()}
    assert {n: m["KeyManager"] for n, m in meta.items() if m["KeyManager"] != "CUSTOMER"} == {"managed": "AWS"}
    assert (meta["rsa"]["KeySpec"], meta["rsa"]["KeyUsage"]) == ("RSA_2048", "ENCRYPT_DECRYPT")
    assert (meta["hmac"]["KeySpec"], meta["hmac"]["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    assert meta["unrotated"]["KeyUsage"] == "ENCRYPT_DECRYPT"  # moto left it out; AWS always has it
    assert meta["imported"]["Origin"] == "EXTERNAL" and meta["disabled"]["KeyState"] == "Disabled"
    assert meta["pending"]["KeyState"] == "PendingDeletion"
    days = (meta["pending"]["DeletionDate"] - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400
    assert 6.9 < days < 7.1, meta["pending"]
    listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}
    assert {k["key_id"] for k in keys.values()} <= listed
    r = rotation("rotated")
    assert r["KeyRotationEnabled"] is True and r["RotationPeriodInDays"] == 365 and isinstance(r["NextRotationDate"], dt.datetime), r
    assert rotation("unrotated") == {"KeyId": keys["unrotated"]["key_id"], "KeyRotationEnabled": False}
    assert rotation("rsa")["KeyRotationEnabled"] is False and rotation("hmac")["KeyRotationEnabled"] is False
    assert rotation("imported") == "UnsupportedOperationException"
    assert rotation("managed")["KeyRotationEnabled"] is True  # AWS-managed keys always rotate
    assert rotation("disabled")["KeyRotationEnabled"] is True and rotation("disabled")["RotationPeriodInDays"] == 180
    assert rotation("pending")["KeyRotationEnabled"] is False  # AWS: false while pending deletion
    for name in ("rsa", "hmac", "imported", "managed"):
        expect_client_error(lambda: kms.enable_key_rotation(KeyId=keys[name]["key_id"]), "UnsupportedOperationException")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/aws/s3"] == keys["managed"]["key_id"] and aliases["alias/rotated"] == keys["rotated"]["key_id"]
    assert kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyManager"] == "AWS"
    # the AWS-managed keys moto makes up when DescribeKey names a reserved alias are AWS-managed too
    assert kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["KeyManager"] == "AWS"
    # the harness endpoint validates
    r = requests.post(f"{EP}/_harness/kms/key", json={"account_id": CTX.big_acct, "region": "us-east-1",
                                                      "key_id": keys["rsa"]["key_id"], "key_manager": "NOBODY"}, timeout=10)
    assert r.status_code == 400, r.text
    r = requests.post(f"{EP}/_harness/kms/key", json={"key_id": f"arn:aws:kms:us-east-1:{CTX.big_acct}:key/nope",
                                                      "key_manager": "AWS"}, timeout=10)
    assert r.status_code == 404, r.text

    trails = {t["Name"]: t for t in client(s, "cloudtrail").describe_trails()["trailList"]}
    assert trails["validated"]["LogFileValidationEnabled"] is True and trails["validated"]["KmsKeyId"] == keys["rotated"]["arn"]
    assert trails["plain-trail"]["LogFileValidationEnabled"] is False and "KmsKeyId" not in trails["plain-trail"]


def parse_report(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def iso_age_days(value: str) -> float:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", value), value
    return (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(value)).total_seconds() / 86400


def t_iam_read_back() -> None:
    s, acct, out = CTX.big_session, CTX.big_acct, CTX.big["iam"]
    iam = client(s, "iam")
    pp = iam.get_account_password_policy()["PasswordPolicy"]
    assert (pp["MinimumPasswordLength"], pp["PasswordReusePrevention"], pp["MaxPasswordAge"], pp["ExpirePasswords"]) == (14, 24, 90, True), pp
    assert pp["RequireSymbols"] and pp["RequireNumbers"] and pp["RequireUppercaseCharacters"] and pp["RequireLowercaseCharacters"]
    assert pp["AllowUsersToChangePassword"] is True
    users = {u["UserName"]: u for u in iam.list_users()["Users"]}
    assert set(users) == {"alice", "bob", "ci"}, users
    assert 2.9 < (dt.datetime.now(dt.timezone.utc) - users["alice"]["PasswordLastUsed"]).total_seconds() / 86400 < 3.1
    assert "PasswordLastUsed" not in users["bob"]
    assert 119.9 < (dt.datetime.now(dt.timezone.utc) - users["alice"]["CreateDate"]).total_seconds() / 86400 < 120.1
    keys = {k["AccessKeyId"]: k for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]}
    k1, k2 = out["users"]["alice"]["access_keys"]
    assert (keys[k1]["Status"], keys[k2]["Status"]) == ("Active", "Inactive"), keys
    last = iam.get_access_key_last_used(AccessKeyId=k1)["AccessKeyLastUsed"]
    assert last["ServiceName"] == "ec2" and last["Region"] == "us-east-1", last
    assert iam.get_access_key_last_used(AccessKeyId=k2)["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [out["users"]["alice"]["mfa_serial"]]
    iam.get_login_profile(UserName="bob")
    expect_client_error(lambda: iam.get_login_profile(UserName="ci"), "NoSuchEntity", 404)
    assert [p["PolicyName"] for p in iam.list_attached_user_policies(UserName="bob")["AttachedPolicies"]] == ["AdministratorAccess"]
    assert iam.list_user_policies(UserName="bob")["PolicyNames"] == ["u-inline"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["admins"]
    assert {p["PolicyName"] for p in iam.list_attached_group_policies(GroupName="admins")["AttachedPolicies"]} == {"ReadOnlyAccess", "full-admin"}
    assert iam.list_group_policies(GroupName="admins")["PolicyNames"] == ["g-inline"]
    assert [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="ops")["AttachedPolicies"]] == ["full-admin"]
    assert iam.list_role_policies(RoleName="ops")["PolicyNames"] == ["r-inline"]
    assert [p["PolicyName"] for p in iam.list_attached_user_policies(UserName="ci")["AttachedPolicies"]] == ["full-admin"]
    support = iam.get_role(RoleName="support")["Role"]
    assert support["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{acct}:root"}, support
    trust = iam.get_role(RoleName="ops")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"} and trust["Action"] == "sts:AssumeRole", trust
    ents = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["support"], ents
    # the AWS-managed policies the checks name exist, with AWS's documents
    for name in ("AdministratorAccess", "AWSSupportAccess", "AWSCloudShellFullAccess", "ReadOnlyAccess"):
        pol = iam.get_policy(PolicyArn=f"arn:aws:iam::aws:policy/{name}")["Policy"]
        doc = iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        assert doc["Statement"], (name, doc)
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    doc = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId=admin["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert doc["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}], doc
    aws_names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AdministratorAccess", "AWSSupportAccess", "AWSCloudShellFullAccess", "ReadOnlyAccess"} <= aws_names
    attached = {p["PolicyName"] for p in iam.list_policies(Scope="All", OnlyAttached=True)["Policies"]}
    assert attached == {"AdministratorAccess", "AWSSupportAccess", "ReadOnlyAccess", "full-admin"}, attached
    certs = {c["ServerCertificateName"]: c for c in iam.list_server_certificates()["ServerCertificateMetadataList"]}
    now = dt.datetime.now(dt.timezone.utc)
    assert certs["old-cert"]["Expiration"] < now < certs["fresh-cert"]["Expiration"], certs
    assert certs["old-cert"]["ServerCertificateId"] != certs["fresh-cert"]["ServerCertificateId"]
    assert abs((now - certs["fresh-cert"]["UploadDate"]).total_seconds()) < 600
    got = iam.get_server_certificate(ServerCertificateName="fresh-cert")["ServerCertificate"]["ServerCertificateMetadata"]
    assert got["Expiration"] == certs["fresh-cert"]["Expiration"]

    # root: GetAccountSummary, ListVirtualMFADevices (hardware MFA: no virtual device)
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (1, 1), summary
    serials = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]
    assert serials == [out["users"]["alice"]["mfa_serial"]], serials


def t_iam_credential_report() -> None:
    s, acct = CTX.big_session, CTX.big_acct
    iam = client(s, "iam")
    # a fresh account: no report until generated; STARTED, then COMPLETE (a client polls)
    fresh = client(session_for(fresh_account()), "iam")
    expect_client_error(fresh.get_credential_report, "ReportNotPresent", 410)
    assert fresh.generate_credential_report()["State"] == "STARTED"
    assert fresh.generate_credential_report()["State"] == "COMPLETE"
    rows = parse_report(fresh.get_credential_report()["Content"])
    assert [r["user"] for r in rows] == ["<root_account>"], rows

    iam.generate_credential_report()
    rep = iam.get_credential_report()
    assert rep["ReportFormat"] == "text/csv" and abs((dt.datetime.now(dt.timezone.utc) - rep["GeneratedTime"]).total_seconds()) < 600
    content = rep["Content"].decode()
    header = content.split("\n", 1)[0].split(",")
    assert header == [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
        "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
        "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
        "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active",
        "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"], header
    rows = {r["user"]: r for r in parse_report(rep["Content"])}
    assert list(rows) == ["<root_account>", "alice", "bob", "ci"], list(rows)
    root = rows["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{acct}:root"
    assert (root["password_enabled"], root["password_last_changed"], root["password_next_rotation"]) == ("not_supported",) * 3
    assert 0.9 < iso_age_days(root["password_last_used"]) < 1.1 and root["mfa_active"] == "true"
    assert root["access_key_1_active"] == "true" and 4.9 < iso_age_days(root["access_key_1_last_used_date"]) < 5.1
    assert 399.9 < iso_age_days(root["access_key_1_last_rotated"]) < 400.1
    assert (root["access_key_2_active"], root["access_key_2_last_rotated"], root["access_key_2_last_used_date"]) == ("false", "N/A", "N/A")
    iso_age_days(root["user_creation_time"])
    a = rows["alice"]
    assert (a["password_enabled"], a["mfa_active"]) == ("true", "true")
    assert 2.9 < iso_age_days(a["password_last_used"]) < 3.1
    assert 119.9 < iso_age_days(a["password_last_changed"]) < 120.1  # set when the user was created
    assert 29.9 < iso_age_days(a["password_next_rotation"]) < 30.1  # changed 120 days ago + MaxPasswordAge 90
    assert a["access_key_1_active"] == "true" and 119.9 < iso_age_days(a["access_key_1_last_rotated"]) < 120.1
    assert 1.9 < iso_age_days(a["access_key_1_last_used_date"]) < 2.1
    assert (a["access_key_1_last_used_region"], a["access_key_1_last_used_service"]) == ("us-east-1", "ec2")
    assert a["access_key_2_active"] == "false" and 9.9 < iso_age_days(a["access_key_2_last_rotated"]) < 10.1
    assert (a["access_key_2_last_used_date"], a["access_key_2_last_used_region"], a["access_key_2_last_used_service"]) == ("N/A",) * 3
    b = rows["bob"]
    assert (b["password_enabled"], b["password_last_used"], b["mfa_active"]) == ("true", "no_information", "false")
    assert 99.9 < iso_age_days(b["user_creation_time"]) < 100.1 and 29.9 < iso_age_days(b["password_last_changed"]) < 30.1
    c = rows["ci"]
    assert (c["password_enabled"], c["password_last_used"], c["password_last_changed"], c["password_next_rotation"]) == ("false", "N/A", "N/A", "N/A")
    assert 199.9 < iso_age_days(c["user_creation_time"]) < 200.1  # not younger than its oldest key
    assert c["access_key_1_active"] == "true" and c["access_key_1_last_used_date"] == "N/A"
    assert (c["cert_1_active"], c["cert_1_last_rotated"]) == ("false", "N/A")

    # root with virtual MFA and no keys: summary, the root device, the report row
    r = requests.post(f"{EP}/_harness/iam/root", json={"account_id": acct, "mfa": True}, timeout=10)
    assert r.status_code == 200, r.text
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (1, 0), summary
    devs = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert devs[0]["SerialNumber"] == f"arn:aws:iam::{acct}:mfa/root-account-mfa-device", devs
    assert devs[0]["User"]["Arn"] == f"arn:aws:iam::{acct}:root" and "UserName" not in devs[0]["User"], devs
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    root = parse_report(iam.get_credential_report()["Content"])[0]
    assert (root["mfa_active"], root["access_key_1_active"], root["password_last_used"]) == ("true", "false", "no_information")
    assert requests.get(f"{EP}/_harness/iam/root", params={"account_id": acct}, timeout=10).json()["root"]["mfa"] == "virtual"
    # validation
    for bad in ({"account_id": acct, "mfa": "yes"}, {"account_id": acct, "access_keys_active": [True, True, True]},
                {"account_id": acct, "password_last_used_days": -1}):
        assert requests.post(f"{EP}/_harness/iam/root", json=bad, timeout=10).status_code == 400, bad
    assert requests.post(f"{EP}/_harness/iam/user", json={"account_id": acct, "user": "nobody"}, timeout=10).status_code == 404
    r = requests.post(f"{EP}/_harness/iam/user", json={"account_id": acct, "user": "ci",
                                                        "access_keys": [{"access_key_id": "AKIANOPE", "age_days": 1}]}, timeout=10)
    assert r.status_code == 404, r.text


# -- Access Analyzer, RDS, EFS, account contacts ---------------------------------------
def t_access_analyzer() -> None:
    acct = fresh_account()
    created = seed({
        "account": acct,
        "accessanalyzer": [{"region": "us-east-1", "name": "account-analyzer"},
                           {"region": "eu-west-1", "name": "broken", "status": "FAILED",
                            "status_reason": "SERVICE_LINKED_ROLE_CREATION_FAILED"},
                           {"region": "eu-west-1", "name": "unused", "type": "ACCOUNT_UNUSED_ACCESS"}],
        "rds": [{"region": "us-east-1",
                 "instances": [{"id": "db-enc", "encrypted": True},
                               {"id": "db-open", "publicly_accessible": True, "multi_az": True,
                                "auto_minor_version_upgrade": False, "engine": "postgres"},
                               {"id": "aurora-reader", "cluster": "aurora-ha"}],
                 "clusters": [{"id": "aurora-ha", "encrypted": True, "multi_az": True},
                              {"id": "aurora-single"}]}],
        "efs": [{"region": "eu-west-1", "file_systems": [{"name": "enc", "encrypted": True}, {"name": "plain"}]}],
        "contacts": {"security": {"name": "Sec Ops", "email": "sec@example.com", "phone": "+1-555-0101", "title": "CISO"},
                     "billing": {"name": "Billing", "email": "billing@example.com"}},
    })
    s = session_for(acct)
    aa, aa_eu = client(s, "accessanalyzer"), client(s, "accessanalyzer", "eu-west-1")
    got = aa.list_analyzers()["analyzers"]
    assert [(x["name"], x["type"], x["status"]) for x in got] == [("account-analyzer", "ACCOUNT", "ACTIVE")], got
    assert got[0]["arn"] == f"arn:aws:access-analyzer:us-east-1:{acct}:analyzer/account-analyzer"
    assert isinstance(got[0]["createdAt"], dt.datetime) and [a["arn"] for a in created["accessanalyzer"]][0] == got[0]["arn"]
    eu = {x["name"]: x for x in aa_eu.list_analyzers()["analyzers"]}
    assert eu["broken"]["status"] == "FAILED" and eu["broken"]["statusReason"] == {"code": "SERVICE_LINKED_ROLE_CREATION_FAILED"}
    assert [x["name"] for x in aa_eu.list_analyzers(type="ACCOUNT_UNUSED_ACCESS")["analyzers"]] == ["unused"]
    assert aa.list_analyzers(type="ORGANIZATION")["analyzers"] == []
    assert client(session_for(fresh_account()), "accessanalyzer").list_analyzers()["analyzers"] == []  # per account
    assert client(s, "accessanalyzer", "ap-south-1").list_analyzers()["analyzers"] == []  # per region
    # Create / Get / Delete and AWS's errors
    arn = aa.create_analyzer(analyzerName="second", type="ACCOUNT", tags={"team": "sec"})["arn"]
    assert aa.get_analyzer(analyzerName="second")["analyzer"]["tags"] == {"team": "sec"}
    exc = expect_client_error(lambda: aa.create_analyzer(analyzerName="second", type="ACCOUNT"), "ConflictException", 409)
    assert exc.response["Error"]["Message"], exc.response
    expect_client_error(lambda: aa.create_analyzer(analyzerName="bad", type="NOPE"), "ValidationException", 400)
    expect_client_error(lambda: aa.list_analyzers(type="NOPE"), "ValidationException", 400)
    page = aa.list_analyzers(maxResults=1)
    assert len(page["analyzers"]) == 1 and page["nextToken"], page
    assert len(aa.list_analyzers(maxResults=1, nextToken=page["nextToken"])["analyzers"]) == 1
    assert [x["name"] for p in aa.get_paginator("list_analyzers").paginate(PaginationConfig={"PageSize": 1}) for x in p["analyzers"]] == ["account-analyzer", "second"]
    aa.delete_analyzer(analyzerName="second")
    expect_client_error(lambda: aa.delete_analyzer(analyzerName="second"), "ResourceNotFoundException", 404)
    expect_client_error(lambda: aa.get_analyzer(analyzerName="second"), "ResourceNotFoundException", 404)
    assert arn.endswith(":analyzer/second")
    # the wire: REST-JSON, ISO 8601 timestamps
    r = requests.get(f"{EP}/analyzer", headers=signed_headers(s, "access-analyzer", f"{EP}/analyzer"), timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json", r.text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r.json()["analyzers"][0]["createdAt"]), r.text
    # what the emulator does not implement says so (404: SDKs do not retry it)
    exc = expect_client_error(lambda: aa.list_findings(analyzerArn=got[0]["arn"]), "UnknownOperationException", 404)
    assert "ListAnalyzers" in exc.response["Error"]["Message"], exc.response
    # faults reach Access Analyzer too
    add_fault(account_id=acct, operation="ListAnalyzers", error_code="AccessDeniedException",
              message="no access-analyzer:ListAnalyzers", http_status=403, times=1)
    expect_client_error(aa.list_analyzers, "AccessDeniedException", 403, "no access-analyzer:ListAnalyzers")
    aa.list_analyzers()
    clear_faults()
    # the harness endpoint validates
    for bad in ({"region": "us-east-1", "name": "account-analyzer", "status": "BROKEN"},
                {"region": "us-east-1", "name": "nope", "status": "ACTIVE"}):
        r = requests.post(f"{EP}/_harness/accessanalyzer/analyzer", json={"account_id": acct, **bad}, timeout=10)
        assert r.status_code in (400, 404), r.text

    rds = client(s, "rds")
    inst = {d["DBInstanceIdentifier"]: d for d in rds.describe_db_instances()["DBInstances"]}
    assert set(inst) == {"db-enc", "db-open", "aurora-reader", "aurora-ha-instance-1", "aurora-ha-instance-2",
                         "aurora-single-instance-1"}, set(inst)
    enc, opn = inst["db-enc"], inst["db-open"]
    assert (enc["StorageEncrypted"], enc["PubliclyAccessible"], enc["MultiAZ"], enc["AutoMinorVersionUpgrade"], enc["Engine"]) == (True, False, False, True, "mysql")
    assert (opn["StorageEncrypted"], opn["PubliclyAccessible"], opn["MultiAZ"], opn["AutoMinorVersionUpgrade"], opn["Engine"]) == (False, True, True, False, "postgres")
    assert all("PubliclyAccessible" in d for d in inst.values())
    clusters = {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"]}
    ha, single = clusters["aurora-ha"], clusters["aurora-single"]
    assert (ha["StorageEncrypted"], ha["MultiAZ"], ha["Engine"]) == (True, True, "aurora-mysql"), ha
    assert {m["DBInstanceIdentifier"] for m in ha["DBClusterMembers"]} == {"aurora-ha-instance-1", "aurora-ha-instance-2", "aurora-reader"}
    assert (single["StorageEncrypted"], single["MultiAZ"]) == (False, False), single
    assert inst["aurora-reader"]["DBClusterIdentifier"] == "aurora-ha" and inst["aurora-reader"]["StorageEncrypted"] is True

    fss = {f["Name"]: f for f in client(s, "efs", "eu-west-1").describe_file_systems()["FileSystems"]}
    assert (fss["enc"]["Encrypted"], fss["plain"]["Encrypted"]) == (True, False), fss
    assert created["efs"]["eu-west-1"] == {"enc": fss["enc"]["FileSystemId"], "plain": fss["plain"]["FileSystemId"]}
    assert client(s, "efs").describe_file_systems()["FileSystems"] == []

    account = client(s, "account")
    sec = account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
    assert (sec["Name"], sec["EmailAddress"], sec["PhoneNumber"], sec["Title"]) == ("Sec Ops", "sec@example.com", "+1-555-0101", "CISO")
    bill = account.get_alternate_contact(AlternateContactType="BILLING")["AlternateContact"]
    assert (bill["Title"], bill["PhoneNumber"]) == ("Billing", "+1-555-0100"), bill
    expect_client_error(lambda: account.get_alternate_contact(AlternateContactType="OPERATIONS"), "ResourceNotFoundException")


# -- reset (last: it wipes the whole emulator) -------------------------------------------
def t_reset_clears_harness_state() -> None:
    acct = fresh_account()
    s = session_for(acct)
    seed({"account": acct, "trails": [{"name": "reset-trail", "log_group": "g", "cw_never_delivered": True}],
          "accessanalyzer": [{"name": "reset-analyzer"}], "iam": {"root": {"mfa": True}}})
    assert requests.get(f"{EP}/_harness/cloudtrail/delivery", timeout=10).json()["overrides"]
    assert client(s, "accessanalyzer").list_analyzers()["analyzers"]
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
    assert client(s, "accessanalyzer").list_analyzers()["analyzers"] == []
    assert client(s, "iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    t0 = time.monotonic()
    client(s, "sts").get_caller_identity()
    assert time.monotonic() - t0 < 1.0, "reset left the latency on"

def t_pipeline_filter_pattern_matcher() -> None:
    """The emulator's own filter-pattern matcher (independent of cis-audit's)."""
    sys.path.insert(0, HERE)
    from pipeline import FilterPattern, PatternError, request_parameters

    ev = json.dumps({"eventName": "CreateSecurityGroup", "eventSource": "ec2.amazonaws.com",
                     "userIdentity": {"type": "Root", "invokedBy": None}, "errorCode": None,
                     "requestParameters": {"groupId": "sg-1", "ports": [22, 443]}, "count": 5, "readOnly": False})
    cases = [
        ("", True),
        ("{ $.eventName = CreateSecurityGroup }", True),
        ('{ $.eventName = "CreateSecurityGroup" }', True),
        ("{ $.eventName = Create* }", True),
        ("{ $.eventName = *Group }", True),
        ("{ $.eventName = DeleteSecurityGroup }", False),
        ("{ $.eventName != DeleteSecurityGroup }", True),
        ("{ $.missing != x }", False),  # an absent field matches nothing
        ("{ ($.eventName = A) || ($.eventName = CreateSecurityGroup) }", True),
        ("{ ($.eventName = CreateSecurityGroup) && ($.eventSource = s3.amazonaws.com) }", False),
        ("{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = X) || ($.eventName = CreateSecurityGroup)) }", True),
        ("{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS }", False),
        ("{ $.userIdentity.type = Root && $.userIdentity.invokedBy IS NULL }", True),
        ("{ $.userIdentity.invokedBy2 NOT EXISTS }", True),
        ("{ $.count > 4 }", True), ("{ $.count >= 6 }", False), ("{ $.count = 5 }", True),
        ("{ $.requestParameters.ports[1] = 443 }", True),
        ("{ $.readOnly IS FALSE }", True),
        ("{ $.errorCode = \"*UnauthorizedOperation\" }", False),
        ("CreateSecurityGroup", True), ('"sg-1"', True), ("sg-2", False), ("CreateSecurityGroup -sg-1", False),
    ]
    for pattern, want in cases:
        assert FilterPattern(pattern).matches(ev) is want, (pattern, want)
    for bad in ("{ $.a = }", "{ eventName = x }", "{ ($.a = 1 }", "[a, b]", "{ $.a = 1"):
        try:
            FilterPattern(bad)
        except PatternError:
            continue
        raise AssertionError(f"{bad!r} should not parse")
    form = {"Action": ["AuthorizeSecurityGroupIngress"], "GroupId": ["sg-1"],
            "IpPermissions.1.IpProtocol": ["tcp"], "IpPermissions.1.IpRanges.1.CidrIp": ["192.0.2.0/24"]}
    assert request_parameters(form) == {"groupId": "sg-1", "ipPermissions": {"items": [
        {"ipProtocol": "tcp", "ipRanges": {"items": [{"cidrIp": "192.0.2.0/24"}]}}]}}


def _pipeline_account(topic_policy: dict | None = None, actions_enabled: bool = True,
                      filter_policy: dict | None = None, pattern: str | None = None) -> tuple[str, boto3.Session, str]:
    acct = fresh_account()
    topic: dict = {"region": "us-east-1", "name": "alarms"}
    if topic_policy is not None:
        topic["policy"] = topic_policy
    seed({"account": acct,
          "trails": [{"name": "main", "region": "us-east-1", "multi_region": True, "log_group": "ct-logs"}],
          "metric_filters": [{"region": "us-east-1", "log_group": "ct-logs", "name": "sg", "metric_name": "SgChanges",
                              "pattern": pattern or "{ ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"}],
          "topics": [topic],
          "alarms": [{"region": "us-east-1", "name": "sg-alarm", "metric_name": "SgChanges", "topic": "alarms",
                      "actions_enabled": actions_enabled}]})
    s = session_for(acct)
    q = _queue_for(s, acct, "watch", f"arn:aws:sns:us-east-1:{acct}:alarms")
    sub = client(s, "sns").subscribe(TopicArn=f"arn:aws:sns:us-east-1:{acct}:alarms", Protocol="sqs",
                                     Endpoint=f"arn:aws:sqs:us-east-1:{acct}:watch", ReturnSubscriptionArn=True)
    if filter_policy is not None:
        client(s, "sns").set_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"], AttributeName="FilterPolicy",
                                                     AttributeValue=json.dumps(filter_policy))
    return acct, s, q


def _queue_for(s: boto3.Session, acct: str, name: str, topic_arn: str | None) -> str:
    """A queue whose policy lets `topic_arn` (None: no policy at all) send to it, as a subscriber
    needs in AWS."""
    attrs = {}
    if topic_arn is not None:
        attrs["Policy"] = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": f"arn:aws:sqs:us-east-1:{acct}:{name}",
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})
    return client(s, "sqs").create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]


def _sums(s: boto3.Session, namespace: str, name: str, dims: dict[str, str]) -> float:
    """The Sum of a metric over the last five minutes (GetMetricStatistics)."""
    now = dt.datetime.now(dt.timezone.utc)
    out = client(s, "cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=name, Statistics=["Sum"], Period=60,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=now - dt.timedelta(minutes=5), EndTime=now + dt.timedelta(minutes=1))
    return sum(d["Sum"] for d in out["Datapoints"])


def _history(s: boto3.Session) -> list[tuple[str, str]]:
    out = cbor_ok(cbor_call(s, "DescribeAlarmHistory", {"AlarmName": "sg-alarm", "ScanBy": "TimestampAscending"}))
    return [(h["HistoryItemType"], h["HistorySummary"]) for h in out.get("AlarmHistoryItems", [])]


def _sg_change(s: boto3.Session, region: str = "us-east-1") -> str:
    ec2 = client(s, "ec2", region)
    vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"])
    g = ec2.create_security_group(GroupName="pipeline", Description="d", VpcId=vpc)["GroupId"]
    ec2.delete_security_group(GroupId=g)
    return g


def t_pipeline_change_to_alarm_to_queue() -> None:
    """A security group change travels: CloudTrail record in the log group, data point, ALARM,
    SNS action, SQS delivery; the next event after the reset notifies again."""
    assert requests.post(f"{EP}/_harness/pipeline", json={"delay_seconds": 0.2, "alarm_reset_seconds": 1},
                         timeout=10).status_code == 200
    acct, s, q = _pipeline_account()
    g = _sg_change(s, "eu-west-1")  # another region: the multi-region trail records it
    logs = client(s, "logs")
    wait_until("the CloudTrail records", lambda: len(logs.filter_log_events(logGroupName="ct-logs", filterPattern=f'"{g}"')["events"]) == 2)
    ev = [json.loads(e["message"]) for e in logs.filter_log_events(logGroupName="ct-logs", filterPattern=f'"{g}"')["events"]]
    assert [e["eventName"] for e in ev] == ["CreateSecurityGroup", "DeleteSecurityGroup"], ev
    assert ev[0]["responseElements"]["groupId"] == g and ev[1]["requestParameters"] == {"groupId": g}, ev
    assert ev[0]["awsRegion"] == "eu-west-1" and ev[0]["eventSource"] == "ec2.amazonaws.com"
    assert ev[0]["recipientAccountId"] == acct and ev[0]["userIdentity"]["accountId"] == acct
    wait_until("the alarm's action", lambda: any(k == "Action" for k, _ in _history(s)))
    h = _history(s)
    assert ("StateUpdate", "Alarm updated from OK to ALARM") in h, h
    assert ("Action", f"Successfully executed action arn:aws:sns:us-east-1:{acct}:alarms") in h, h
    msgs = client(s, "sqs").receive_message(QueueUrl=q, WaitTimeSeconds=2)["Messages"]
    env = json.loads(msgs[0]["Body"])
    body = json.loads(env["Message"])
    assert env["TopicArn"] == f"arn:aws:sns:us-east-1:{acct}:alarms" and env["Subject"].startswith('ALARM: "sg-alarm"')
    assert body["NewStateValue"] == "ALARM" and body["Trigger"]["MetricName"] == "SgChanges", body
    # SNS counted the delivery to the queue (AWS/SNS, dimension TopicName).
    assert _sums(s, "AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": "alarms"}) == 1
    assert _sums(s, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "alarms"}) == 0
    # Compressed period over, no data: missing data -> INSUFFICIENT_DATA; the next event notifies again.
    wait_until("the alarm to leave ALARM", lambda: ("StateUpdate", "Alarm updated from ALARM to INSUFFICIENT_DATA") in _history(s))
    _sg_change(s)
    wait_until("a second notification", lambda: sum(k == "Action" for k, _ in _history(s)) == 2)


def t_pipeline_breaks_where_aws_would() -> None:
    """A filter that misses: no data point; actions disabled: ALARM without action; a topic
    policy denying CloudWatch: a failed action, nothing delivered; a subscription filter
    policy on attributes: nothing delivered to it."""
    acct, s, q = _pipeline_account(pattern="{ $.eventName = ModifySecurityGroupRules }")
    _sg_change(s)
    time.sleep(1.5)
    stats = client(s, "cloudwatch").get_metric_statistics(
        Namespace="CISBenchmark", MetricName="SgChanges", Statistics=["Sum"], Period=60,
        StartTime=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5), EndTime=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1))
    assert stats["Datapoints"] == [], stats
    assert _history(s) == []

    acct, s, q = _pipeline_account(actions_enabled=False)
    _sg_change(s)
    wait_until("ALARM", lambda: ("StateUpdate", "Alarm updated from OK to ALARM") in _history(s))
    time.sleep(0.5)
    assert not any(k == "Action" for k, _ in _history(s)), _history(s)

    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "{topic_arn}",
         "Condition": {"StringEquals": {"AWS:SourceOwner": "{account}"}}},
        {"Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "SNS:Publish", "Resource": "{topic_arn}"}]}
    acct, s, q = _pipeline_account(topic_policy=deny)
    _sg_change(s)
    wait_until("the failed action", lambda: any(k == "Action" for k, _ in _history(s)))
    action = [v for k, v in _history(s) if k == "Action"][0]
    assert action.startswith(f"Failed to execute action arn:aws:sns:us-east-1:{acct}:alarms"), action
    assert "Messages" not in client(s, "sqs").receive_message(QueueUrl=q, WaitTimeSeconds=1)

    acct, s, q = _pipeline_account(filter_policy={"severity": ["high"]})
    _sg_change(s)
    wait_until("the action", lambda: any(k == "Action" for k, _ in _history(s)))
    assert "Messages" not in client(s, "sqs").receive_message(QueueUrl=q, WaitTimeSeconds=1), "moto applies filter policies"
    assert _sums(s, "AWS/SNS", "NumberOfNotificationsFilteredOut", {"TopicName": "alarms"}) == 1
    assert _sums(s, "AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": "alarms"}) == 0

    # A queue whose policy does not let the topic send receives nothing: SNS counts a failure.
    acct, s, _ = _pipeline_account()
    topic = f"arn:aws:sns:us-east-1:{acct}:alarms"
    queues = {"none": _queue_for(s, acct, "nopolicy", None),
              "other": _queue_for(s, acct, "othertopic", f"arn:aws:sns:us-east-1:{acct}:another")}
    for name in ("nopolicy", "othertopic"):
        client(s, "sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{acct}:{name}")
    _sg_change(s)
    wait_until("the delivery to the allowed queue", lambda: _sums(s, "AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": "alarms"}) == 1)
    assert _sums(s, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "alarms"}) == 2
    for url in queues.values():
        assert "Messages" not in client(s, "sqs").receive_message(QueueUrl=url, WaitTimeSeconds=1), url
    assert requests.post(f"{EP}/_harness/pipeline", json={"delay_seconds": -1}, timeout=10).status_code == 400


def t_pipeline_eventbridge_route() -> None:
    """A rule matching the CloudTrail event sends its input transformer's sentence to its topic,
    when the topic policy lets EventBridge publish (the default policy does not)."""
    allow = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "{topic_arn}"}]}
    for policy, delivered in ((allow, True), (None, False)):
        acct = fresh_account()
        topic: dict = {"region": "us-east-1", "name": "rt"}
        if policy is not None:
            topic["policy"] = policy
        sentence = "The user <username> has initiated <changetype> for Security Group with id <sgid> in <region>."
        seed({"account": acct, "trails": [{"name": "main", "region": "us-east-1", "multi_region": True}],
              "topics": [topic],
              "event_rules": [{"region": "us-east-1", "name": "sg", "pattern": {"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
                                                                                  "detail": {"eventName": ["DeleteSecurityGroup"]}},
                               "targets": [{"topic": "rt", "input_transformer": {
                                   "InputPathsMap": {"username": "$.detail.userIdentity.arn", "changetype": "$.detail.eventName",
                                                     "sgid": "$.detail.requestParameters.groupId", "region": "$.detail.awsRegion"},
                                   "InputTemplate": json.dumps(sentence)}}]}]})
        s = session_for(acct)
        q = _queue_for(s, acct, "rt", f"arn:aws:sns:us-east-1:{acct}:rt")
        client(s, "sns").subscribe(TopicArn=f"arn:aws:sns:us-east-1:{acct}:rt", Protocol="sqs",
                                   Endpoint=f"arn:aws:sqs:us-east-1:{acct}:rt", Attributes={"RawMessageDelivery": "true"})
        g = _sg_change(s)
        if delivered:
            msgs = wait_until("the rule's message", lambda: client(s, "sqs").receive_message(QueueUrl=q, WaitTimeSeconds=1).get("Messages"))
            body = msgs[0]["Body"]
            assert body == json.dumps(f"The user arn:aws:sts::{acct}:assumed-role/caller/cis-audit has initiated DeleteSecurityGroup for Security Group with id {g} in us-east-1."), body
        else:
            time.sleep(2)
            assert "Messages" not in client(s, "sqs").receive_message(QueueUrl=q, WaitTimeSeconds=1)
        # AWS/Events: the rule matched once (only DeleteSecurityGroup), invoked its target once,
        # which failed when the topic policy refused EventBridge.
        rule = {"RuleName": "sg"}
        wait_until("TriggeredRules", lambda: _sums(s, "AWS/Events", "TriggeredRules", rule) == 1)
        assert _sums(s, "AWS/Events", "Invocations", rule) == 1
        assert _sums(s, "AWS/Events", "FailedInvocations", rule) == (0 if delivered else 1)
        assert _sums(s, "AWS/SNS", "NumberOfNotificationsDelivered", {"TopicName": "rt"}) == (1 if delivered else 0)


TESTS = [
    t_health, t_seed_and_read_back, t_sns_pending_and_confirm, t_cloudwatch_cbor_raw,
    t_cloudwatch_cbor_botocore, t_faults_json, t_faults_query, t_faults_cbor,
    t_faults_validation, t_account_isolation, t_account_list_regions, t_demo_seed,
    t_fault_delay_pass_through, t_fault_delay_killed_client, t_cloudtrail_cw_delivery,
    t_seed_kms_sns_events, t_seed_securityhub, t_seed_organization,
    t_seed_realistic_account, t_ec2_read_back, t_ec2_default_group_harness, t_s3_read_back,
    t_kms_cloudtrail_read_back, t_iam_read_back, t_iam_credential_report, t_access_analyzer,
    t_pipeline_filter_pattern_matcher, t_pipeline_change_to_alarm_to_queue, t_pipeline_breaks_where_aws_would, t_pipeline_eventbridge_route,
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

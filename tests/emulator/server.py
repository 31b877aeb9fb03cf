#!/usr/bin/env python3
"""Test/demo AWS emulator for cis-audit: moto 5.2.5 server mode plus a WSGI
middleware that closes the gaps the audit cares about.

    python server.py --host 127.0.0.1 --port 0      # 0 = pick a free port

Prints ``listening on http://HOST:PORT`` (flushed) once it accepts connections.

What the middleware adds in front of moto:

* CloudWatch Smithy RPC v2 CBOR (aws-sdk-cloudwatch >= 1.100): requests to
  ``POST /service/GraniteServiceVersion20100801/operation/<Op>`` are translated
  to moto's AWS JSON 1.0 handler and the answer back to CBOR, driven by the
  botocore service model so every member gets the right CBOR type (timestamps
  as tag 1 + float64, doubles as float64, blobs as byte strings).
* SNS subscriptions with protocol email / email-json / http / https stay
  ``PendingConfirmation`` until ``POST /_harness/sns/confirm``.
* Fault injection: ``POST /_harness/faults`` adds one fault, ``GET /_harness/faults``
  lists them (plus ``delaying``: the requests a delay is holding right now),
  ``DELETE /_harness/faults`` removes them all. Fault spec: ``operation``
  (required), ``service``, ``region``, ``account_id`` (null = any), ``times``
  (null = forever, else the number of requests it applies to), ``error_code``
  ["AccessDeniedException"], ``message``, ``http_status`` [400], ``delay_ms``
  [0; hold the request N ms first], ``pass_through`` [false; with it the request
  goes on to moto after the delay and succeeds: no error]. The first matching
  fault wins. A delayed request's body is read before the sleep, so moto still
  applies the call when the client has gone away (killed) meanwhile; the sleep
  holds only that request's thread. ``POST /_harness/reset`` wakes every held
  request and answers it 503 ``EmulatorReset`` instead of applying it.
  S3 reads are named as their operations (``ListBuckets``, ``GetBucketLogging``,
  ``GetBucketLocation``, ``GetBucketPolicy``, ``GetBucketAcl``, ``GetBucketVersioning``,
  ``GetPublicAccessBlock``, ``GetBucketEncryption``; service ``s3``) and answered as S3 does.
  A fault may name ``role_arn``: it then matches only an AssumeRole asking for that role
  (AssumeRole is signed by the caller, so ``account_id`` cannot tell members apart).
* CloudTrail -> CloudWatch Logs delivery (moto never reports it): GetTrailStatus
  of a trail with a CloudWatchLogsLogGroupArn gets ``LatestCloudWatchLogsDeliveryTime``
  (epoch seconds): while logging, now - 180 s (not before StartLoggingTime); once
  stopped, the stop time; never started, none. A trail without a log group gets
  neither field. ``POST /_harness/cloudtrail/delivery`` overrides one trail:
  ``{"account_id", "trail": name or ARN, "region" [optional, to pick among
  same-named trails or name a trail not created yet], "age_seconds": N}`` reports
  now - N (fixed when set: it ages like a stalled delivery), ``"never": true``
  reports no delivery at all, ``"error": "..."`` sets
  ``LatestCloudWatchLogsDeliveryError`` (with or without the other two); a body
  with none of the three restores the default. ``GET /_harness/cloudtrail/delivery``
  lists the overrides (keyed by trail ARN).
* EC2: every default security group moto creates (any account, region or VPC) gets
  AWS's "all traffic from this group" ingress rule (moto gives none; revoking it works
  like AWS's); a new custom network ACL gets AWS's two rule-32767 deny entries; ACL
  entries come back egress first, by rule number.
* KMS: ``POST /_harness/kms/key {"account_id", "region", "key_id" (id or ARN),
  "key_manager": "AWS"|"CUSTOMER", "alias" [optional, even alias/aws/*]}`` marks a key
  AWS-managed (DescribeKey/ListKeys as usual, KeyManager "AWS"); the alias/aws/* keys moto
  makes up on DescribeKey are AWS-managed too. GetKeyRotationStatus: KeyId, plus
  RotationPeriodInDays / NextRotationDate when on; always true for AWS-managed keys; false
  for asymmetric and HMAC keys and while PendingDeletion; UnsupportedOperationException
  ("<arn> origin is EXTERNAL which is not valid for this operation.") for a key whose
  origin is not AWS_KMS. Enable/DisableKeyRotation: UnsupportedOperationException for
  asymmetric, HMAC, non-AWS_KMS and AWS-managed keys. CreateKey without KeyUsage reports
  ENCRYPT_DECRYPT.
* S3: PutBucketVersioning's <MfaDelete> is kept and GetBucketVersioning answers
  <MfaDelete>Enabled|Disabled</MfaDelete> once it was configured, as AWS's document
  (<VersioningConfiguration> at the root: the Rust SDK refuses moto's own root element); PutBucketLogging accepts
  a target whose policy also has Principal "*" statements (moto answered 500). S3 Control
  (account Block Public Access) needs nothing: a request signed for service "s3" to
  /v20180820/... with x-amz-account-id reaches moto whatever its Host.
* IAM: GetCredentialReport is built here: AWS's 22 columns, a ``<root_account>`` row first
  (password_enabled / password_last_changed / password_next_rotation "not_supported"),
  "N/A" without a password or key, "no_information" for a password never used, real
  password_next_rotation (MaxPasswordAge), last-used region/service, and GeneratedTime =
  the last GenerateCredentialReport (STARTED the first time, COMPLETE after).
  ``POST /_harness/iam/root {"account_id", "access_keys_active": [true|false|"inactive",
  ...], "access_key_age_days", "access_key_last_used_days", "access_key_last_used_region",
  "access_key_last_used_service", "mfa": false|true|"virtual"|"hardware", "mfa_age_days",
  "password_last_used_days", "password": true|false}`` sets the root user (``GET
  ...?account_id=`` shows it): its report row, GetAccountSummary AccountMFAEnabled /
  AccountAccessKeysPresent / AccountPasswordPresent (``password`` false: a root user without
  a password, as centralised root access leaves it), and with virtual MFA a
  ``arn:aws:iam::ACCT:mfa/root-account-mfa-device`` in ListVirtualMFADevices.
  ListOrganizationsFeatures (moto has none) answers as AWS: outside an organization
  OrganizationNotFoundException, in a member account
  AccountNotManagementOrDelegatedAdministratorException, in the management account the
  organization id and the features set with ``POST /_harness/iam/organizations-features
  {"account_id", "features": ["RootCredentialsManagement", "RootSessions"]}`` (none set:
  ServiceAccessNotEnabledException, IAM's trusted access off).
  ``POST /_harness/iam/user {"account_id", "user", "created_days", "password_changed_days",
  "password_last_used_days" (null = never), "access_keys": [{"access_key_id", "age_days",
  "last_used_days", "last_used_region", "last_used_service"}]}`` back-dates a user (also
  seen by ListUsers, ListAccessKeys, GetAccessKeyLastUsed). Server certificates report
  their PEM's notAfter as Expiration, their upload time and a unique id (moto: 2012 for
  all). GetAccountPasswordPolicy omits MaxPasswordAge when passwords do not expire.
  AWS-managed policies: a subset with AWS's documents (AdministratorAccess,
  AWSSupportAccess, AWSCloudShellFullAccess, ReadOnlyAccess, SecurityAudit, ViewOnlyAccess,
  PowerUserAccess, IAMFullAccess, IAMReadOnlyAccess, AmazonS3FullAccess, AmazonEC2FullAccess,
  AWSCloudTrail_FullAccess); MOTO_IAM_LOAD_MANAGED_POLICIES=true loads all 1,582 instead
  (measured: ~0.9 s more on each account's first IAM call, ~1 GB RSS after the self-test).
* IAM Access Analyzer (moto has none), REST-JSON as the botocore model: ListAnalyzers
  (GET /analyzer?type=&maxResults=&nextToken=), CreateAnalyzer (PUT /analyzer),
  GetAnalyzer / DeleteAnalyzer (GET / DELETE /analyzer/{name}); per account and region;
  ConflictException 409, ResourceNotFoundException 404, ValidationException 400; other
  paths: 404 UnknownOperationException. Faults match them (service "access-analyzer").
  ``POST /_harness/accessanalyzer/analyzer {"account_id", "region", "name", "status",
  "status_reason"}`` sets an analyzer's status (and statusReason.code).
* account:ListRegions (moto has no Account API): the 17 default regions
  ENABLED_BY_DEFAULT, opt-in regions DISABLED; ``POST /_harness/account/regions``
  changes one account's statuses.
* CloudWatch DescribeAlarmHistory (moto has none): ``POST /_harness/cloudwatch/alarm-history
  {"account_id", "region", "alarm", "items": [{"type": "StateUpdate"|"Action", "summary",
  "age_hours" [0], "data" [none]}]}`` records an alarm's history (AWS's summaries: "Alarm
  updated from OK to ALARM", "Successfully executed action arn:…", "Failed to execute action
  arn:…"); DescribeAlarmHistory answers it by AlarmName, HistoryItemType, StartDate/EndDate,
  ScanBy and MaxRecords/NextToken. Metric data for GetMetricData (the filter's metric, AWS/SNS,
  AWS/Events) is moto's own, put with PutMetricData (seed.py history.metrics).
* The pipeline twin (pipeline.py): EC2 security group, network ACL and route table calls, and
  IAM policy calls, become CloudTrail records in the logging trails' log groups after the trail delay; metric
  filters are matched by the emulator's own filter-pattern matcher and put data points; alarms
  on them are evaluated (time compressed), record their history (the DescribeAlarmHistory
  above) and publish AWS's alarm message to SNS when ActionsEnabled and the topic policy lets
  cloudwatch.amazonaws.com publish; EventBridge rules matching the record as an "AWS API Call via
  CloudTrail" event send their SNS targets the input transformer's output when the topic policy
  lets events.amazonaws.com publish (AWS/Events TriggeredRules, Invocations, FailedInvocations);
  SNS delivers (moto: filter policies; SQS only as the queue policy lets the topic send) and
  counts each subscription's outcome (AWS/SNS NumberOfNotificationsDelivered / -Failed /
  -FilteredOut).
  ``POST /_harness/pipeline {"delay_seconds" [1], "alarm_reset_seconds" [2]}`` (GET shows them).
* ``POST /_harness/latency {"ms": N}``: every AWS request waits N ms (benchmarks).
* ``GET /_harness/health``; ``POST /_harness/reset`` (moto reset; clears faults,
  held delayed requests, region overrides, latency, CloudTrail delivery overrides and
  Access Analyzer analyzers; the KMS, S3 and IAM marks live on moto's objects and go with
  them).
"""
from __future__ import annotations

import argparse
import base64
import csv
import datetime as _dt
import gzip
import io
import json
import math
import os
import random
import re
import time
import signal
import string
import sys
import threading
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import cbor2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline  # noqa: E402  (the pipeline twin, beside this file)

# ---------------------------------------------------------------------------
# moto imports (server mode pieces)
# ---------------------------------------------------------------------------
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server  # noqa: E402

DEFAULT_ACCOUNT_ID = "123456789012"
CW_TARGET_PREFIX = "GraniteServiceVersion20100801"
CBOR_PATH_RE = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<op>[^/]+)/?$")
ACCESS_KEY_RE = re.compile(
    r"AWS.*(?P<access_key>(?<![A-Z0-9])[A-Z0-9]{20}(?![A-Z0-9]))[:/]"
)  # same as moto.core.responses.BaseResponse.access_key_regex

# ---------------------------------------------------------------------------
# SNS: pending confirmation for email / email-json / http / https
# ---------------------------------------------------------------------------
PENDING_PROTOCOLS = {"email", "email-json", "http", "https"}


def _install_sns_patches() -> None:
    from moto.sns import models as sns_models
    from moto.sns import responses as sns_responses

    Subscription = sns_models.Subscription
    SNSBackend = sns_models.SNSBackend
    SNSResponse = sns_responses.SNSResponse

    def _is_pending(sub: Any) -> bool:
        return bool(getattr(sub, "_harness_pending", False))

    # moto's response serializer looks up "SubscriptionArn" as
    # SubscriptionArn -> subscription_arn -> arn; a property on the second
    # name makes ListSubscriptions(ByTopic) render the AWS placeholder.
    def _subscription_arn(self: Any) -> str:
        return "PendingConfirmation" if _is_pending(self) else self.arn

    Subscription.subscription_arn = property(_subscription_arn)

    orig_subscribe = SNSBackend.subscribe

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        sub = orig_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None and protocol in PENDING_PROTOCOLS:
            sub._harness_pending = True
            sub.confirmed = False
            sub.attributes["PendingConfirmation"] = True
            sub.attributes["ConfirmationWasAuthenticated"] = False
        elif existing is None:
            sub.confirmed = True
        return sub

    SNSBackend.subscribe = subscribe

    orig_resp_subscribe = SNSResponse.subscribe

    def resp_subscribe(self: Any) -> Any:
        result = orig_resp_subscribe(self)
        try:
            arn = result.result["SubscriptionArn"]
            sub = self.backend.subscriptions.get(arn)
            want_arn = str(self._get_param("ReturnSubscriptionArn") or "").lower() == "true"
            if sub is not None and _is_pending(sub) and not want_arn:
                result.result["SubscriptionArn"] = "pending confirmation"
        except Exception:  # pragma: no cover - never break moto
            pass
        return result

    SNSResponse.subscribe = resp_subscribe

    orig_get_topic_attributes = SNSResponse.get_topic_attributes

    def resp_get_topic_attributes(self: Any) -> Any:
        try:
            topic = self.backend.get_topic(self._get_param("TopicArn"))
            subs = _subs_for_topic(topic.arn)
            topic.subscriptions_pending = sum(1 for s in subs if _is_pending(s))
            topic.subscriptions_confimed = sum(1 for s in subs if not _is_pending(s))
        except Exception:
            pass
        return orig_get_topic_attributes(self)

    SNSResponse.get_topic_attributes = resp_get_topic_attributes


def _install_cloudwatch_patches() -> None:
    """DescribeAlarms: honour AlarmTypes like AWS (omitted = metric alarms only);
    moto ignores the parameter and always returns both kinds."""
    from moto.cloudwatch import responses as cw_responses

    CloudWatchResponse = cw_responses.CloudWatchResponse
    orig_describe_alarms = CloudWatchResponse.describe_alarms

    def describe_alarms(self: Any) -> Any:
        result = orig_describe_alarms(self)
        try:
            types = self._get_param("AlarmTypes") or ["MetricAlarm"]
            if "MetricAlarm" not in types:
                result.result["MetricAlarms"] = []
            if "CompositeAlarm" not in types:
                result.result["CompositeAlarms"] = []
        except Exception:  # pragma: no cover - never break moto
            pass
        return result

    CloudWatchResponse.describe_alarms = describe_alarms


# ---------------------------------------------------------------------------
# CloudTrail -> CloudWatch Logs delivery status (moto never reports it)
# ---------------------------------------------------------------------------
CW_DELIVERY_DEFAULT_AGE = 180.0  # seconds: "a few minutes ago"
# trail ARN -> {"time": epoch seconds or None (= default), "never": bool, "error": str or None}
_cw_delivery: dict[str, dict] = {}
_cw_delivery_lock = threading.Lock()


def cw_delivery_fields(trail: Any) -> dict:
    """The LatestCloudWatchLogsDelivery* members GetTrailStatus reports for `trail`."""
    if not getattr(trail, "cw_log_group_arn", None):
        return {}
    with _cw_delivery_lock:
        override = dict(_cw_delivery.get(trail.arn) or {})
    out: dict = {}
    if override.get("error"):
        out["LatestCloudWatchLogsDeliveryError"] = override["error"]
    if override.get("never"):
        return out
    if override.get("time") is not None:
        out["LatestCloudWatchLogsDeliveryTime"] = override["time"]
        return out
    status = trail.status
    if status.is_logging:
        when = time.time() - CW_DELIVERY_DEFAULT_AGE
        if status.started is not None:
            when = max(when, _to_epoch(status.started))
        out["LatestCloudWatchLogsDeliveryTime"] = round(when, 3)
    elif status.started is not None and status.stopped is not None:
        out["LatestCloudWatchLogsDeliveryTime"] = round(_to_epoch(status.stopped), 3)
    return out


def _find_trails(account: str, name_or_arn: str, region: str | None) -> list[Any]:
    """Trails (home copies, not shadows) of `account` whose name or ARN matches."""
    from moto.cloudtrail.models import cloudtrail_backends

    account_backends = dict.get(cloudtrail_backends, account)
    if account_backends is None:
        return []
    found = []
    for backend_region, backend in list(account_backends.items()):
        if region and backend_region != region:
            continue
        for trail in list(backend.trails.values()):
            if name_or_arn in (trail.trail_name, trail.arn):
                found.append(trail)
    return found


def _cw_delivery_override(payload: dict) -> dict:
    """Validated override record from a POST /_harness/cloudtrail/delivery body."""
    record: dict = {"time": None, "never": False, "error": None}
    age = payload.get("age_seconds")
    if age is not None:
        if isinstance(age, bool) or not isinstance(age, (int, float)) or age < 0:
            raise ValueError("'age_seconds' must be a number >= 0")
        record["time"] = round(time.time() - float(age), 3)
    never = payload.get("never", False)
    if not isinstance(never, bool):
        raise ValueError("'never' must be true or false")
    if never and age is not None:
        raise ValueError("give 'age_seconds' or 'never', not both")
    record["never"] = never
    error = payload.get("error")
    if error is not None and not isinstance(error, str):
        raise ValueError("'error' must be a string")
    record["error"] = error or None
    return record


def set_cw_delivery(payload: dict) -> tuple[int, dict]:
    trail = payload.get("trail")
    if not trail or not isinstance(trail, str):
        return 400, {"error": "'trail' (name or ARN) is required"}
    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    region = payload.get("region")
    if trail.startswith("arn:"):
        if ":cloudtrail:" not in trail or ":trail/" not in trail:
            return 400, {"error": f"not a trail ARN: {trail}"}
        arn = trail
    else:
        found = _find_trails(account, trail, region)
        if len(found) > 1:
            regions = sorted(t.region_name for t in found)
            return 400, {"error": f"trail {trail!r} exists in {regions}; give 'region' or the ARN"}
        if found:
            arn = found[0].arn
        elif region:
            arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail}"
        else:
            return 404, {"error": f"account {account} has no trail {trail!r}; give its ARN or 'region'"}
    try:
        record = _cw_delivery_override(payload)
    except ValueError as exc:
        return 400, {"error": str(exc)}
    with _cw_delivery_lock:
        if record["time"] is None and not record["never"] and record["error"] is None:
            _cw_delivery.pop(arn, None)
            return 200, {"trail_arn": arn, "delivery": "default"}
        _cw_delivery[arn] = record
    return 200, {"trail_arn": arn, "delivery": record}


def list_cw_delivery() -> dict:
    with _cw_delivery_lock:
        return {arn: dict(rec) for arn, rec in _cw_delivery.items()}


# ---------------------------------------------------------------------------
# CloudWatch alarm history (moto has no DescribeAlarmHistory): seeded, per account and region
# ---------------------------------------------------------------------------
_alarm_history: dict[tuple[str, str], list[dict]] = {}
_alarm_history_lock = threading.Lock()


def add_alarm_history(payload: dict) -> tuple[int, dict]:
    """POST /_harness/cloudwatch/alarm-history {"account_id", "region", "alarm", "items": [{"type":
    "StateUpdate"|"Action"|"ConfigurationUpdate", "summary", "age_hours" [0], "data" [none]}]}."""
    try:
        account, region, alarm = str(payload["account_id"]), str(payload["region"]), str(payload["alarm"])
        items = list(payload.get("items") or [])
    except (KeyError, TypeError) as exc:
        return 400, {"error": f"alarm-history needs account_id, region, alarm, items: {exc}"}
    now = _dt.datetime.now(_dt.timezone.utc)
    recs = []
    for it in items:
        kind = it.get("type") or "StateUpdate"
        if kind not in ("StateUpdate", "Action", "ConfigurationUpdate"):
            return 400, {"error": f"unknown history item type {kind!r}"}
        ts = now - _dt.timedelta(hours=float(it.get("age_hours", 0)))
        recs.append({"AlarmName": alarm, "AlarmType": "MetricAlarm", "Timestamp": ts,
                     "HistoryItemType": kind, "HistorySummary": str(it.get("summary") or ""),
                     "HistoryData": json.dumps(it.get("data") or {})})
    with _alarm_history_lock:
        _alarm_history.setdefault((account, region), []).extend(recs)
    return 200, {"added": len(recs)}


def _pipeline_history(account: str, region: str, item: dict) -> None:
    """The pipeline twin's alarm transitions and actions, answered by DescribeAlarmHistory."""
    with _alarm_history_lock:
        _alarm_history.setdefault((account, region), []).append(item)


pipeline.HISTORY_SINK = _pipeline_history


def alarm_history_answer(account: str, region: str, req: dict) -> dict:
    """DescribeAlarmHistory: AlarmName, HistoryItemType, StartDate, EndDate, ScanBy, MaxRecords,
    NextToken (an offset), newest first as AWS answers by default."""
    with _alarm_history_lock:
        items = list(_alarm_history.get((account, region), []))
    name, kind = req.get("AlarmName"), req.get("HistoryItemType")
    start = _parse_time(req["StartDate"]) if req.get("StartDate") is not None else None
    end = _parse_time(req["EndDate"]) if req.get("EndDate") is not None else None
    out = []
    for it in items:
        t = it["Timestamp"].timestamp()
        if name and it["AlarmName"] != name or kind and it["HistoryItemType"] != kind:
            continue
        if start is not None and t < start or end is not None and t > end:
            continue
        out.append(it)
    out.sort(key=lambda i: i["Timestamp"], reverse=req.get("ScanBy") != "TimestampAscending")
    offset = int(req.get("NextToken") or 0)
    size = int(req.get("MaxRecords") or 100)
    page = out[offset:offset + size]
    answer: dict = {"AlarmHistoryItems": [dict(i, Timestamp=i["Timestamp"].isoformat()) for i in page]}
    if offset + size < len(out):
        answer["NextToken"] = str(offset + size)
    return answer


def _install_cloudtrail_patches() -> None:
    """GetTrailStatus: add LatestCloudWatchLogsDeliveryTime / -Error (see cw_delivery_fields)."""
    from moto.cloudtrail import responses as ct_responses

    CloudTrailResponse = ct_responses.CloudTrailResponse
    orig_get_trail_status = CloudTrailResponse.get_trail_status

    def get_trail_status(self: Any) -> Any:
        result = orig_get_trail_status(self)
        try:
            name = self._get_param("Name")
            trails = self.cloudtrail_backend.describe_trails(include_shadow_trails=True)
            trail = next((t for t in trails if name in (t.trail_name, t.arn)), None)
            extra = cw_delivery_fields(trail) if trail is not None else {}
            if extra:
                body = json.loads(result)
                body.update(extra)
                result = json.dumps(body)
        except Exception:  # pragma: no cover - never break moto
            pass
        return result

    CloudTrailResponse.get_trail_status = get_trail_status


# ---------------------------------------------------------------------------
# EC2: the default security group's rules and the NACL entries AWS creates
# ---------------------------------------------------------------------------
def _install_ec2_patches() -> None:
    """AWS gives every VPC's default security group an "all traffic from this group"
    ingress rule (moto: none), and every custom network ACL the two rule-32767 deny
    entries (moto: no entries). Entries are kept in AWS's order (egress first, then by
    rule number; moto appends, and ReplaceNetworkAclEntry moved an entry to the end)."""
    from moto.ec2.models.network_acls import NetworkAclBackend
    from moto.ec2.models.security_groups import SecurityGroupBackend

    orig_create_sg = SecurityGroupBackend.create_security_group

    def create_security_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        group = orig_create_sg(self, *args, **kwargs)
        if getattr(group, "is_default", False):
            try:
                self.authorize_security_group_ingress(
                    group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}],
                    vpc_id=group.vpc_id,
                )
            except Exception:  # pragma: no cover - never break moto
                pass
        return group

    SecurityGroupBackend.create_security_group = create_security_group

    def _sort_entries(backend: Any, acl_id: str) -> None:
        acl = backend.network_acls.get(acl_id)
        if acl is not None:
            acl.network_acl_entries.sort(
                key=lambda e: (str(e.egress).lower() != "true", int(e.rule_number))
            )

    orig_create_acl = NetworkAclBackend.create_network_acl

    def create_network_acl(self: Any, vpc_id: str, tags: Any = None, default: bool = False) -> Any:
        acl = orig_create_acl(self, vpc_id, tags=tags, default=default)
        if not default:
            for egress in (True, False):
                self.create_network_acl_entry(acl.id, 32767, "-1", "deny", egress, "0.0.0.0/0",
                                              None, None, None, None, None)
        return acl

    NetworkAclBackend.create_network_acl = create_network_acl

    for name in ("create_network_acl_entry", "replace_network_acl_entry"):
        orig = getattr(NetworkAclBackend, name)

        def wrapped(self: Any, *args: Any, __orig: Any = orig, **kwargs: Any) -> Any:
            out = __orig(self, *args, **kwargs)
            acl_id = kwargs.get("network_acl_id") or (args[0] if args else None)
            try:
                _sort_entries(self, acl_id)
            except Exception:  # pragma: no cover
                pass
            return out

        setattr(NetworkAclBackend, name, wrapped)


# ---------------------------------------------------------------------------
# KMS: AWS-managed keys and key rotation as AWS reports it
# ---------------------------------------------------------------------------
KMS_KEY_MANAGERS = {"AWS", "CUSTOMER"}


def _kms_error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _kms_rotation_unsupported(key: Any) -> str | None:
    """Why EnableKeyRotation / DisableKeyRotation must refuse `key` (None: allowed)."""
    if key.origin != "AWS_KMS":
        return f"{key.arn} origin is {key.origin} which is not valid for this operation."
    if key.key_manager == "AWS":
        return f"{key.arn} is an AWS managed key: its rotation is not configurable."
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.key_usage != "ENCRYPT_DECRYPT":
        return "You cannot perform this operation on a non-symmetric key or a key with non-ENCRYPT_DECRYPT key usage."
    return None


def _install_kms_patches() -> None:
    """* keys marked AWS-managed (POST /_harness/kms/key, or the alias/aws/* keys moto creates
      when DescribeKey names one) report KeyManager AWS, and rotation always on;
    * GetKeyRotationStatus: KeyId, and RotationPeriodInDays / NextRotationDate when on; false
      for asymmetric and HMAC keys and while PendingDeletion; UnsupportedOperationException for
      keys whose origin is not AWS_KMS (imported material, custom key stores);
    * Enable/DisableKeyRotation: UnsupportedOperationException for those keys, asymmetric and
      HMAC keys and AWS-managed keys (moto accepted them and then reported true);
    * CreateKey without KeyUsage: ENCRYPT_DECRYPT, AWS's default (moto left it out of DescribeKey)."""
    from moto.kms import models as kms_models
    from moto.kms import responses as kms_responses

    KmsBackend = kms_models.KmsBackend
    KmsResponse = kms_responses.KmsResponse

    orig_create_key = KmsBackend.create_key

    def create_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = orig_create_key(self, *args, **kwargs)
        if not key.key_usage:  # AWS's default KeyUsage (moto left it unset)
            key.key_usage = "ENCRYPT_DECRYPT"
        return key

    KmsBackend.create_key = create_key

    orig_default_keys = KmsBackend._generate_default_keys

    def _generate_default_keys(self: Any, alias_name: str) -> Any:
        key_id = orig_default_keys(self, alias_name)
        key = self.keys.get(key_id) if key_id else None
        if key is not None:
            key.key_manager = "AWS"
            key.key_rotation_status = True
        return key_id

    KmsBackend._generate_default_keys = _generate_default_keys

    def _key(resp: Any) -> Any:
        key_id = resp._get_param("KeyId")
        resp._validate_cmk_id(key_id)
        return resp.kms_backend.describe_key(key_id)

    def get_key_rotation_status(self: Any) -> str:
        key = _key(self)
        if key.origin != "AWS_KMS":
            raise _kms_error("UnsupportedOperationException",
                             f"{key.arn} origin is {key.origin} which is not valid for this operation.")
        if key.key_manager == "AWS":
            enabled = True
        elif key.key_spec != "SYMMETRIC_DEFAULT" or key.key_state == "PendingDeletion":
            enabled = False
        else:
            enabled = bool(key.key_rotation_status)
        out: dict = {"KeyId": key.id, "KeyRotationEnabled": enabled}
        if enabled:
            period = int(getattr(key, "_harness_rotation_period", 365))
            since = getattr(key, "_harness_rotation_since", None) or key.creation_date
            out["RotationPeriodInDays"] = period
            out["NextRotationDate"] = round(float(since) + period * 86400, 3)
        return json.dumps(out)

    KmsResponse.get_key_rotation_status = get_key_rotation_status

    orig_enable = KmsResponse.enable_key_rotation
    orig_disable = KmsResponse.disable_key_rotation

    def enable_key_rotation(self: Any) -> str:
        key = _key(self)
        why = _kms_rotation_unsupported(key)
        if why:
            raise _kms_error("UnsupportedOperationException", why)
        period = self._get_param("RotationPeriodInDays")
        if period is not None and not (90 <= int(period) <= 2560):
            raise _kms_error("ValidationException",
                             "RotationPeriodInDays must be between 90 and 2560 days.")
        out = orig_enable(self)
        key._harness_rotation_period = int(period) if period is not None else 365
        key._harness_rotation_since = time.time()
        return out

    def disable_key_rotation(self: Any) -> str:
        key = _key(self)
        why = _kms_rotation_unsupported(key)
        if why:
            raise _kms_error("UnsupportedOperationException", why)
        return orig_disable(self)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.disable_key_rotation = disable_key_rotation


def kms_set_key(payload: dict) -> tuple[int, dict]:
    """POST /_harness/kms/key {"account_id", "region", "key_id" (id or ARN), "key_manager",
    "alias" [optional; created even under alias/aws/, which CreateAlias refuses]}."""
    from moto.kms.models import kms_backends

    key_ref = payload.get("key_id")
    if not key_ref or not isinstance(key_ref, str):
        return 400, {"error": "'key_id' (key id or ARN) is required"}
    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    region = payload.get("region")
    if key_ref.startswith("arn:"):
        try:
            region, account = _arn_parts(key_ref)
        except ValueError as exc:
            return 400, {"error": str(exc)}
    if not region:
        return 400, {"error": "'region' is required with a bare key id"}
    manager = payload.get("key_manager")
    if manager not in KMS_KEY_MANAGERS:
        return 400, {"error": f"'key_manager' must be one of {sorted(KMS_KEY_MANAGERS)}"}
    account_backends = dict.get(kms_backends, account)
    backend = dict.get(account_backends, region) if account_backends is not None else None
    key_id = key_ref.split(":key/")[-1]
    key = backend.keys.get(key_id) if backend is not None else None
    if key is None:
        return 404, {"error": f"account {account} has no KMS key {key_ref} in {region}"}
    alias = payload.get("alias")
    if alias is not None:
        if not isinstance(alias, str) or not alias.startswith("alias/"):
            return 400, {"error": "'alias' must be an alias name (alias/...)"}
        if backend.alias_exists(alias) and backend.get_key_id_from_alias(alias) != key.id:
            return 409, {"error": f"alias {alias} already points at another key"}
        if not backend.alias_exists(alias):
            backend.create_alias(key.id, alias)  # the backend call: KMS refuses alias/aws/* to customers
    key.key_manager = manager
    return 200, {"key_id": key.id, "arn": key.arn, "key_manager": key.key_manager, "alias": alias}


# ---------------------------------------------------------------------------
# S3: MFA Delete on GetBucketVersioning; logging target policies with any principal
# ---------------------------------------------------------------------------
MFA_DELETE_RE = re.compile(rb"<MfaDelete>\s*(Enabled|Disabled)\s*</MfaDelete>")


def _install_s3_patches() -> None:
    """* PutBucketVersioning with <MfaDelete>Enabled|Disabled</MfaDelete> is remembered (moto
      drops it; the x-amz-mfa header is not checked) and GetBucketVersioning reports it as
      <MfaDelete>, as AWS does once MFA Delete has been configured;
    * PutBucketLogging no longer fails (HTTP 500) when the target bucket's policy has a
      statement whose Principal is "*" (moto called .get on the string)."""
    from moto.s3 import models as s3_models
    from moto.s3 import responses as s3_responses

    S3Response = s3_responses.S3Response
    FakeBucket = s3_models.FakeBucket

    def get_bucket_versioning(self: Any) -> Any:
        # AWS's document: <VersioningConfiguration> at the root (moto's serializer writes
        # <GetBucketVersioningResponse>, which botocore reads but the Rust SDK refuses).
        bucket = self.backend.get_bucket(self.bucket_name)
        status = bucket.versioning_status
        mfa = getattr(bucket, "_harness_mfa_delete", None)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            + (f"<Status>{status}</Status>" if status else "")
            + (f"<MfaDelete>{mfa}</MfaDelete>" if mfa else "")
            + "</VersioningConfiguration>"
        )
        return 200, {"Content-Type": "application/xml"}, body

    S3Response.get_bucket_versioning = get_bucket_versioning

    orig_put = S3Response._bucket_response_put

    def _bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict) -> Any:
        out = orig_put(self, request, bucket_name, querystring)
        if querystring and "versioning" in querystring:
            try:
                status = out[0] if isinstance(out, tuple) else 200
                m = MFA_DELETE_RE.search(self.body or b"")
                if m and status == 200:
                    self.backend.get_bucket(bucket_name)._harness_mfa_delete = m.group(1).decode()
            except Exception:  # pragma: no cover - never break moto
                pass
        return out

    S3Response._bucket_response_put = _bucket_response_put

    def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        policy = target_bucket.policy
        if not policy:
            return False
        try:
            statements = json.loads(policy.decode() if isinstance(policy, bytes) else policy)["Statement"]
        except (ValueError, KeyError, TypeError):
            return False
        if isinstance(statements, dict):
            statements = [statements]
        base = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        wanted = {f"{base}/{target_prefix or ''}*", f"{base}/*", base}
        for stmt in statements:
            principal = stmt.get("Principal")
            services = principal.get("Service") if isinstance(principal, dict) else None
            services = [services] if isinstance(services, str) else (services or [])
            if s3_models.LOGGING_SERVICE_PRINCIPAL not in services or stmt.get("Effect") != "Allow":
                continue
            actions = stmt.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = stmt.get("Resource", [])
            resources = [resources] if isinstance(resources, str) else resources
            if any(a in ("s3:PutObject", "s3:*", "*") for a in actions) and wanted & set(resources):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)


# ---------------------------------------------------------------------------
# IAM: credential report, root user, back-dating, server certificates, managed policies
# ---------------------------------------------------------------------------
CRED_REPORT_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]
CRED_DATE_FMT = "%Y-%m-%dT%H:%M:%S+00:00"
# AWS-managed policies every account gets when MOTO_IAM_LOAD_MANAGED_POLICIES is not "true"
# (the documents are moto's copies of AWS's). Loading all 1,582 costs ~0.9 s and tens of MB
# per account, which the self-test's dozens of accounts cannot afford.
AWS_MANAGED_POLICY_SUBSET = (
    "AdministratorAccess", "AWSSupportAccess", "AWSCloudShellFullAccess", "ReadOnlyAccess",
    "SecurityAudit", "ViewOnlyAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
    "AmazonS3FullAccess", "AmazonEC2FullAccess", "AWSCloudTrail_FullAccess",
)
_managed_subset: dict | None = None
_managed_subset_lock = threading.Lock()


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)  # naive UTC, as moto


def _days_ago(days: Any, field: str) -> _dt.datetime:
    if isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0:
        raise ValueError(f"'{field}' must be a number of days >= 0")
    return _utcnow() - _dt.timedelta(days=float(days))


def _cred_date(value: Any) -> str:
    if not isinstance(value, _dt.datetime):
        value = getattr(value, "timestamp", value)  # moto's AccessKeyLastUsed -> its datetime
    if isinstance(value, (int, float)):
        value = _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return value.strftime(CRED_DATE_FMT)


def _iam_backend(account: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account]["aws"]


def _key_columns(key: Any) -> list[str]:
    """access_key_N_{active,last_rotated,last_used_date,last_used_region,last_used_service}."""
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    last = key.get("last_used") if isinstance(key, dict) else key.last_used
    status = key["status"] if isinstance(key, dict) else key.status
    created = key["created"] if isinstance(key, dict) else key.create_date
    if last is None:
        used = ["N/A", "N/A", "N/A"]
    elif isinstance(key, dict):
        used = [_cred_date(last), key.get("region") or "N/A", key.get("service") or "N/A"]
    else:
        used = [_cred_date(last), getattr(last, "region", None) or "N/A",
                getattr(last, "service", None) or "N/A"]
    return ["true" if status == "Active" else "false", _cred_date(created), *used]


def _root_state(backend: Any) -> dict:
    return getattr(backend, "_harness_root", None) or {}


def credential_report_rows(backend: Any) -> list[list[str]]:
    """The credential report as AWS writes it: a <root_account> row, then one row per user."""
    account = backend.account_id
    root = _root_state(backend)
    created = getattr(backend, "_harness_created", None) or _utcnow()
    keys = list(root.get("access_keys") or [])[:2]
    keys += [None] * (2 - len(keys))
    pwd_used = root.get("password_last_used")
    rows = [[
        "<root_account>", f"arn:aws:iam::{account}:root", _cred_date(created), "not_supported",
        _cred_date(pwd_used) if pwd_used else "no_information", "not_supported", "not_supported",
        "true" if root.get("mfa") else "false",
        *_key_columns(keys[0]), *_key_columns(keys[1]), "false", "N/A", "false", "N/A",
    ]]
    policy = backend.account_password_policy
    max_age = int(getattr(policy, "max_password_age", 0) or 0) if policy is not None else 0
    for user in list(backend.users.values()):
        has_password = bool(user.password)
        changed = getattr(user, "_harness_password_changed", None) or user.create_date
        if has_password:
            last_used = _cred_date(user.password_last_used) if user.password_last_used else "no_information"
            next_rotation = _cred_date(changed + _dt.timedelta(days=max_age)) if max_age else "N/A"
            pwd = ["true", last_used, _cred_date(changed), next_rotation]
        else:
            pwd = ["false", "N/A", "N/A", "N/A"]
        ukeys = list(user.access_keys)[:2]
        ukeys += [None] * (2 - len(ukeys))
        certs = list(user.signing_certificates.values())[:2]
        cert_cols: list[str] = []
        for i in range(2):
            if i < len(certs):
                cert_cols += ["true" if certs[i].status == "Active" else "false", _cred_date(certs[i].upload_date)]
            else:
                cert_cols += ["false", "N/A"]
        rows.append([
            user.name, user.arn, _cred_date(user.create_date), *pwd,
            "true" if user.mfa_devices else "false",
            *_key_columns(ukeys[0]), *_key_columns(ukeys[1]), *cert_cols,
        ])
    return rows


def credential_report_csv(backend: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CRED_REPORT_COLUMNS)
    writer.writerows(credential_report_rows(backend))
    return out.getvalue().rstrip("\n")


class _RootUser:
    """What ListVirtualMFADevices shows as the root's device's User (no UserName, as AWS)."""

    path = "/"

    def __init__(self, account: str, created: _dt.datetime, password_last_used: Any) -> None:
        self.id = self.user_id = account
        self.arn = f"arn:aws:iam::{account}:root"
        self.create_date = created
        self.password_last_used = password_last_used


def _install_iam_patches() -> None:
    from moto import settings as moto_settings
    from moto.iam import models as iam_models
    from moto.iam import responses as iam_responses

    IAMBackend = iam_models.IAMBackend
    IAMResponse = iam_responses.IamResponse

    # -- a subset of the AWS-managed policies, unless the env var asks for all of them
    orig_init_aws = IAMBackend._init_aws_policies

    def _init_aws_policies(self: Any) -> list:
        self._harness_created = _utcnow()
        if moto_settings.load_iam_aws_managed_policies():
            return orig_init_aws(self)
        global _managed_subset
        with _managed_subset_lock:
            if _managed_subset is None:
                data = json.loads(iam_models.aws_managed_policies_data)
                _managed_subset = {n: data[n] for n in AWS_MANAGED_POLICY_SUBSET if n in data}
        return [iam_models.AWSManagedPolicy.from_data(n, self.account_id, self.region_name, d)
                for n, d in _managed_subset.items()]

    IAMBackend._init_aws_policies = _init_aws_policies

    # -- when each user's password was set
    for name in ("create_login_profile", "update_login_profile"):
        orig = getattr(IAMBackend, name)

        def stamped(self: Any, *args: Any, __orig: Any = orig, **kwargs: Any) -> Any:
            user = __orig(self, *args, **kwargs)
            if user is not None:
                user._harness_password_changed = _utcnow()
            return user

        setattr(IAMBackend, name, stamped)

    # -- GetAccountPasswordPolicy: no MaxPasswordAge when passwords do not expire (moto: 0)
    orig_policy_init = iam_models.AccountPasswordPolicy.__init__

    def policy_init(self: Any, *args: Any, **kwargs: Any) -> None:
        orig_policy_init(self, *args, **kwargs)
        if not self.max_password_age:
            self.max_password_age = None

    iam_models.AccountPasswordPolicy.__init__ = policy_init

    # -- the credential report
    orig_generate = IAMBackend.generate_report

    def generate_report(self: Any) -> None:
        orig_generate(self)
        self._harness_report_time = _utcnow()

    IAMBackend.generate_report = generate_report

    orig_get_report = IAMResponse.get_credential_report

    def get_credential_report(self: Any) -> Any:
        result = orig_get_report(self)  # ReportNotPresent (410) before GenerateCredentialReport
        try:
            backend = self.backend
            result.result["Content"] = credential_report_csv(backend)
            when = getattr(backend, "_harness_report_time", None) or _utcnow()
            result.result["GeneratedTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        except Exception as exc:  # pragma: no cover - report the bug instead of a stale report
            raise _kms_error("ServiceFailure", f"emulator: credential report failed: {exc!r}")
        return result

    IAMResponse.get_credential_report = get_credential_report

    # -- GetAccountSummary: the root user's MFA and access keys
    orig_summary = iam_models.AccountSummary.summary_map

    def summary_map(self: Any) -> dict:
        out = orig_summary.fget(self)
        root = _root_state(self._iam_backend)
        out["AccountMFAEnabled"] = 1 if root.get("mfa") else 0
        out["AccountAccessKeysPresent"] = 1 if any(k for k in root.get("access_keys") or []) else 0
        out["AccountPasswordPresent"] = 0 if root.get("password") is False else 1
        return out

    iam_models.AccountSummary.summary_map = property(summary_map)

    # -- ListVirtualMFADevices: the root's virtual device
    orig_list_mfa = IAMBackend.list_virtual_mfa_devices

    def list_virtual_mfa_devices(self: Any, assignment_status: str, marker: Any, max_items: Any) -> Any:
        devices, next_marker = orig_list_mfa(self, assignment_status, marker, max_items)
        root = _root_state(self)
        if root.get("mfa") == "virtual" and not marker and assignment_status != "Unassigned":
            dev = iam_models.VirtualMfaDevice.__new__(iam_models.VirtualMfaDevice)
            dev.serial_number = f"arn:aws:iam::{self.account_id}:mfa/root-account-mfa-device"
            dev.base32_string_seed = None
            dev.qr_code_png = None
            dev.enable_date = root.get("mfa_enabled") or _utcnow()
            dev.user_attribute = None
            dev.user = _RootUser(self.account_id, getattr(self, "_harness_created", None) or _utcnow(),
                                 root.get("password_last_used"))
            devices = [dev, *devices]
        return devices, next_marker

    IAMBackend.list_virtual_mfa_devices = list_virtual_mfa_devices

    # -- ListOrganizationsFeatures: centralised root access (moto has no such call)
    from moto.core.responses import ActionResult
    from moto.iam.exceptions import IAMException

    def list_organizations_features(self: Any) -> Any:
        from moto.organizations.models import organizations_backends

        account = self.current_account
        org_backend = organizations_backends[account]["aws"]
        if org_backend.org is None:
            if account in organizations_backends.master_accounts:
                raise IAMException("AccountNotManagementOrDelegatedAdministratorException",
                                   "The account is not the management account or a delegated administrator of the organization.")
            raise IAMException("OrganizationNotFoundException", "The account is not a member of an organization.")
        features = getattr(self.backend, "_harness_org_features", None)
        if features is None:
            raise IAMException("ServiceAccessNotEnabledException",
                               "Trusted access for IAM is not enabled in the organization.")
        return ActionResult({"OrganizationId": org_backend.org.id, "EnabledFeatures": list(features)})

    IAMResponse.list_organizations_features = list_organizations_features

    # -- server certificates: real UploadDate / Expiration / ServerCertificateId
    orig_upload = IAMBackend.upload_server_certificate

    def upload_server_certificate(self: Any, *args: Any, **kwargs: Any) -> Any:
        cert = orig_upload(self, *args, **kwargs)
        cert._harness_uploaded = _utcnow()
        cert._harness_id = "ASCA" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(17))
        cert._harness_expiration = _pem_not_after(cert.cert_body)
        return cert

    IAMBackend.upload_server_certificate = upload_server_certificate

    def _fix_metadata(backend: Any, meta: dict) -> None:
        cert = backend.get_server_certificate(meta["ServerCertificateName"])
        if getattr(cert, "_harness_uploaded", None) is not None:
            meta["UploadDate"] = cert._harness_uploaded.strftime("%Y-%m-%dT%H:%M:%SZ")
            meta["ServerCertificateId"] = cert._harness_id
        if getattr(cert, "_harness_expiration", None) is not None:
            meta["Expiration"] = cert._harness_expiration.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _wrap_cert_response(name: str, path: tuple) -> None:
        orig = getattr(IAMResponse, name)

        def wrapped(self: Any) -> Any:
            result = orig(self)
            try:
                node: Any = result.result
                for key in path:
                    node = node[key]
                for meta in node if isinstance(node, list) else [node]:
                    _fix_metadata(self.backend, meta)
            except Exception:  # pragma: no cover - never break moto
                pass
            return result

        setattr(IAMResponse, name, wrapped)

    _wrap_cert_response("upload_server_certificate", ("ServerCertificateMetadata",))
    _wrap_cert_response("list_server_certificates", ("ServerCertificateMetadataList",))
    _wrap_cert_response("get_server_certificate", ("ServerCertificate", "ServerCertificateMetadata"))


def _pem_not_after(body: str | None) -> _dt.datetime | None:
    """notAfter of a PEM certificate (naive UTC), or None if it is not one."""
    if not body:
        return None
    try:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(body.encode() if isinstance(body, str) else body)
        return cert.not_valid_after_utc.replace(tzinfo=None)
    except Exception:
        return None


def iam_set_root(payload: dict) -> tuple[int, dict]:
    """POST /_harness/iam/root: the root user's credential report row, GetAccountSummary's
    AccountMFAEnabled / AccountAccessKeysPresent and its virtual MFA device."""
    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    try:
        active = payload.get("access_keys_active", [False, False])
        if not isinstance(active, list) or len(active) > 2 or any(a not in (True, False, "inactive") for a in active):
            raise ValueError("'access_keys_active' must be a list of up to 2 of true / false / \"inactive\"")
        age = payload.get("access_key_age_days", 0)
        used = payload.get("access_key_last_used_days")
        keys: list = []
        for a in active:
            if a is False:
                keys.append(None)
                continue
            keys.append({
                "status": "Active" if a is True else "Inactive",
                "created": _days_ago(age, "access_key_age_days"),
                "last_used": None if used is None else _days_ago(used, "access_key_last_used_days"),
                "region": payload.get("access_key_last_used_region") or "us-east-1",
                "service": payload.get("access_key_last_used_service") or "iam",
            })
        mfa = payload.get("mfa", False)
        if mfa is True:
            mfa = "virtual"
        if mfa not in (False, None, "virtual", "hardware"):
            raise ValueError("'mfa' must be false, true (= \"virtual\"), \"virtual\" or \"hardware\"")
        pwd = payload.get("password_last_used_days")
        if payload.get("password", True) not in (True, False):
            raise ValueError("'password' must be true or false")
        state = {
            "password": bool(payload.get("password", True)),
            "access_keys": keys,
            "mfa": mfa or None,
            "mfa_enabled": _days_ago(payload.get("mfa_age_days", 0), "mfa_age_days") if mfa else None,
            "password_last_used": None if pwd is None else _days_ago(pwd, "password_last_used_days"),
        }
    except ValueError as exc:
        return 400, {"error": str(exc)}
    backend = _iam_backend(account)
    backend._harness_root = state
    return 200, {"account_id": account, "root": _jsonable(state)}


def iam_set_org_features(payload: dict) -> tuple[int, dict]:
    """POST /_harness/iam/organizations-features: the features ListOrganizationsFeatures lists in
    a management account (null: trusted access for IAM off)."""
    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    features = payload.get("features")
    allowed = {"RootCredentialsManagement", "RootSessions"}
    if features is not None and (not isinstance(features, list) or any(f not in allowed for f in features)):
        return 400, {"error": f"'features' must be null or a list of {sorted(allowed)}"}
    _iam_backend(account)._harness_org_features = features
    return 200, {"account_id": account, "features": features}


def iam_set_user(payload: dict) -> tuple[int, dict]:
    """POST /_harness/iam/user: back-date one IAM user's creation, password and access keys."""
    from moto.iam.models import AccessKeyLastUsed

    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    name = payload.get("user")
    if not name or not isinstance(name, str):
        return 400, {"error": "'user' (a user name) is required"}
    backend = _iam_backend(account)
    user = backend.users.get(name)
    if user is None:
        return 404, {"error": f"account {account} has no IAM user {name!r}"}
    try:
        changes: list = []
        if payload.get("created_days") is not None:
            changes.append(("create_date", user, _days_ago(payload["created_days"], "created_days")))
        if payload.get("password_changed_days") is not None:
            changes.append(("_harness_password_changed", user,
                            _days_ago(payload["password_changed_days"], "password_changed_days")))
        if "password_last_used_days" in payload:
            d = payload["password_last_used_days"]
            changes.append(("password_last_used", user, None if d is None else _days_ago(d, "password_last_used_days")))
        by_id = {k.access_key_id: k for k in user.access_keys}
        for spec in payload.get("access_keys") or []:
            key = by_id.get(spec.get("access_key_id"))
            if key is None:
                raise LookupError(f"user {name!r} has no access key {spec.get('access_key_id')!r}")
            if spec.get("age_days") is not None:
                changes.append(("create_date", key, _days_ago(spec["age_days"], "age_days")))
            if "last_used_days" in spec:
                d = spec["last_used_days"]
                changes.append(("last_used", key, None if d is None else AccessKeyLastUsed(
                    _days_ago(d, "last_used_days"), spec.get("last_used_service") or "s3",
                    spec.get("last_used_region") or "us-east-1")))
    except ValueError as exc:
        return 400, {"error": str(exc)}
    except LookupError as exc:
        return 404, {"error": str(exc)}
    for attr, obj, value in changes:
        setattr(obj, attr, value)
    return 200, {"user": name, "changed": len(changes)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.strftime(CRED_DATE_FMT)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------
# IAM Access Analyzer (moto has no backend): analyzers per account and region
# ---------------------------------------------------------------------------
AA_TYPES = ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
            "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS")
AA_STATUSES = ("ACTIVE", "CREATING", "DISABLED", "FAILED")
AA_REASONS = ("AWS_SERVICE_ACCESS_DISABLED", "DELEGATED_ADMINISTRATOR_DEREGISTERED",
              "ORGANIZATION_DELETED", "SERVICE_LINKED_ROLE_CREATION_FAILED")
AA_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
AA_PATH_RE = re.compile(r"^/analyzer(?:/(?P<name>[^/]+))?/?$")
# (account, region) -> analyzer name -> summary (the AnalyzerSummary shape)
_analyzers: dict[tuple[str, str], dict[str, dict]] = {}
_analyzers_lock = threading.Lock()


class AAError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.body = status, code, {"message": message, **extra}


S3_READS = {
    "logging": "GetBucketLogging", "location": "GetBucketLocation", "policy": "GetBucketPolicy",
    "acl": "GetBucketAcl", "versioning": "GetBucketVersioning", "publicAccessBlock": "GetPublicAccessBlock",
    "encryption": "GetBucketEncryption",
}


def s3_operation(method: str, path: str, query: str) -> str | None:
    """The S3 read a REST request makes (for fault injection): ListBuckets, or a bucket's
    GetBucketLogging / Location / Policy / Acl / Versioning / PublicAccessBlock / Encryption.
    Other S3 requests (and S3 Control's /v20180820/) are not classified."""
    if method != "GET" or path.startswith("/v20180820/"):
        return None
    keys = [k.split("=", 1)[0] for k in query.split("&") if k]
    if path in ("", "/") and not any(k in S3_READS for k in keys):
        return "ListBuckets"
    for k in keys:
        if k in S3_READS:
            return S3_READS[k]
    return None


def access_analyzer_operation(method: str, path: str) -> tuple[str | None, str | None]:
    """(operation, analyzer name) of an Access Analyzer REST request, or (None, None)."""
    m = AA_PATH_RE.match(path)
    if not m:
        return None, None
    name = m.group("name")
    from urllib.parse import unquote

    name = unquote(name) if name else None
    ops = {("GET", False): "ListAnalyzers", ("PUT", False): "CreateAnalyzer",
           ("GET", True): "GetAnalyzer", ("DELETE", True): "DeleteAnalyzer"}
    return ops.get((method, name is not None)), name


def _aa_not_found(name: str) -> AAError:
    return AAError(404, "ResourceNotFoundException", f"Analyzer {name} not found.",
                   resourceId=name, resourceType="AWS::AccessAnalyzer::Analyzer")


def access_analyzer_call(account: str, region: str, op: str, name: str | None,
                         query: dict, body: bytes) -> tuple[int, dict]:
    key = (account, region)
    if op == "ListAnalyzers":
        kind = (query.get("type") or [None])[0]
        if kind is not None and kind not in AA_TYPES:
            raise AAError(400, "ValidationException", f"Invalid type: {kind}", reason="fieldValidationFailed")
        try:
            start = int((query.get("nextToken") or ["0"])[0])
            limit = int((query.get("maxResults") or ["100"])[0])
        except ValueError:
            raise AAError(400, "ValidationException", "Invalid nextToken or maxResults", reason="cannotParse")
        with _analyzers_lock:
            found = [dict(a) for a in _analyzers.get(key, {}).values() if kind is None or a["type"] == kind]
        page = found[start:start + max(1, limit)]
        out: dict = {"analyzers": page}
        if start + len(page) < len(found):
            out["nextToken"] = str(start + len(page))
        return 200, out
    if op == "CreateAnalyzer":
        try:
            req = json.loads(body) if body.strip() else {}
        except ValueError:
            raise AAError(400, "ValidationException", "Could not parse the request body", reason="cannotParse")
        new_name, kind = req.get("analyzerName"), req.get("type")
        if not isinstance(new_name, str) or not AA_NAME_RE.match(new_name):
            raise AAError(400, "ValidationException", "analyzerName is invalid", reason="fieldValidationFailed",
                          fieldList=[{"name": "analyzerName", "message": "must match [A-Za-z][A-Za-z0-9_.-]*"}])
        if kind not in AA_TYPES:
            raise AAError(400, "ValidationException", f"Invalid type: {kind}", reason="fieldValidationFailed",
                          fieldList=[{"name": "type", "message": f"must be one of {', '.join(AA_TYPES)}"}])
        arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{new_name}"
        summary: dict = {
            "arn": arn, "name": new_name, "type": kind,
            "createdAt": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "ACTIVE", "tags": dict(req.get("tags") or {}),
        }
        if req.get("configuration"):
            summary["configuration"] = req["configuration"]
        with _analyzers_lock:
            region_analyzers = _analyzers.setdefault(key, {})
            if new_name in region_analyzers:
                raise AAError(409, "ConflictException", f"Analyzer {new_name} already exists.",
                              resourceId=new_name, resourceType="AWS::AccessAnalyzer::Analyzer")
            region_analyzers[new_name] = summary
        return 200, {"arn": arn}
    if op == "GetAnalyzer":
        with _analyzers_lock:
            found_one = _analyzers.get(key, {}).get(name or "")
        if found_one is None:
            raise _aa_not_found(name or "")
        return 200, {"analyzer": dict(found_one)}
    if op == "DeleteAnalyzer":
        with _analyzers_lock:
            if _analyzers.get(key, {}).pop(name or "", None) is None:
                raise _aa_not_found(name or "")
        return 200, {}
    raise AAError(404, "UnknownOperationException", f"the emulator does not implement {op}")


def access_analyzer_set(payload: dict) -> tuple[int, dict]:
    """POST /_harness/accessanalyzer/analyzer: set an analyzer's status (and statusReason)."""
    account = str(payload.get("account_id") or DEFAULT_ACCOUNT_ID)
    region, name, status = payload.get("region"), payload.get("name"), payload.get("status")
    if not region or not name:
        return 400, {"error": "'region' and 'name' are required"}
    if status not in AA_STATUSES:
        return 400, {"error": f"'status' must be one of {list(AA_STATUSES)}"}
    reason = payload.get("status_reason")
    if reason is not None and reason not in AA_REASONS:
        return 400, {"error": f"'status_reason' must be one of {list(AA_REASONS)}"}
    with _analyzers_lock:
        summary = _analyzers.get((account, region), {}).get(name)
        if summary is None:
            return 404, {"error": f"account {account} has no analyzer {name!r} in {region}"}
        summary["status"] = status
        summary.pop("statusReason", None)
        if reason:
            summary["statusReason"] = {"code": reason}
        return 200, {"analyzer": dict(summary)}


def _arn_parts(arn: str) -> tuple[str, str]:
    """(region, account) of an ARN."""
    parts = arn.split(":")
    if len(parts) < 6:
        raise ValueError(f"not an ARN: {arn}")
    return parts[3], parts[4]


def _subs_for_topic(topic_arn: str, accounts: Iterable[str] = ()) -> list[Any]:
    from moto.sns.models import sns_backends

    region, topic_account = _arn_parts(topic_arn)
    seen: dict[str, Any] = {}
    for account in [topic_account, *accounts]:
        account_backends = dict.get(sns_backends, account)
        backend = dict.get(account_backends, region) if account_backends is not None else None
        if backend is None:
            continue
        for sub in list(backend.subscriptions.values()):
            if sub.topic.arn == topic_arn:
                seen[sub.arn] = sub
    return list(seen.values())


def sns_confirm(account_id: str | None, topic_arn: str, endpoint: str | None) -> tuple[int, dict]:
    from moto.sns.models import sns_backends

    try:
        region, topic_account = _arn_parts(topic_arn)
    except ValueError as exc:
        return 400, {"error": str(exc)}
    account = account_id or topic_account
    topic_exists = False
    for acct in {account, topic_account}:
        account_backends = dict.get(sns_backends, acct)
        backend = dict.get(account_backends, region) if account_backends is not None else None
        if backend is not None and topic_arn in backend.topics:
            topic_exists = True
    if not topic_exists:
        return 404, {"error": f"topic not found: {topic_arn}"}
    confirmed = []
    still_pending = []
    for sub in _subs_for_topic(topic_arn, [account]):
        if not getattr(sub, "_harness_pending", False):
            continue
        if endpoint is None or sub.endpoint == endpoint:
            sub._harness_pending = False
            sub.confirmed = True
            sub.attributes["PendingConfirmation"] = False
            sub.attributes["ConfirmationWasAuthenticated"] = True
            confirmed.append(sub.arn)
        else:
            still_pending.append(sub.arn)
    return 200, {"confirmed": confirmed, "still_pending": still_pending}


# ---------------------------------------------------------------------------
# CloudWatch CBOR <-> JSON, driven by the botocore service model
# ---------------------------------------------------------------------------
_cw_model = None
_cw_model_lock = threading.Lock()


def cw_model() -> Any:
    global _cw_model
    with _cw_model_lock:
        if _cw_model is None:
            import botocore.session

            _cw_model = botocore.session.get_session().get_service_model("cloudwatch")
    return _cw_model


def _to_epoch(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return value.value
    return value


def cbor_in_to_json(value: Any, shape: Any) -> Any:
    """Decoded CBOR request value -> JSON-able value for moto's JSON 1.0 parser."""
    if value is None:
        return None
    t = shape.type_name if shape is not None else None
    if t == "structure" and isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            out[k] = cbor_in_to_json(v, shape.members.get(k))
        return out
    if t == "list" and isinstance(value, list):
        return [cbor_in_to_json(v, shape.member) for v in value if v is not None]
    if t == "map" and isinstance(value, dict):
        return {str(k): cbor_in_to_json(v, shape.value) for k, v in value.items() if v is not None}
    if t == "timestamp" or isinstance(value, (_dt.datetime, cbor2.CBORTag)):
        return _to_epoch(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): cbor_in_to_json(v, None) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [cbor_in_to_json(v, None) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _parse_time(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        s = value.strip()
        try:
            return float(s)
        except ValueError:
            pass
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        d = _dt.datetime.fromisoformat(s)
        if d.tzinfo is None:
            d = d.replace(tzinfo=_dt.timezone.utc)
        return d.timestamp()
    if isinstance(value, _dt.datetime):
        return _to_epoch(value)
    raise ValueError(f"cannot read timestamp {value!r}")


def _to_float(value: Any) -> float:
    if isinstance(value, str):
        special = {"nan": math.nan, "infinity": math.inf, "-infinity": -math.inf}
        if value.lower() in special:
            return special[value.lower()]
    return float(value)


def json_out_to_cbor(value: Any, shape: Any) -> Any:
    """moto JSON response value -> Python value whose cbor2 encoding has the
    CBOR types the Smithy RPC v2 CBOR decoders expect for `shape`."""
    if value is None:
        return None
    if shape is None:
        return value
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return value
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            member = shape.members.get(k)
            if member is None:
                continue  # not in the model: the SDK would ignore it anyway
            out[k] = json_out_to_cbor(v, member)
        return out
    if t == "list":
        return [json_out_to_cbor(v, shape.member) for v in value if v is not None]
    if t == "map":
        return {str(k): json_out_to_cbor(v, shape.value) for k, v in value.items() if v is not None}
    if t == "timestamp":
        return cbor2.CBORTag(1, float(_parse_time(value)))
    if t == "blob":
        if isinstance(value, str):
            return base64.b64decode(value)
        return bytes(value)
    if t in ("double", "float"):
        return float(_to_float(value))
    if t in ("integer", "long", "short", "byte"):
        return int(value)
    if t == "boolean":
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)
    if t == "string":
        return value if isinstance(value, str) else str(value)
    return value


def _cbor_dumps(value: Any) -> bytes:
    # cbor2 writes Python floats as float64 (0xfb) unless canonical=True,
    # which is what aws-smithy-cbor's double()/timestamp() read.
    return cbor2.dumps(value)


# ---------------------------------------------------------------------------
# account:ListRegions (moto does not serve the Account API at all)
# ---------------------------------------------------------------------------
DEFAULT_ENABLED_REGIONS = [
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
]
OPT_IN_REGIONS = [
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
]
REGION_STATUSES = {"ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"}
_region_overrides: dict[str, dict[str, str]] = {}
_region_lock = threading.Lock()


def account_regions(account: str) -> list[dict]:
    statuses = {r: "ENABLED_BY_DEFAULT" for r in DEFAULT_ENABLED_REGIONS}
    statuses.update({r: "DISABLED" for r in OPT_IN_REGIONS})
    with _region_lock:
        statuses.update(_region_overrides.get(account, {}))
    return [{"RegionName": r, "RegionOptStatus": statuses[r]} for r in sorted(statuses)]


def set_account_regions(account: str, regions: dict) -> None:
    bad = {k: v for k, v in regions.items() if v not in REGION_STATUSES}
    if bad:
        raise ValueError(f"unknown RegionOptStatus values {bad}; use one of {sorted(REGION_STATUSES)}")
    with _region_lock:
        _region_overrides.setdefault(account, {}).update(regions)


# ---------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------
MAX_DELAY_MS = 600_000
RESET_FAULT = {
    "error_code": "EmulatorReset",
    "message": "the emulator was reset while this request was delayed; it was not applied",
    "http_status": 503,
}


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[dict] = []

    def add(self, spec: dict) -> dict:
        if not spec.get("operation"):
            raise ValueError("'operation' is required")
        times = spec.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise ValueError("'times' must be null or a positive integer")
        status = spec.get("http_status", 400)
        if not isinstance(status, int) or not (400 <= status <= 599):
            raise ValueError("'http_status' must be an integer 400..599")
        delay = spec.get("delay_ms", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (0 <= delay <= MAX_DELAY_MS):
            raise ValueError(f"'delay_ms' must be a number 0..{MAX_DELAY_MS}")
        pass_through = spec.get("pass_through", False)
        if not isinstance(pass_through, bool):
            raise ValueError("'pass_through' must be true or false")
        fault = {
            "id": str(uuid.uuid4()),
            "account_id": spec.get("account_id"),
            "operation": spec["operation"],
            "service": spec.get("service"),
            "region": spec.get("region"),
            "error_code": spec.get("error_code") or "AccessDeniedException",
            "message": spec.get("message") or "injected fault",
            "http_status": status,
            "delay_ms": delay,
            "pass_through": pass_through,
            "times": times,
            "hits": 0,
            # AssumeRole is signed by the caller; role_arn picks the role it asks for.
            "role_arn": spec.get("role_arn"),
        }
        with self._lock:
            self._faults.append(fault)
        return dict(fault)

    def clear(self) -> int:
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n

    def list(self) -> list[dict]:
        with self._lock:
            return [dict(f) for f in self._faults]

    def __bool__(self) -> bool:
        return bool(self._faults)

    def match(self, account: str, service: str | None, region: str | None, operation: str,
              params: dict | None = None) -> dict | None:
        with self._lock:
            for fault in self._faults:
                if fault["operation"] != operation:
                    continue
                if fault.get("role_arn") and (params or {}).get("RoleArn", [None])[0] != fault["role_arn"]:
                    continue
                if fault["account_id"] not in (None, "", account):
                    continue
                if fault["region"] not in (None, "", region):
                    continue
                if fault["service"] not in (None, "", service):
                    continue
                fault["hits"] += 1
                if fault["times"] is not None:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self._faults.remove(fault)
                return dict(fault)
        return None


# ---------------------------------------------------------------------------
# Request classification
# ---------------------------------------------------------------------------
def credential_scope(environ: dict) -> tuple[str | None, str | None]:
    """(region, service) from the SigV4 Authorization header."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=([^,\s]+)", auth)
    if not m:
        return None, None
    parts = m.group(1).split("/")
    if len(parts) >= 5:
        return parts[-3], parts[-2]
    return None, None


def request_account(environ: dict) -> str:
    """The account moto will act as for this request (same order as moto's
    BaseResponse.get_current_account)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = ACCESS_KEY_RE.search(auth)
    if not m:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(m.group("access_key"))


def _read_body(environ: dict) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated") or "chunked" in environ.get(
        "HTTP_TRANSFER_ENCODING", ""
    ).lower():
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _new_request_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------
# The middleware
# ---------------------------------------------------------------------------
StartResponse = Callable[..., Any]


class HarnessMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.faults = Faults()
        # requests a delay fault is holding: id -> description; the event is set
        # (and replaced) by POST /_harness/reset to wake and drop them
        self._delaying: dict[str, dict] = {}
        self._delay_lock = threading.Lock()
        self._reset_event = threading.Event()

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _respond(start_response: StartResponse, status: int, body: bytes, headers: list) -> list[bytes]:
        reason = {
            200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            500: "Internal Server Error", 503: "Service Unavailable",
        }.get(status, "Status")
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {reason}", headers)
        return [body]

    def _json(self, start_response: StartResponse, status: int, obj: Any) -> list[bytes]:
        return self._respond(
            start_response, status, json.dumps(obj).encode(), [("Content-Type", "application/json")]
        )

    def _call_app(self, environ: dict) -> tuple[int, list, bytes]:
        captured: dict = {}

        def sr(status: str, headers: list, exc_info: Any = None) -> Callable:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return lambda data: None

        it = self.app(environ, sr)
        try:
            body = b"".join(it)
        finally:
            if hasattr(it, "close"):
                it.close()
        return captured.get("status", 500), captured.get("headers", []), body

    # -- harness endpoints ---------------------------------------------------
    def _harness(self, environ: dict, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            raw = _read_body(environ)  # even a GET's: werkzeug would wait for unread bytes
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            return self._json(start_response, 400, {"error": f"bad JSON: {exc}"})
        if not isinstance(payload, dict):
            return self._json(start_response, 400, {"error": "expected a JSON object"})

        if path == "/_harness/health":
            return self._json(start_response, 200, {"status": "ok"})
        if path == "/_harness/faults":
            if method == "GET":
                return self._json(
                    start_response, 200, {"faults": self.faults.list(), "delaying": self.delaying()}
                )
            if method == "DELETE":
                return self._json(start_response, 200, {"cleared": self.faults.clear()})
            if method == "POST":
                try:
                    fault = self.faults.add(payload)
                except ValueError as exc:
                    return self._json(start_response, 400, {"error": str(exc)})
                return self._json(start_response, 200, {"fault": fault})
        if path == "/_harness/sns/confirm" and method == "POST":
            topic_arn = payload.get("topic_arn")
            if not topic_arn:
                return self._json(start_response, 400, {"error": "'topic_arn' is required"})
            status, obj = sns_confirm(payload.get("account_id"), topic_arn, payload.get("endpoint"))
            return self._json(start_response, status, obj)
        if path == "/_harness/account/regions" and method == "POST":
            account = payload.get("account_id") or DEFAULT_ACCOUNT_ID
            regions = payload.get("regions")
            if not isinstance(regions, dict):
                return self._json(start_response, 400, {"error": "'regions' must map region -> RegionOptStatus"})
            try:
                set_account_regions(str(account), regions)
            except ValueError as exc:
                return self._json(start_response, 400, {"error": str(exc)})
            return self._json(start_response, 200, {"account_id": account, "regions": account_regions(str(account))})
        if path == "/_harness/cloudwatch/alarm-history" and method == "POST":
            status, obj = add_alarm_history(payload)
            return self._json(start_response, status, obj)
        if path == "/_harness/cloudtrail/delivery":
            if method == "GET":
                return self._json(start_response, 200, {"overrides": list_cw_delivery()})
            if method == "POST":
                status, obj = set_cw_delivery(payload)
                return self._json(start_response, status, obj)
        if path == "/_harness/kms/key" and method == "POST":
            status, obj = kms_set_key(payload)
            return self._json(start_response, status, obj)
        if path == "/_harness/iam/root":
            if method == "POST":
                status, obj = iam_set_root(payload)
                return self._json(start_response, status, obj)
            if method == "GET":
                qs = parse_qs(environ.get("QUERY_STRING", ""))
                account = (qs.get("account_id") or [DEFAULT_ACCOUNT_ID])[0]
                backend = _iam_backend(account)
                return self._json(start_response, 200, {"account_id": account, "root": _jsonable(_root_state(backend))})
        if path == "/_harness/iam/organizations-features" and method == "POST":
            status, obj = iam_set_org_features(payload)
            return self._json(start_response, status, obj)
        if path == "/_harness/iam/user" and method == "POST":
            status, obj = iam_set_user(payload)
            return self._json(start_response, status, obj)
        if path == "/_harness/accessanalyzer/analyzer" and method == "POST":
            status, obj = access_analyzer_set(payload)
            return self._json(start_response, status, obj)
        if path == "/_harness/latency" and method == "POST":
            # Simulated network latency for every AWS request (benchmarks): {"ms": 100}.
            try:
                self.latency_ms = max(0.0, float(payload.get("ms", 0)))
            except (TypeError, ValueError):
                return self._json(start_response, 400, {"error": "'ms' must be a number"})
            return self._json(start_response, 200, {"latency_ms": self.latency_ms})
        if path == "/_harness/pipeline":
            if method == "POST":
                status, out = pipeline.configure(payload)
                return self._json(start_response, status, out)
            return self._json(start_response, 200, dict(pipeline.SETTINGS))
        if path == "/_harness/reset" and method == "POST":
            self.latency_ms = 0.0
            pipeline.reset()
            self.faults.clear()
            self._drop_delayed()
            with _region_lock:
                _region_overrides.clear()
            with _cw_delivery_lock:
                _cw_delivery.clear()
            with _alarm_history_lock:
                _alarm_history.clear()
            with _analyzers_lock:
                _analyzers.clear()
            env = dict(environ)
            env.update(
                {
                    "PATH_INFO": "/moto-api/reset",
                    "REQUEST_METHOD": "POST",
                    "wsgi.input": io.BytesIO(b""),
                    "CONTENT_LENGTH": "0",
                    "HTTP_HOST": "motoapi.amazonaws.com",
                }
            )
            status, _, body = self._call_app(env)
            return self._json(start_response, 200 if status == 200 else 500, {"reset": status == 200})
        return self._json(start_response, 404, {"error": f"no harness endpoint {method} {path}"})

    # -- delayed requests -----------------------------------------------------
    def delaying(self) -> list[dict]:
        now = time.time()
        with self._delay_lock:
            held = [dict(d) for d in self._delaying.values()]
        for d in held:
            d["remaining_ms"] = max(0, round(d.pop("until") * 1000 - now * 1000))
        return held

    def _drop_delayed(self) -> None:
        with self._delay_lock:
            event, self._reset_event = self._reset_event, threading.Event()
        event.set()

    def _delay(self, fault: dict, account: str, region: str | None, operation: str) -> bool:
        """Hold this request fault["delay_ms"] ms (only this thread sleeps).
        False if the emulator was reset meanwhile: the request must not reach moto."""
        delay = float(fault["delay_ms"]) / 1000.0
        key = str(uuid.uuid4())
        with self._delay_lock:
            event = self._reset_event
            self._delaying[key] = {
                "fault_id": fault["id"], "operation": operation, "account_id": account,
                "region": region, "delay_ms": fault["delay_ms"],
                "pass_through": fault["pass_through"], "until": time.time() + delay,
            }
        try:
            return not event.wait(delay)
        finally:
            with self._delay_lock:
                self._delaying.pop(key, None)

    # -- fault responses ----------------------------------------------------
    def _fault_response(self, start_response: StartResponse, protocol: str, fault: dict, json_ct: str) -> list[bytes]:
        code, message, status = fault["error_code"], fault["message"], fault["http_status"]
        rid = _new_request_id()
        fault_kind = "Sender" if status < 500 else "Receiver"
        if protocol == "cbor":
            body = _cbor_dumps({"__type": code, "message": message})
            headers = [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("x-amzn-RequestId", rid),
                ("x-amzn-query-error", f"{code};{fault_kind}"),
            ]
        elif protocol == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = [
                ("Content-Type", json_ct or "application/x-amz-json-1.1"),
                ("x-amzn-ErrorType", code),
                ("x-amzn-RequestId", rid),
            ]
        elif protocol == "restjson":
            body = json.dumps({"message": message}).encode()
            headers = [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", code),
                ("x-amzn-RequestId", rid),
            ]
        elif protocol == "s3":  # REST-XML as S3 answers: <Error> at the root
            from xml.sax.saxutils import escape

            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"<RequestId>{rid}</RequestId></Error>"
            ).encode()
            headers = [("Content-Type", "application/xml"), ("x-amz-request-id", rid)]
        else:  # query / XML
            from xml.sax.saxutils import escape

            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                "<ErrorResponse><Error>"
                f"<Type>{fault_kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"</Error><RequestId>{rid}</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)]
        return self._respond(start_response, status, body, headers)

    # -- CloudWatch RPC v2 CBOR bridge ------------------------------------------
    def _cbor_error(self, start_response: StartResponse, status: int, code: str, message: str, extra: list | None = None) -> list[bytes]:
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        headers += extra or []
        return self._respond(start_response, status, _cbor_dumps({"__type": code, "message": message}), headers)

    def _cloudwatch_cbor(self, environ: dict, start_response: StartResponse, op: str, body: bytes) -> list[bytes]:
        model = cw_model()
        try:
            op_model = model.operation_model(op)
        except Exception:
            return self._cbor_error(start_response, 404, "UnknownOperationException", f"unknown operation {op}")
        if environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
            body = gzip.decompress(body)
            environ.pop("HTTP_CONTENT_ENCODING", None)
        try:
            decoded = cbor2.loads(body) if body else {}
        except Exception as exc:
            return self._cbor_error(start_response, 400, "SerializationException", f"bad CBOR body: {exc}")
        if decoded is None:
            decoded = {}
        json_body = json.dumps(cbor_in_to_json(decoded, op_model.input_shape) or {}).encode()
        if op == "DescribeAlarmHistory":  # moto has none: the seeded history (alarm_history_answer)
            account = request_account(environ)
            region = credential_scope(environ)[0] or "us-east-1"
            parsed = alarm_history_answer(account, region, json.loads(json_body))
            payload = _cbor_dumps(json_out_to_cbor(parsed, op_model.output_shape) or {})
            hdrs = [("x-amzn-RequestId", _new_request_id()), ("Content-Type", "application/cbor"),
                    ("smithy-protocol", "rpc-v2-cbor")]
            return self._respond(start_response, 200, payload, hdrs)

        env = dict(environ)
        env["PATH_INFO"] = "/"
        env["RAW_URI"] = env["REQUEST_URI"] = "/"
        env["QUERY_STRING"] = ""
        env["HTTP_X_AMZ_TARGET"] = f"{CW_TARGET_PREFIX}.{op}"
        env["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        env["HTTP_CONTENT_TYPE"] = "application/x-amz-json-1.0"
        env.pop("HTTP_SMITHY_PROTOCOL", None)
        env["wsgi.input"] = io.BytesIO(json_body)
        env["CONTENT_LENGTH"] = str(len(json_body))

        try:
            status, headers, resp = self._call_app(env)
        except NotImplementedError as exc:
            return self._cbor_error(start_response, 500, "NotImplemented", f"moto: {exc}")
        except Exception as exc:  # moto raised instead of answering
            return self._cbor_error(start_response, 500, "InternalFailure", f"moto: {type(exc).__name__}: {exc}")
        keep = [
            (k, v)
            for k, v in headers
            if k.lower() in ("x-amzn-requestid", "x-amzn-query-error", "date", "server")
        ]
        try:
            parsed = json.loads(resp) if resp.strip() else {}
        except ValueError:
            parsed = None
        if status >= 300:
            if isinstance(parsed, dict):
                code = parsed.get("__type") or parsed.get("code") or "InternalFailure"
                message = parsed.get("message") or parsed.get("Message") or ""
            else:
                code = "InternalFailure"
                message = resp.decode("utf-8", "replace")[:500]
            code = code.split("#")[-1].split(":")[0]
            return self._cbor_error(start_response, status, code, message, keep)
        if parsed is None:
            return self._cbor_error(start_response, 500, "InternalFailure", "emulator returned a non-JSON body")
        out_shape = op_model.output_shape
        payload = b"" if out_shape is None else _cbor_dumps(json_out_to_cbor(parsed, out_shape) or {})
        hdrs = keep + [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        return self._respond(start_response, status, payload, hdrs)

    # -- EC2 calls the pipeline twin records --------------------------------------
    def _recorded(self, environ: dict, start_response: StartResponse, body: bytes | None, service: str) -> list[bytes]:
        """Passes an EC2 or IAM call to moto; a successful tracked one becomes a CloudTrail record."""
        if body is None:
            body = _read_body(environ)
        else:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        form = parse_qs(body.decode("utf-8", "replace"))
        op = (form.get("Action") or parse_qs(environ.get("QUERY_STRING", "")).get("Action") or [""])[0]
        if op not in (pipeline.TRACKED if service == "ec2" else pipeline.TRACKED_IAM):
            return self.app(environ, start_response)
        status, headers, resp = self._call_app(environ)
        if 200 <= status < 300:
            region = credential_scope(environ)[0] or "us-east-1"
            try:
                pipeline.record_call(request_account(environ), region, op, form, resp, service)
            except Exception as exc:  # pragma: no cover - never break the call itself
                print(f"pipeline: cannot record {op}: {exc}", flush=True)
        return self._respond(start_response, status, resp, headers)

    # -- account:ListRegions ---------------------------------------------------
    def _list_regions(self, environ: dict, start_response: StartResponse, body: bytes) -> list[bytes]:
        try:
            req = json.loads(body) if body.strip() else {}
        except ValueError:
            req = {}
        account = req.get("AccountId") or request_account(environ)
        regions = account_regions(str(account))
        wanted = req.get("RegionOptStatusContains")
        if wanted:
            regions = [r for r in regions if r["RegionOptStatus"] in wanted]
        out = json.dumps({"Regions": regions}).encode()
        return self._respond(
            start_response, 200, out,
            [("Content-Type", "application/json"), ("x-amzn-RequestId", _new_request_id())],
        )

    # -- IAM Access Analyzer ---------------------------------------------------
    def _access_analyzer(self, environ: dict, start_response: StartResponse, op: str, name: str | None,
                         region: str | None, body: bytes) -> list[bytes]:
        account = request_account(environ)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        rid = _new_request_id()
        try:
            if op == "UnknownOperation":
                raise AAError(404, "UnknownOperationException",
                              "the emulator implements only ListAnalyzers, CreateAnalyzer, GetAnalyzer and "
                              f"DeleteAnalyzer of Access Analyzer, not {environ.get('REQUEST_METHOD')} "
                              f"{environ.get('PATH_INFO')}")
            status, out = access_analyzer_call(account, region or "us-east-1", op, name, query, body)
        except AAError as exc:
            return self._respond(
                start_response, exc.status, json.dumps(exc.body).encode(),
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", exc.code), ("x-amzn-RequestId", rid)],
            )
        return self._respond(
            start_response, status, json.dumps(out).encode(),
            [("Content-Type", "application/json"), ("x-amzn-RequestId", rid)],
        )

    # -- entry point ----------------------------------------------------------
    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_harness/"):
            return self._harness(environ, start_response)
        if getattr(self, "latency_ms", 0.0) > 0:
            time.sleep(self.latency_ms / 1000.0)

        cbor_match = CBOR_PATH_RE.match(path) if environ.get("REQUEST_METHOD") == "POST" else None
        target = environ.get("HTTP_X_AMZ_TARGET")
        content_type = environ.get("CONTENT_TYPE", "")

        protocol = None
        operation = None
        aa_name: str | None = None
        body = None
        form: dict = {}
        region, service = credential_scope(environ)
        if cbor_match:
            protocol, operation = "cbor", cbor_match.group("op")
            body = _read_body(environ)
        elif service == "account" and path.rstrip("/") == "/listRegions":
            protocol, operation = "restjson", "ListRegions"
            body = _read_body(environ)
        elif service == "access-analyzer":
            protocol = "restjson"
            operation, aa_name = access_analyzer_operation(environ.get("REQUEST_METHOD", "GET"), path)
            operation = operation or "UnknownOperation"
            body = _read_body(environ)
        elif service == "s3" and self.faults and s3_operation(environ.get("REQUEST_METHOD", "GET"), path,
                                                              environ.get("QUERY_STRING", "")):
            protocol = "s3"
            operation = s3_operation(environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""))
        elif target:
            protocol, operation = "json", target.rsplit(".", 1)[-1]
        else:
            qs = parse_qs(environ.get("QUERY_STRING", ""))
            if "Action" in qs:
                protocol, operation = "query", qs["Action"][0]
            elif self.faults and content_type.startswith("application/x-www-form-urlencoded"):
                body = _read_body(environ)
                form = parse_qs(body.decode("utf-8", "replace"))
                if "Action" in form:
                    protocol, operation = "query", form["Action"][0]

        if self.faults and operation:
            account = request_account(environ)
            if operation == "AssumeRole" and not form:
                if body is None:
                    body = _read_body(environ)
                form = parse_qs(body.decode("utf-8", "replace"))
            fault = self.faults.match(account, service, region, operation, form)
            if fault is not None and fault["delay_ms"] > 0:
                if body is None:
                    body = _read_body(environ)  # buffered: moto gets it even if the client goes
                if not self._delay(fault, account, region, operation):
                    return self._fault_response(start_response, protocol, RESET_FAULT, content_type)
            if fault is not None and not fault["pass_through"]:
                return self._fault_response(start_response, protocol, fault, content_type)

        if operation == "ListRegions" and protocol == "restjson":
            return self._list_regions(environ, start_response, body or b"")
        if service == "access-analyzer":
            return self._access_analyzer(environ, start_response, operation, aa_name, region, body or b"")
        if service in ("ec2", "iam") and environ.get("REQUEST_METHOD") == "POST":
            return self._recorded(environ, start_response, body, service)
        if protocol == "cbor":
            if cbor_match.group("service") == CW_TARGET_PREFIX:
                return self._cloudwatch_cbor(environ, start_response, operation, body or b"")
            return self._cbor_error(
                start_response, 404, "UnknownOperationException",
                f"the emulator bridges RPC v2 CBOR only for CloudWatch, not {cbor_match.group('service')}",
            )
        return self.app(environ, start_response)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
def build_app() -> HarnessMiddleware:
    _install_sns_patches()
    _install_cloudwatch_patches()
    _install_cloudtrail_patches()
    _install_ec2_patches()
    _install_kms_patches()
    _install_s3_patches()
    _install_iam_patches()
    pipeline.install_sns_delivery()
    moto_app = DomainDispatcherApplication(create_backend_app)
    moto_app.debug = True  # type: ignore[attr-defined]
    return HarnessMiddleware(moto_app)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)

    if "MOTO_ACCOUNT_ID" in os.environ:
        print(
            "warning: MOTO_ACCOUNT_ID is set; every request will act as that account",
            file=sys.stderr,
        )
    app = build_app()
    handler = MotoRequestHandler
    if args.quiet:
        class QuietHandler(MotoRequestHandler):
            def log_request(self, *a: Any, **k: Any) -> None:
                pass

        handler = QuietHandler
    server = make_server(args.host, args.port, app, threaded=True, request_handler=handler)
    port = server.server_address[1]
    os.environ.setdefault("MOTO_PORT", str(port))

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"listening on http://{args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

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
* account:ListRegions (moto has no Account API): the 17 default regions
  ENABLED_BY_DEFAULT, opt-in regions DISABLED; ``POST /_harness/account/regions``
  changes one account's statuses.
* ``POST /_harness/latency {"ms": N}``: every AWS request waits N ms (benchmarks).
* ``GET /_harness/health``; ``POST /_harness/reset`` (moto reset; clears faults,
  held delayed requests, region overrides, latency and CloudTrail delivery
  overrides).
"""
from __future__ import annotations

import argparse
import base64
import datetime as _dt
import gzip
import io
import json
import math
import os
import re
import time
import signal
import sys
import threading
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import cbor2

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
        if path == "/_harness/cloudtrail/delivery":
            if method == "GET":
                return self._json(start_response, 200, {"overrides": list_cw_delivery()})
            if method == "POST":
                status, obj = set_cw_delivery(payload)
                return self._json(start_response, status, obj)
        if path == "/_harness/latency" and method == "POST":
            # Simulated network latency for every AWS request (benchmarks): {"ms": 100}.
            try:
                self.latency_ms = max(0.0, float(payload.get("ms", 0)))
            except (TypeError, ValueError):
                return self._json(start_response, 400, {"error": "'ms' must be a number"})
            return self._json(start_response, 200, {"latency_ms": self.latency_ms})
        if path == "/_harness/reset" and method == "POST":
            self.latency_ms = 0.0
            self.faults.clear()
            self._drop_delayed()
            with _region_lock:
                _region_overrides.clear()
            with _cw_delivery_lock:
                _cw_delivery.clear()
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
        body = None
        form: dict = {}
        region, service = credential_scope(environ)
        if cbor_match:
            protocol, operation = "cbor", cbor_match.group("op")
            body = _read_body(environ)
        elif service == "account" and path.rstrip("/") == "/listRegions":
            protocol, operation = "restjson", "ListRegions"
            body = _read_body(environ)
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

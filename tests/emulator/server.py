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
* Fault injection: ``POST /_harness/faults`` / ``DELETE /_harness/faults``.
* account:ListRegions (moto has no Account API): the 17 default regions
  ENABLED_BY_DEFAULT, opt-in regions DISABLED; ``POST /_harness/account/regions``
  changes one account's statuses.
* ``POST /_harness/latency {"ms": N}``: every AWS request waits N ms (benchmarks).
* ``GET /_harness/health``; ``POST /_harness/reset`` (moto reset, clear faults
  and region overrides).
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
        fault = {
            "id": str(uuid.uuid4()),
            "account_id": spec.get("account_id"),
            "operation": spec["operation"],
            "service": spec.get("service"),
            "region": spec.get("region"),
            "error_code": spec.get("error_code") or "AccessDeniedException",
            "message": spec.get("message") or "injected fault",
            "http_status": status,
            "times": times,
            "hits": 0,
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

    def match(self, account: str, service: str | None, region: str | None, operation: str) -> dict | None:
        with self._lock:
            for fault in self._faults:
                if fault["operation"] != operation:
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

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _respond(start_response: StartResponse, status: int, body: bytes, headers: list) -> list[bytes]:
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Status")
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
            raw = _read_body(environ) if method in ("POST", "PUT", "DELETE") else b""
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            return self._json(start_response, 400, {"error": f"bad JSON: {exc}"})
        if not isinstance(payload, dict):
            return self._json(start_response, 400, {"error": "expected a JSON object"})

        if path == "/_harness/health":
            return self._json(start_response, 200, {"status": "ok"})
        if path == "/_harness/faults":
            if method == "GET":
                return self._json(start_response, 200, {"faults": self.faults.list()})
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
            with _region_lock:
                _region_overrides.clear()
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
            fault = self.faults.match(request_account(environ), service, region, operation)
            if fault is not None:
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

"""The emulator's pipeline twin: what AWS does between a change and the alert, which moto never
does (imported by server.py).

* CloudTrail: a successful EC2 call among TRACKED (security groups, network ACLs, route
  tables) or IAM call among TRACKED_IAM (policies: a global service, recorded in us-east-1 and
  delivered only to trails that include global service events) made through the emulator
  becomes a CloudTrail record (AWS's JSON envelope:
  eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion, requestParameters,
  responseElements, eventID, eventType, recipientAccountId ...). After the trail delay
  (``POST /_harness/pipeline {"delay_seconds": N}``, default 1) it is written to the log group
  of every LOGGING trail of the account (in the order of the calls) with a CloudWatchLogsLogGroupArn that records the
  region (multi-region, or its home region), stream ``<account>_CloudTrail_<region>``.
* CloudWatch Logs metric filters: each record written there is matched against every metric
  filter of the log group by FilterPattern, an implementation of the CloudWatch Logs filter
  pattern syntax INDEPENDENT of cis-audit's (JSON ``{ ... }`` patterns with &&, ||,
  parentheses, =, !=, <, <=, >, >=, ``*`` wildcards, quoted and unquoted strings, numbers,
  IS NULL, NOT EXISTS, IS TRUE/FALSE; term patterns; the empty pattern) and a match puts the
  transformation's metricValue (a number or ``$.field``) as a data point (PutMetricData).
* CloudWatch alarms on that metric (no dimensions) are evaluated when a data point arrives
  (time compressed: the period ending now is evaluated at once): the statistic of each of the
  last EvaluationPeriods periods against the threshold by ComparisonOperator, DatapointsToAlarm
  of them breaching (missing periods per TreatMissingData) -> ALARM. Each transition is a
  StateUpdate in the alarm history ("Alarm updated from OK to ALARM"); entering ALARM with
  ActionsEnabled runs each AlarmAction: an SNS topic gets AWS's alarm JSON message as
  cloudwatch.amazonaws.com if the topic policy lets that principal publish (an explicit Deny,
  or no Allow for it or for the account's own principals, fails) and its encryption key is not
  the AWS-managed alias/aws/sns; the outcome is an Action history item ("Successfully executed
  action arn:..." / "Failed to execute action arn:... Received error: ..."). After
  ``alarm_reset_seconds`` (default 2; the period, compressed) without a new data point the alarm
  evaluates its next, empty, period: missing -> INSUFFICIENT_DATA, notBreaching -> OK,
  breaching/ignore -> stays, so the next event notifies again.
* EventBridge: each CloudTrail record (when a logging trail records its region) is also an
  "AWS API Call via CloudTrail" event (source aws.<service>, detail = the record) on the default
  bus of its region; every ENABLED rule whose pattern matches it (moto's own pattern matcher)
  sends each SNS target its input transformer's output (InputPathsMap + InputTemplate, strings
  JSON-escaped inside a quoted or JSON template), its constant Input, its InputPath part or the
  event, if the topic policy lets events.amazonaws.com publish. As AWS documents them (the
  AWS/Events namespace, dimension RuleName, Count, one data point per occurrence): a matching
  rule puts TriggeredRules 1; each SNS target it invokes Invocations 1, and a target that cannot
  publish (no topic, or the topic policy) also FailedInvocations 1 (a permission error is not
  retried). Targets of other services are not invoked here, and not counted.
* SNS delivery is moto's own (it applies each subscription's filter policy and delivers to SQS
  in the SNS envelope unless RawMessageDelivery), with AWS's rule for SQS endpoints: the message
  reaches the queue only if the queue exists and its policy lets sns.amazonaws.com
  sqs:SendMessage for this topic (aws:SourceArn / aws:SourceAccount conditions; no policy, a
  Deny, or a condition on another key: not delivered). Each publish to a topic (by an alarm, a
  rule or the Publish API) puts, per subscription, one AWS/SNS data point (dimension TopicName,
  Count): NumberOfNotificationsDelivered, NumberOfNotificationsFailed (SQS refused) or
  NumberOfNotificationsFilteredOut (its filter policy rejects the message); a subscription
  pending confirmation gets nothing and counts nothing.
"""
from __future__ import annotations

import datetime as _dt
import fnmatch
import json
import queue
import re
import threading
import time
import uuid
from typing import Any, Callable

SETTINGS = {"delay_seconds": 1.0, "alarm_reset_seconds": 2.0}
_lock = threading.RLock()
# (account, region) -> history records, shared with server.py's alarm-history harness
HISTORY_SINK: Callable[[str, str, dict], None] | None = None

TRACKED = {
    "CreateSecurityGroup", "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
    "ModifySecurityGroupRules", "CreateNetworkAcl", "DeleteNetworkAcl", "CreateNetworkAclEntry",
    "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
    "CreateRouteTable", "DeleteRouteTable", "CreateRoute", "DeleteRoute", "ReplaceRoute",
    "ReplaceRouteTableAssociation", "DisassociateRouteTable",
}
# IAM (a global service: its records carry awsRegion us-east-1 and reach the trails that
# include global service events and record us-east-1)
TRACKED_IAM = {
    "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
    "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "DeleteGroupPolicy", "DeleteRolePolicy",
    "DeleteUserPolicy", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
}
GLOBAL_REGION = "us-east-1"


def configure(payload: dict) -> tuple[int, dict]:
    """POST /_harness/pipeline {"delay_seconds", "alarm_reset_seconds"}; GET shows them."""
    for k in ("delay_seconds", "alarm_reset_seconds"):
        if k in payload:
            try:
                v = float(payload[k])
            except (TypeError, ValueError):
                return 400, {"error": f"{k} must be a number"}
            if v < 0:
                return 400, {"error": f"{k} must be >= 0"}
            SETTINGS[k] = v
    return 200, dict(SETTINGS)


def reset() -> None:
    SETTINGS.update({"delay_seconds": 1.0, "alarm_reset_seconds": 2.0})


# ---------------------------------------------------------------------------
# CloudTrail records
# ---------------------------------------------------------------------------
def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def request_parameters(form: dict[str, list[str]]) -> dict:
    """The EC2 query parameters as CloudTrail's requestParameters: camelCase keys, lists as
    {"items": [...]} (IpPermissions.1.IpRanges.1.CidrIp -> ipPermissions.items[0].ipRanges.items[0].cidrIp)."""
    out: dict = {}
    for key, values in form.items():
        if key in ("Action", "Version") or not values:
            continue
        parts = key.split(".")
        node: Any = out
        i = 0
        while i < len(parts):
            name = _lower_first(parts[i])
            last = i == len(parts) - 1
            if not last and parts[i + 1].isdigit():
                idx = int(parts[i + 1]) - 1
                items = node.setdefault(name, {"items": []})["items"]
                while len(items) <= idx:
                    items.append({})
                if i + 1 == len(parts) - 1:
                    items[idx] = values[0]
                    break
                node = items[idx]
                i += 2
                continue
            if last:
                node[name] = values[0]
            else:
                node = node.setdefault(name, {})
            i += 1
    # CloudTrail's own spellings of a few EC2 parameters.
    if "groupDescription" not in out and "description" in out and "groupName" in out:
        out["groupDescription"] = out.pop("description")
    return out


_ID_RE = re.compile(r"<(groupId|networkAclId|routeTableId|securityGroupRuleId|Arn|PolicyName|PolicyId|VersionId)>([^<]+)</")


def response_elements(op: str, body: bytes) -> dict:
    text = body.decode("utf-8", "replace")
    if op == "CreatePolicy":
        ids = dict(_ID_RE.findall(text))
        return {"policy": {"policyName": ids.get("PolicyName"), "policyId": ids.get("PolicyId"), "arn": ids.get("Arn"),
                           "defaultVersionId": "v1", "path": "/"}}
    if op == "CreatePolicyVersion":
        return {"policyVersion": {"versionId": dict(_ID_RE.findall(text)).get("VersionId"), "isDefaultVersion": False}}
    if op in TRACKED_IAM:
        return None  # type: ignore[return-value]  (CloudTrail records null for these)
    out: dict = {"requestId": str(uuid.uuid4()), "_return": True}
    ids = dict(_ID_RE.findall(text))
    if op == "CreateSecurityGroup" and "groupId" in ids:
        out["groupId"] = ids["groupId"]
    elif op == "CreateNetworkAcl" and "networkAclId" in ids:
        out = {"requestId": out["requestId"], "networkAcl": {"networkAclId": ids["networkAclId"]}}
    elif op == "CreateRouteTable" and "routeTableId" in ids:
        out = {"requestId": out["requestId"], "routeTable": {"routeTableId": ids["routeTableId"]}}
    return out


def cloudtrail_record(account: str, region: str, op: str, form: dict, body: bytes, when: _dt.datetime,
                      service: str = "ec2") -> dict:
    return {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{account}:cis-audit",
            "arn": f"arn:aws:sts::{account}:assumed-role/caller/cis-audit",
            "accountId": account,
            "accessKeyId": "ASIA" + account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "caller",
                                                 "arn": f"arn:aws:iam::{account}:role/caller"}},
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": op,
        "awsRegion": region,
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "cis-audit-emulator",
        "requestParameters": request_parameters(form),
        "responseElements": response_elements(op, body),
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


def record_call(account: str, region: str, op: str, form: dict, body: bytes, service: str = "ec2") -> None:
    """A successful tracked call: its record is delivered after the trail delay."""
    if service == "iam":
        if op not in TRACKED_IAM:
            return
        region = GLOBAL_REGION
    elif op not in TRACKED:
        return
    now = _dt.datetime.now(_dt.timezone.utc)
    rec = cloudtrail_record(account, region, op, form, body, now, service)
    _start_worker()
    _queue.put((time.monotonic() + SETTINGS["delay_seconds"], account, region, rec, int(now.timestamp() * 1000)))


# One delivery worker, first in first out: records reach the log group in the order of the calls.
_queue: "queue.Queue[tuple[float, str, str, dict, int]]" = queue.Queue()
_worker: threading.Thread | None = None


def _start_worker() -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="pipeline-delivery", daemon=True)
            _worker.start()


def _work() -> None:
    while True:
        due, account, region, rec, when_ms = _queue.get()
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            deliver(account, region, rec, when_ms)
        except Exception as exc:  # pragma: no cover - the worker must not die
            print(f"pipeline: delivery failed: {type(exc).__name__}: {exc}", flush=True)


def _trails(account: str) -> list[Any]:
    from moto.cloudtrail.models import cloudtrail_backends

    seen: dict[str, Any] = {}
    for region, backend in cloudtrail_backends[account].items():
        for t in list(getattr(backend, "trails", {}).values()):
            seen.setdefault(t.arn, t)
    return list(seen.values())


def deliver(account: str, region: str, rec: dict, when_ms: int | None = None) -> int:
    """Writes the record to every logging trail's log group that records `region` (and routes it
    through EventBridge when some logging trail records it)."""
    from moto.logs.models import logs_backends

    n = 0
    message = json.dumps(rec)
    recorded = False
    for t in _trails(account):
        if not t.status.is_logging:
            continue
        if not (t.is_multi_region or t.region_name == region):
            continue
        recorded = True
        if not t.cw_log_group_arn:
            continue
        if rec.get("eventSource") == "iam.amazonaws.com" and not getattr(t, "include_global_service_events", True):
            continue
        parts = t.cw_log_group_arn.split(":")
        if len(parts) < 7:
            continue
        g_region, g_account, g_name = parts[3], parts[4], parts[6]
        backend = logs_backends[g_account][g_region]
        if g_name not in backend.groups:
            continue  # delivery fails, as it would in AWS
        stream = f"{account}_CloudTrail_{region}"
        with _lock:
            backend.ensure_log_stream(g_name, stream)
            # The record's timestamp is the event's time, as CloudTrail delivers it.
            ts = when_ms if when_ms is not None else int(_dt.datetime.now(_dt.timezone.utc).timestamp() * 1000)
            backend.put_log_events(g_name, stream, [{"timestamp": ts, "message": message}])
        n += 1
        apply_metric_filters(g_account, g_region, g_name, rec, message)
    if recorded:
        route_event(account, region, rec)
    return n


# ---------------------------------------------------------------------------
# EventBridge: the record as an event, rules, input transformers, SNS targets
# ---------------------------------------------------------------------------
def cloudtrail_event(account: str, region: str, rec: dict) -> dict:
    source = "aws." + str(rec.get("eventSource", "")).split(".")[0]
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "AWS API Call via CloudTrail",
            "source": source, "account": account, "time": rec.get("eventTime"), "region": region,
            "resources": [], "detail": rec}


def transform(paths: dict, template: str, event: dict, rule_name: str, rule_arn: str) -> str:
    """An input transformer's output: <name> from its path (a string JSON-escaped inside a
    quoted or JSON template; nothing when the path selects nothing)."""
    quoted = template.lstrip().startswith(("\"", "{"))

    def value(name: str) -> str | None:
        if name == "aws.events.rule-arn":
            return rule_arn
        if name == "aws.events.rule-name":
            return rule_name
        if name in ("aws.events.event", "aws.events.event.json"):
            return json.dumps(event)
        if name not in paths:
            return None
        found, v = _path_get(event, paths[name])
        if not found:
            return ""
        if isinstance(v, str):
            return json.dumps(v)[1:-1] if quoted else v
        return json.dumps(v)

    def sub(m: re.Match) -> str:
        v = value(m.group(1))
        return m.group(0) if v is None else v

    return re.sub(r"<([^<>]+)>", sub, template)


def route_event(account: str, region: str, rec: dict) -> int:
    from moto.events.models import events_backends
    from moto.sns.models import sns_backends

    event = cloudtrail_event(account, region, rec)
    bus = events_backends[account][region].event_buses.get("default")
    n = 0
    for rule in list(getattr(bus, "rules", {}).values()) if bus is not None else []:
        if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
            continue
        rule_metric = {"RuleName": rule.name}
        put_count(account, region, "AWS/Events", "TriggeredRules", rule_metric)
        for t in rule.targets:
            arn = t.get("Arn", "")
            parts = arn.split(":")
            if len(parts) < 6 or parts[2] != "sns":
                continue
            put_count(account, region, "AWS/Events", "Invocations", rule_metric)
            it = t.get("InputTransformer")
            if it:
                msg = transform(it.get("InputPathsMap") or {}, it.get("InputTemplate", ""), event, rule.name, rule.arn)
            elif t.get("Input"):
                msg = t["Input"]
            elif t.get("InputPath"):
                found, v = _path_get(event, t["InputPath"])
                msg = json.dumps(v) if found else ""
            else:
                msg = json.dumps(event)
            topic = sns_backends[parts[4]][parts[3]].topics.get(arn)
            if topic is None or topic_allows(getattr(topic, "policy", None), account, "events.amazonaws.com"):
                put_count(account, region, "AWS/Events", "FailedInvocations", rule_metric)
                continue  # nothing delivered
            topic.publish(msg, message_attributes={})
            n += 1
    return n


# ---------------------------------------------------------------------------
# Delivery metrics, and SNS -> SQS as the queue policy allows
# ---------------------------------------------------------------------------
def put_count(account: str, region: str, namespace: str, name: str, dimensions: dict[str, str],
              value: float = 1.0) -> None:
    """One Count data point, timestamped now, in moto's CloudWatch of that account and region
    (what GetMetricData / GetMetricStatistics then answer)."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.core.utils import utcnow

    datum = {"MetricName": name, "Value": float(value), "Unit": "Count", "Timestamp": utcnow(),
             "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}
    with _lock:
        cloudwatch_backends[account][region].put_metric_data(namespace, [datum])


_NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike", "StringNotEqualsIgnoreCase")


def _condition_holds(cond: Any, context: dict[str, str]) -> bool:
    """Whether every condition of a statement holds for `context` (lower-case keys). String and
    ARN operators (…IfExists too); a key the context lacks, or another operator, does not hold."""
    if not cond:
        return True
    if not isinstance(cond, dict):
        return False
    for op, kv in cond.items():
        base = op[: -len("IfExists")] if op.endswith("IfExists") else op
        if not isinstance(kv, dict):
            return False
        for key, want in kv.items():
            have = context.get(str(key).lower())
            if have is None:
                if op.endswith("IfExists"):
                    continue
                return False
            wants = [str(w) for w in (want if isinstance(want, list) else [want])]
            if base in ("StringEquals", "ArnEquals", "StringNotEquals", "ArnNotEquals"):
                hit = have in wants
            elif base in ("StringLike", "ArnLike", "StringNotLike", "ArnNotLike"):
                hit = any(fnmatch.fnmatchcase(have, w) for w in wants)
            elif base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
                hit = have.lower() in [w.lower() for w in wants]
            else:
                return False
            if hit == (base in _NEGATED):
                return False
    return True


def queue_allows(policy_text: str | None, queue_arn: str, topic_arn: str) -> str | None:
    """None when the queue policy lets SNS deliver `topic_arn`'s messages to the queue; else why
    not. As in AWS, SNS is a service principal: only the queue policy can let it send, so a
    queue without a policy receives nothing; an explicit Deny wins."""
    if not policy_text:
        return "the queue has no policy letting sns.amazonaws.com send to it"
    try:
        doc = json.loads(policy_text)
    except ValueError:
        return "the queue policy is not JSON"
    sts = (doc.get("Statement") or []) if isinstance(doc, dict) else []
    sts = sts if isinstance(sts, list) else [sts]
    topic_account = topic_arn.split(":")[4] if topic_arn.count(":") >= 5 else ""
    context = {"aws:sourcearn": topic_arn, "aws:sourceaccount": topic_account, "aws:sourceowner": topic_account}

    def applies(s: Any) -> bool:
        if not isinstance(s, dict):
            return False
        principal = s.get("Principal")
        by_principal = principal == "*" or (isinstance(principal, dict) and any(
            (k == "Service" and "sns.amazonaws.com" in (v if isinstance(v, list) else [v]))
            or (k == "AWS" and "*" in (v if isinstance(v, list) else [v])) for k, v in principal.items()))
        acts = s.get("Action")
        acts = acts if isinstance(acts, list) else [acts]
        by_action = any(fnmatch.fnmatchcase("sqs:sendmessage", str(a).lower()) for a in acts if a is not None)
        res = s.get("Resource", "*")
        res = res if isinstance(res, list) else [res]
        by_resource = any(fnmatch.fnmatchcase(queue_arn, str(r)) for r in res)
        return by_principal and by_action and by_resource and _condition_holds(s.get("Condition"), context)

    if any(s.get("Effect") == "Deny" and applies(s) for s in sts if isinstance(s, dict)):
        return "an explicit Deny in the queue policy"
    if any(s.get("Effect") == "Allow" and applies(s) for s in sts if isinstance(s, dict)):
        return None
    return "no statement of the queue policy lets sns.amazonaws.com send this topic's messages"


def _topic_place(topic_arn: str) -> tuple[str, str, str] | None:
    parts = topic_arn.split(":")
    return (parts[4], parts[3], parts[5]) if len(parts) >= 6 else None


def delivery_outcome(sub: Any, message: str, message_attributes: dict | None) -> str | None:
    """What SNS does with one message for one subscription: "filtered-out", "failed",
    "delivered", or None (pending confirmation: nothing)."""
    if getattr(sub, "_harness_pending", False):
        return None
    matcher = getattr(sub, "_filter_policy_matcher", None)
    if matcher is not None and not matcher.matches(message_attributes, message):
        return "filtered-out"
    if sub.protocol == "sqs":
        from moto.sqs.models import sqs_backends

        parts = sub.endpoint.split(":")
        if len(parts) < 6:
            return "failed"
        queue = sqs_backends[parts[4]][parts[3]].queues.get(parts[5])
        if queue is None or queue_allows(getattr(queue, "policy", None), sub.endpoint, sub.topic.arn):
            return "failed"
    return "delivered"


SNS_METRICS = {"delivered": "NumberOfNotificationsDelivered", "failed": "NumberOfNotificationsFailed",
               "filtered-out": "NumberOfNotificationsFilteredOut"}


def install_sns_delivery() -> None:
    """Wraps moto's per-subscription delivery: a queue whose policy refuses the topic gets
    nothing, and every outcome is counted in AWS/SNS (called once by server.py)."""
    from moto.sns.models import Subscription

    if getattr(Subscription.publish, "_pipeline", False):
        return
    orig = Subscription.publish

    def publish(self: Any, message: str, message_id: str, *args: Any, **kwargs: Any) -> None:
        attrs = kwargs.get("message_attributes")
        if attrs is None and len(args) >= 2:
            attrs = args[1]
        outcome = delivery_outcome(self, message, attrs)
        if outcome == "delivered":
            orig(self, message, message_id, *args, **kwargs)
        place = _topic_place(self.topic.arn)
        if outcome is not None and place is not None:
            account, region, name = place
            put_count(account, region, "AWS/SNS", SNS_METRICS[outcome], {"TopicName": name})

    publish._pipeline = True  # type: ignore[attr-defined]
    Subscription.publish = publish


# ---------------------------------------------------------------------------
# Filter patterns (CloudWatch Logs syntax), independent of cis-audit's engine
# ---------------------------------------------------------------------------
class PatternError(ValueError):
    pass


_TOKEN_RE = re.compile(
    r"\s*(?:(?P<op>&&|\|\||!=|>=|<=|=|<|>|\(|\)|\{|\})|(?P<str>\"(?:[^\"\\]|\\.)*\")|(?P<word>[^\s()&|=!<>{}\"]+))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise PatternError(f"cannot read the pattern at {text[pos:]!r}")
        pos = m.end()
        if m.group("op"):
            out.append(("op", m.group("op")))
        elif m.group("str") is not None:
            out.append(("str", json.loads(m.group("str"))))
        elif m.group("word"):
            out.append(("word", m.group("word")))
    return out


def _path_get(doc: Any, path: str) -> tuple[bool, Any]:
    if not path.startswith("$"):
        raise PatternError(f"a selector must start with $: {path}")
    node = doc
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        key, idx = part
        if key:
            if not isinstance(node, dict) or key not in node:
                return False, None
            node = node[key]
        else:
            i = int(idx)
            if not isinstance(node, list) or i >= len(node):
                return False, None
            node = node[i]
    return True, node


class _Parser:
    def __init__(self, toks: list[tuple[str, str]]):
        self.t, self.i = toks, 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise PatternError("the pattern ends too early")
        self.i += 1
        return self.t[self.i - 1]

    def expr(self) -> Callable[[Any], bool]:
        left = self.conj()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conj()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    def conj(self) -> Callable[[Any], bool]:
        left = self.atom()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.atom()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def atom(self) -> Callable[[Any], bool]:
        tok = self.take()
        if tok == ("op", "("):
            e = self.expr()
            if self.take() != ("op", ")"):
                raise PatternError("a ( is not closed")
            return e
        if tok[0] != "word" or not tok[1].startswith("$"):
            raise PatternError(f"expected a $.selector, found {tok[1]!r}")
        path = tok[1]
        op = self.take()
        if op == ("word", "IS"):
            what = self.take()[1].upper()
            if what == "NULL":
                return lambda d: (lambda f: f[0] and f[1] is None)(_path_get(d, path))
            if what in ("TRUE", "FALSE"):
                want = what == "TRUE"
                return lambda d: (lambda f: f[0] and f[1] is want)(_path_get(d, path))
            raise PatternError(f"IS {what}?")
        if op == ("word", "NOT"):
            if self.take()[1].upper() != "EXISTS":
                raise PatternError("NOT must be followed by EXISTS")
            return lambda d: not _path_get(d, path)[0]
        if op[0] != "op" or op[1] not in ("=", "!=", "<", "<=", ">", ">="):
            raise PatternError(f"expected a comparison after {path}")
        kind, raw = self.take()
        if kind == "op":
            raise PatternError(f"expected a value after {path} {op[1]}")
        return _comparison(path, op[1], kind, raw)


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def _comparison(path: str, op: str, kind: str, raw: str) -> Callable[[Any], bool]:
    num = None
    if kind == "word":
        try:
            num = float(raw)
        except ValueError:
            num = None

    def test(doc: Any) -> bool:
        found, v = _path_get(doc, path)
        if not found:
            return False  # absent fields never match, not even !=
        if op in ("<", "<=", ">", ">="):
            x = _number(v)
            if x is None or num is None:
                return False
            return {"<": x < num, "<=": x <= num, ">": x > num, ">=": x >= num}[op]
        if num is not None and _number(v) is not None:
            eq = _number(v) == num
        elif isinstance(v, (dict, list)):
            eq = False
        else:
            text = "true" if v is True else "false" if v is False else "null" if v is None else str(v)
            eq = fnmatch.fnmatchcase(text, raw) if "*" in raw else text == raw
        return eq if op == "=" else not eq

    return test


class FilterPattern:
    """A compiled filter pattern: matches(message) -> bool."""

    def __init__(self, text: str):
        self.text = text or ""
        t = self.text.strip()
        if not t:
            self._match: Callable[[str], bool] = lambda m: True
        elif t.startswith("{"):
            if not t.endswith("}"):
                raise PatternError("a JSON pattern must end with }")
            p = _Parser(_tokens(t[1:-1]))
            e = p.expr()
            if p.peek() is not None:
                raise PatternError(f"unexpected {p.peek()[1]!r}")

            def match(m: str) -> bool:
                try:
                    doc = json.loads(m)
                except ValueError:
                    return False
                return e(doc)

            self._match = match
        elif t.startswith("["):
            raise PatternError("space-delimited [ ... ] patterns are not emulated")
        else:
            terms = [v for _, v in _tokens(t)]
            self._match = lambda m: all(
                (term[1:] not in m) if term.startswith("-") else (term in m) for term in terms
            )

    def matches(self, message: str) -> bool:
        return self._match(message)


# ---------------------------------------------------------------------------
# Metric filters -> data points -> alarms -> SNS
# ---------------------------------------------------------------------------
def apply_metric_filters(account: str, region: str, group: str, rec: dict, message: str) -> int:
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.core.utils import utcnow
    from moto.logs.models import logs_backends

    n = 0
    filters = logs_backends[account][region].filters.get_matching_filters(log_group_name=group)
    for f in filters:
        try:
            if not FilterPattern(f.get("filterPattern") or "").matches(message):
                continue
        except PatternError:
            continue
        for t in f.get("metricTransformations") or []:
            raw = str(t.get("metricValue", "1"))
            if raw.startswith("$"):
                found, v = _path_get(rec, raw)
                value = _number(v) if found else None
                if value is None:
                    continue
            else:
                value = float(raw)
            ns, name = t["metricNamespace"], t["metricName"]
            cw = cloudwatch_backends[account][region]
            with _lock:
                cw.put_metric_data(ns, [{"MetricName": name, "Value": value, "Timestamp": utcnow()}])
            n += 1
            evaluate_alarms(account, region, ns, name)
    return n


_STAT = {
    "Sum": sum,
    "Average": lambda xs: sum(xs) / len(xs),
    "Maximum": max,
    "Minimum": min,
    "SampleCount": lambda xs: float(len(xs)),
}
_CMP = {
    "GreaterThanOrEqualToThreshold": lambda x, t: x >= t,
    "GreaterThanThreshold": lambda x, t: x > t,
    "LessThanThreshold": lambda x, t: x < t,
    "LessThanOrEqualToThreshold": lambda x, t: x <= t,
}


def _periods(cw: Any, alarm: Any, ns: str, name: str, now: _dt.datetime, empty_latest: bool) -> list[list[float]]:
    period = _dt.timedelta(seconds=int(alarm.period or 300))
    out = []
    for k in range(int(alarm.evaluation_periods or 1)):
        end, start = now - k * period, now - (k + 1) * period
        if empty_latest and k == 0:
            out.append([])
            continue
        out.append([d.value for d in cw.metric_data
                    if d.namespace == ns and d.name == name and not d.dimensions and start < d.timestamp <= end])
    return out


def alarm_state(alarm: Any, periods: list[list[float]]) -> str | None:
    """ALARM / OK / INSUFFICIENT_DATA for the periods (newest first); None: unchanged."""
    treat = alarm.treat_missing_data or "missing"
    stat = _STAT.get(alarm.statistic or "Sum", sum)
    cmp = _CMP.get(alarm.comparison_operator, _CMP["GreaterThanOrEqualToThreshold"])
    m = int(alarm.datapoints_to_alarm or alarm.evaluation_periods or 1)
    breaching = present = 0
    for values in periods:
        if values:
            present += 1
            breaching += bool(cmp(stat(values), float(alarm.threshold)))
        elif treat == "breaching":
            present += 1
            breaching += 1
        elif treat == "notBreaching":
            present += 1
    if breaching >= m:
        return "ALARM"
    if present == 0:
        return None if treat == "ignore" else "INSUFFICIENT_DATA"
    return "OK"


def evaluate_alarms(account: str, region: str, ns: str, name: str, empty_latest: bool = False) -> None:
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.core.utils import utcnow

    cw = cloudwatch_backends[account][region]
    for alarm in list(cw.alarms.values()):
        if alarm.namespace != ns or alarm.metric_name != name or alarm.dimensions:
            continue
        with _lock:
            new = alarm_state(alarm, _periods(cw, alarm, ns, name, utcnow(), empty_latest))
            old = alarm.state_value
            if new is None or new == old:
                continue
            reason = f"Threshold Crossed: datapoints evaluated by the emulator ({new})"
            alarm.update_state(reason, "{}", new)
        _history(account, region, alarm.name, "StateUpdate", f"Alarm updated from {old} to {new}",
                 {"oldState": {"stateValue": old}, "newState": {"stateValue": new, "stateReason": reason}})
        if new == "ALARM":
            if alarm.actions_enabled:
                for action in alarm.alarm_actions or []:
                    _run_action(account, region, alarm, old, action)
            t = threading.Timer(SETTINGS["alarm_reset_seconds"], _reset_safely, args=(account, region, ns, name))
            t.daemon = True
            t.start()


def _reset_safely(account: str, region: str, ns: str, name: str) -> None:
    try:
        evaluate_alarms(account, region, ns, name, empty_latest=True)
    except Exception as exc:  # pragma: no cover
        print(f"pipeline: alarm re-evaluation failed: {exc}", flush=True)


def _history(account: str, region: str, alarm: str, kind: str, summary: str, data: dict) -> None:
    if HISTORY_SINK is not None:
        HISTORY_SINK(account, region, {"AlarmName": alarm, "AlarmType": "MetricAlarm",
                                       "Timestamp": _dt.datetime.now(_dt.timezone.utc),
                                       "HistoryItemType": kind, "HistorySummary": summary,
                                       "HistoryData": json.dumps(data)})


REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
                "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
                "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)"}


def alarm_message(account: str, region: str, alarm: Any, old: str) -> dict:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return {
        "AlarmName": alarm.name, "AlarmDescription": alarm.description or None,
        "AWSAccountId": account, "AlarmConfigurationUpdatedTimestamp": now,
        "NewStateValue": "ALARM", "NewStateReason": alarm.state_reason, "StateChangeTime": now,
        "Region": REGION_NAMES.get(region, region), "AlarmArn": alarm.alarm_arn, "OldStateValue": old,
        "OKActions": list(alarm.ok_actions or []), "AlarmActions": list(alarm.alarm_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or []),
        "Trigger": {"MetricName": alarm.metric_name, "Namespace": alarm.namespace, "StatisticType": "Statistic",
                    "Statistic": (alarm.statistic or "Sum").upper(), "Unit": None, "Dimensions": [],
                    "Period": int(alarm.period or 300), "EvaluationPeriods": int(alarm.evaluation_periods or 1),
                    "ComparisonOperator": alarm.comparison_operator, "Threshold": float(alarm.threshold),
                    "TreatMissingData": alarm.treat_missing_data or "missing",
                    "EvaluateLowSampleCountPercentile": ""},
    }


def _principal_matches(principal: Any, service: str) -> bool:
    """CloudWatch alarms publish for the account (the default policy's AWS "*" with the account
    as SourceOwner lets them); EventBridge needs its service principal (or "*")."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        for k, v in principal.items():
            vals = v if isinstance(v, list) else [v]
            if k == "Service" and service in vals:
                return True
            if k == "AWS" and "*" in vals and service == "cloudwatch.amazonaws.com":
                return True
    return False


def _action_matches(action: Any) -> bool:
    acts = action if isinstance(action, list) else [action]
    return any(fnmatch.fnmatchcase(str(a).lower(), "sns:publish") or str(a).lower() in ("*", "sns:*") for a in acts)


def _conditions_hold(cond: Any, account: str, service: str) -> bool:
    """The conditions a CloudWatch alarm's publish carries: AWS:SourceOwner / aws:SourceAccount
    = the account; aws:SourceArn = an alarm of the account. Unknown keys do not hold."""
    if not cond:
        return True
    for op, kv in cond.items():
        for key, want in kv.items():
            wants = want if isinstance(want, list) else [want]
            k = key.lower()
            if k in ("aws:sourceowner", "aws:sourceaccount"):
                have = account
            elif k == "aws:sourcearn":
                have = f"arn:aws:cloudwatch:*:{account}:alarm:*"
                if not any(fnmatch.fnmatchcase(have, w) or w.startswith(f"arn:aws:cloudwatch:") and f":{account}:" in w
                           for w in wants):
                    return False
                continue
            else:
                return False
            if op.startswith("StringNotEquals") or op.startswith("ArnNotEquals"):
                if have in wants:
                    return False
            elif have not in wants:
                return False
    return True


def topic_allows(policy_text: str | None, account: str, service: str = "cloudwatch.amazonaws.com") -> str | None:
    """None when `service` may publish to the topic; else why not."""
    if not policy_text:
        return None  # moto's default policy: the account's principals (CloudWatch publishes for them)
    try:
        doc = json.loads(policy_text)
    except ValueError:
        return "the topic policy is not JSON"
    sts = doc.get("Statement") or []
    sts = sts if isinstance(sts, list) else [sts]
    for s in sts:
        if s.get("Effect") == "Deny" and _principal_matches(s.get("Principal"), service) and _action_matches(s.get("Action")):
            if _conditions_hold(s.get("Condition"), account, service):
                return "an explicit Deny in the topic policy"
    for s in sts:
        if s.get("Effect") == "Allow" and _principal_matches(s.get("Principal"), service) and _action_matches(s.get("Action")):
            if _conditions_hold(s.get("Condition"), account, service):
                return None
    return "no statement of the topic policy allows it"


def _run_action(account: str, region: str, alarm: Any, old: str, action: str) -> None:
    from moto.sns.models import sns_backends

    parts = action.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        _history(account, region, alarm.name, "Action", f"Failed to execute action {action}. Received error: \"the emulator runs SNS actions only\"", {})
        return
    t_region, t_account = parts[3], parts[4]
    topic = sns_backends[t_account][t_region].topics.get(action)
    alarm_arn = alarm.alarm_arn
    if topic is None:
        why = f"Resource: {alarm_arn} is not authorized to perform: SNS:Publish on resource: {action} (the topic does not exist)"
    else:
        denied = topic_allows(getattr(topic, "policy", None), account)
        kms = getattr(topic, "kms_master_key_id", None) or ""
        if denied:
            why = f"Resource: {alarm_arn} is not authorized to perform: SNS:Publish on resource: {action} because {denied}"
        elif kms.endswith("alias/aws/sns"):
            why = "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."
        else:
            why = None
    if why:
        _history(account, region, alarm.name, "Action", f"Failed to execute action {action}. Received error: \"{why}\"",
                 {"actionState": "Failed", "notificationResource": action})
        return
    subject = f'ALARM: "{alarm.name}" in {REGION_NAMES.get(region, region)}'
    topic.publish(json.dumps(alarm_message(account, region, alarm, old)), subject=subject, message_attributes={})
    _history(account, region, alarm.name, "Action", f"Successfully executed action {action}",
             {"actionState": "Succeeded", "notificationResource": action})

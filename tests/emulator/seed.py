#!/usr/bin/env python3
"""Seed one account's CIS-relevant resources into the emulator (tests/emulator/server.py).

    python seed.py --endpoint http://127.0.0.1:PORT --spec spec.json   # or --spec - (stdin)
    python seed.py --endpoint http://127.0.0.1:PORT --demo 111122223333
    python seed.py ... --print-spec      # show the (demo) spec, create nothing
    python seed.py ... --json            # print what was created as JSON instead of a summary

The seeder acts as the spec's account through
sts:AssumeRole(arn:aws:iam::<account>:role/seed); moto keeps every account's
state apart. Everything in the spec is optional (see SPEC FORMAT below, or the
demo spec printed by --print-spec). "{account}" inside any bucket name is
replaced by the account id (bucket names are global in S3 and in moto).

SPEC FORMAT (defaults in brackets)
  account            "123456789012"
  region             default region for every item ["us-east-1"]
  buckets[]          {region, name}
  log_groups[]       {region, name, retention_days [none]}
  trails[]           {name, region (home) , bucket [cloudtrail-{account}, created if missing],
                      multi_region [true], include_global [true], logging [true],
                      log_group [none; created in the home region if missing],
                      log_group_arn [arn:aws:logs:<home>:<account>:log-group:<log_group>:*; set to
                                     point at any other account/region],
                      cw_role_arn [arn:aws:iam::<account>:role/CloudTrail_CloudWatchLogs_Role when a
                                   log group is set],
                      event_selectors [none = moto default], advanced_event_selectors [none],
                      organization [false]}
  metric_filters[]   {region, log_group, name, pattern, metric_name, namespace ["CISBenchmark"],
                      metric_value ["1"]}
  topics[]           {region, name, subscriptions: [{protocol, endpoint, confirm [false]}]}
                     (email/email-json/http/https stay PendingConfirmation unless confirm=true)
  alarms[]           {region, name, metric_name, namespace ["CISBenchmark"],
                      topic [none; a topic name in the alarm's region/account, or an ARN],
                      alarm_actions [none; overrides the action list, e.g. a missing topic ARN],
                      actions_enabled [true], statistic ["Sum"], period [300], threshold [1],
                      comparison ["GreaterThanOrEqualToThreshold"], evaluation_periods [1],
                      dimensions [[]]}
  config[]           {region, recorder ["default"], role_arn [arn:aws:iam::<account>:role/config],
                      all_supported [true], include_global [true], resource_types [[]],
                      delivery_channel [{"name": "default", "bucket": "config-{account}"}; null = none],
                      recording [true]}
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

CIS_4_10_V5 = (
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) "
    "|| ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) "
    "|| ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) "
    "|| ($.eventName = ModifySecurityGroupRules) }"
)
CIS_4_11 = (
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) "
    "|| ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) "
    "|| ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"
)
CIS_4_14 = (
    "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) "
    "|| ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) "
    "|| ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) "
    "|| ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) "
    "|| ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"
)
PENDING_PROTOCOLS = {"email", "email-json", "http", "https"}
DEFAULT_ACCOUNT = "123456789012"


def demo_spec(account: str) -> dict:
    """A realistic mix over us-east-1, eu-west-1 and eu-central-1.

    Expected audit outcome: 3.1 PASS (multi-region, logging, all management
    events); 4.10 PASS (v5.0.0 pattern -> alarm -> topic with a confirmed email);
    4.11 FAIL (its topic has only a PendingConfirmation email); 4.14 FAIL (alarm
    action is a topic that does not exist); 3.3 FAIL in eu-central-1 (recorder
    configured but not recording), PASS in us-east-1 and eu-west-1.
    """
    a = account
    return {
        "account": a,
        "buckets": [
            {"region": "us-east-1", "name": "cis-demo-cloudtrail-{account}"},
            {"region": "us-east-1", "name": "cis-demo-config-{account}"},
        ],
        "log_groups": [
            {"region": "us-east-1", "name": "aws-cloudtrail-logs-cis-demo", "retention_days": 365}
        ],
        "trails": [
            {
                "name": "cis-demo-management-events",
                "region": "us-east-1",
                "bucket": "cis-demo-cloudtrail-{account}",
                "multi_region": True,
                "include_global": True,
                "logging": True,
                "log_group": "aws-cloudtrail-logs-cis-demo",
                "cw_role_arn": f"arn:aws:iam::{a}:role/CloudTrail_CloudWatchLogs_Role",
                "event_selectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
            },
            {
                "name": "legacy-eu-west-1-trail",
                "region": "eu-west-1",
                "bucket": "cis-demo-cloudtrail-{account}",
                "multi_region": False,
                "include_global": False,
                "logging": False,
            },
        ],
        "metric_filters": [
            {
                "region": "us-east-1",
                "log_group": "aws-cloudtrail-logs-cis-demo",
                "name": "cis-4.10-security-group-changes",
                "pattern": CIS_4_10_V5,
                "metric_name": "SecurityGroupChanges",
                "namespace": "CISBenchmark",
            },
            {
                "region": "us-east-1",
                "log_group": "aws-cloudtrail-logs-cis-demo",
                "name": "cis-4.11-nacl-changes",
                "pattern": CIS_4_11,
                "metric_name": "NetworkAclChanges",
                "namespace": "CISBenchmark",
            },
            {
                "region": "us-east-1",
                "log_group": "aws-cloudtrail-logs-cis-demo",
                "name": "cis-4.14-vpc-changes",
                "pattern": CIS_4_14,
                "metric_name": "VpcChanges",
                "namespace": "CISBenchmark",
            },
        ],
        "topics": [
            {
                "region": "us-east-1",
                "name": "cis-security-alarms",
                "subscriptions": [
                    {"protocol": "email", "endpoint": "secops@example.com", "confirm": True},
                    {"protocol": "sqs", "endpoint": f"arn:aws:sqs:us-east-1:{a}:cis-alarm-archive"},
                ],
            },
            {
                "region": "us-east-1",
                "name": "cis-network-alarms",
                "subscriptions": [
                    {"protocol": "email", "endpoint": "netops@example.com", "confirm": False}
                ],
            },
        ],
        "alarms": [
            {
                "region": "us-east-1",
                "name": "cis-4.10-security-group-changes",
                "metric_name": "SecurityGroupChanges",
                "namespace": "CISBenchmark",
                "topic": "cis-security-alarms",
            },
            {
                "region": "us-east-1",
                "name": "cis-4.11-nacl-changes",
                "metric_name": "NetworkAclChanges",
                "namespace": "CISBenchmark",
                "topic": "cis-network-alarms",
            },
            {
                "region": "us-east-1",
                "name": "cis-4.14-vpc-changes",
                "metric_name": "VpcChanges",
                "namespace": "CISBenchmark",
                "alarm_actions": [f"arn:aws:sns:us-east-1:{a}:deleted-topic"],
            },
        ],
        "config": [
            {
                "region": "us-east-1",
                "recorder": "default",
                "all_supported": True,
                "include_global": True,
                "delivery_channel": {"name": "default", "bucket": "cis-demo-config-{account}"},
                "recording": True,
            },
            {
                "region": "eu-west-1",
                "recorder": "default",
                "all_supported": True,
                "include_global": False,
                "delivery_channel": {"name": "default", "bucket": "cis-demo-config-{account}"},
                "recording": True,
            },
            {
                "region": "eu-central-1",
                "recorder": "default",
                "all_supported": True,
                "include_global": False,
                "delivery_channel": {"name": "default", "bucket": "cis-demo-config-{account}"},
                "recording": False,
            },
        ],
    }


class Seeder:
    def __init__(self, endpoint: str, spec: dict):
        self.endpoint = endpoint.rstrip("/")
        self.spec = spec
        self.account = str(spec.get("account") or DEFAULT_ACCOUNT)
        self.default_region = spec.get("region") or "us-east-1"
        self.config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        self._clients: dict = {}
        base = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        creds = base.client("sts", endpoint_url=self.endpoint, config=self.config).assume_role(
            RoleArn=f"arn:aws:iam::{self.account}:role/seed", RoleSessionName="seed"
        )["Credentials"]
        self.session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        who = self.client("sts", "us-east-1").get_caller_identity()["Account"]
        if who != self.account:
            raise SystemExit(f"seed: assumed role acts as {who}, expected {self.account}")
        self.created: dict[str, list] = {
            "buckets": [], "log_groups": [], "trails": [], "metric_filters": [],
            "topics": [], "subscriptions": [], "alarms": [], "config": [],
        }
        self._buckets_done: set[str] = set()
        self._log_groups_done: set[tuple[str, str]] = set()

    def client(self, service: str, region: str | None) -> Any:
        key = (service, region or self.default_region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=key[1], endpoint_url=self.endpoint, config=self.config
            )
        return self._clients[key]

    def region(self, item: dict) -> str:
        return item.get("region") or self.default_region

    def bucket_name(self, name: str) -> str:
        return name.replace("{account}", self.account)

    # -- resources --------------------------------------------------------
    def ensure_bucket(self, name: str, region: str) -> str:
        name = self.bucket_name(name)
        if name in self._buckets_done:
            return name
        s3 = self.client("s3", region)
        kwargs: dict = {"Bucket": name}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            s3.create_bucket(**kwargs)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "BucketAlreadyExists":
                raise SystemExit(
                    f"seed: bucket {name!r} belongs to another account (S3 names are global); "
                    "use a unique name or put {account} in it"
                ) from exc
            if code != "BucketAlreadyOwnedByYou":
                raise
        self._buckets_done.add(name)
        self.created["buckets"].append(name)
        return name

    def ensure_log_group(self, name: str, region: str, retention: int | None = None) -> None:
        key = (region, name)
        if key in self._log_groups_done:
            return
        logs = self.client("logs", region)
        try:
            logs.create_log_group(logGroupName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                raise
        if retention:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(retention))
        self._log_groups_done.add(key)
        self.created["log_groups"].append(
            f"arn:aws:logs:{region}:{self.account}:log-group:{name}:*"
        )

    def seed_trail(self, t: dict) -> None:
        home = self.region(t)
        ct = self.client("cloudtrail", home)
        bucket = self.ensure_bucket(t.get("bucket") or "cloudtrail-{account}", home)
        kwargs: dict = {
            "Name": t["name"],
            "S3BucketName": bucket,
            "IsMultiRegionTrail": bool(t.get("multi_region", True)),
            "IncludeGlobalServiceEvents": bool(t.get("include_global", True)),
        }
        if t.get("organization"):
            kwargs["IsOrganizationTrail"] = True
        lg_arn = t.get("log_group_arn")
        if not lg_arn and t.get("log_group"):
            self.ensure_log_group(t["log_group"], home)
            lg_arn = f"arn:aws:logs:{home}:{self.account}:log-group:{t['log_group']}:*"
        if lg_arn:
            kwargs["CloudWatchLogsLogGroupArn"] = lg_arn
            kwargs["CloudWatchLogsRoleArn"] = t.get("cw_role_arn") or (
                f"arn:aws:iam::{self.account}:role/CloudTrail_CloudWatchLogs_Role"
            )
        arn = ct.create_trail(**kwargs)["TrailARN"]
        if t.get("advanced_event_selectors") is not None:
            ct.put_event_selectors(
                TrailName=t["name"], AdvancedEventSelectors=t["advanced_event_selectors"]
            )
        elif t.get("event_selectors") is not None:
            ct.put_event_selectors(TrailName=t["name"], EventSelectors=t["event_selectors"])
        if t.get("logging", True):
            ct.start_logging(Name=t["name"])
        self.created["trails"].append(
            {"arn": arn, "home_region": home, "multi_region": kwargs["IsMultiRegionTrail"],
             "logging": bool(t.get("logging", True)), "log_group_arn": lg_arn}
        )

    def seed_metric_filter(self, f: dict) -> None:
        region = self.region(f)
        self.client("logs", region).put_metric_filter(
            logGroupName=f["log_group"],
            filterName=f["name"],
            filterPattern=f["pattern"],
            metricTransformations=[
                {
                    "metricName": f["metric_name"],
                    "metricNamespace": f.get("namespace") or "CISBenchmark",
                    "metricValue": str(f.get("metric_value", "1")),
                }
            ],
        )
        self.created["metric_filters"].append(
            {"region": region, "log_group": f["log_group"], "name": f["name"],
             "metric": f"{f.get('namespace') or 'CISBenchmark'}/{f['metric_name']}"}
        )

    def confirm(self, topic_arn: str, endpoint: str | None) -> list[str]:
        r = requests.post(
            f"{self.endpoint}/_harness/sns/confirm",
            json={"account_id": self.account, "topic_arn": topic_arn, "endpoint": endpoint},
            timeout=30,
        )
        if r.status_code != 200:
            raise SystemExit(f"seed: confirm {topic_arn} {endpoint}: HTTP {r.status_code} {r.text}")
        return r.json()["confirmed"]

    def seed_topic(self, t: dict) -> None:
        region = self.region(t)
        sns = self.client("sns", region)
        arn = sns.create_topic(Name=t["name"])["TopicArn"]
        self.created["topics"].append(arn)
        for s in t.get("subscriptions") or []:
            proto, endpoint = s["protocol"], s["endpoint"]
            resp = sns.subscribe(
                TopicArn=arn, Protocol=proto, Endpoint=endpoint, ReturnSubscriptionArn=True
            )
            sub_arn = resp["SubscriptionArn"]
            state = "confirmed"
            if proto in PENDING_PROTOCOLS:
                state = "pending"
                if s.get("confirm"):
                    self.confirm(arn, endpoint)
                    state = "confirmed"
            self.created["subscriptions"].append(
                {"topic": arn, "protocol": proto, "endpoint": endpoint, "arn": sub_arn, "state": state}
            )

    def seed_alarm(self, a: dict) -> None:
        region = self.region(a)
        if a.get("alarm_actions") is not None:
            actions = list(a["alarm_actions"])
        elif a.get("topic"):
            topic = a["topic"]
            actions = [topic if topic.startswith("arn:") else f"arn:aws:sns:{region}:{self.account}:{topic}"]
        else:
            actions = []
        self.client("cloudwatch", region).put_metric_alarm(
            AlarmName=a["name"],
            MetricName=a["metric_name"],
            Namespace=a.get("namespace") or "CISBenchmark",
            Statistic=a.get("statistic") or "Sum",
            Period=int(a.get("period", 300)),
            Threshold=float(a.get("threshold", 1)),
            ComparisonOperator=a.get("comparison") or "GreaterThanOrEqualToThreshold",
            EvaluationPeriods=int(a.get("evaluation_periods", 1)),
            ActionsEnabled=bool(a.get("actions_enabled", True)),
            AlarmActions=actions,
            Dimensions=a.get("dimensions") or [],
        )
        self.created["alarms"].append(
            {"arn": f"arn:aws:cloudwatch:{region}:{self.account}:alarm:{a['name']}", "actions": actions}
        )

    def seed_config(self, c: dict) -> None:
        region = self.region(c)
        cfg = self.client("config", region)
        name = c.get("recorder") or "default"
        group: dict = {
            "allSupported": bool(c.get("all_supported", True)),
            "includeGlobalResourceTypes": bool(c.get("include_global", True)),
        }
        if not group["allSupported"]:
            group["includeGlobalResourceTypes"] = False
            group["resourceTypes"] = list(c.get("resource_types") or [])
        cfg.put_configuration_recorder(
            ConfigurationRecorder={
                "name": name,
                "roleARN": c.get("role_arn") or f"arn:aws:iam::{self.account}:role/config",
                "recordingGroup": group,
            }
        )
        channel = c.get("delivery_channel", {"name": "default", "bucket": "config-{account}"})
        if channel is not None:
            bucket = self.ensure_bucket(channel.get("bucket") or "config-{account}", "us-east-1")
            cfg.put_delivery_channel(
                DeliveryChannel={"name": channel.get("name") or "default", "s3BucketName": bucket}
            )
        recording = bool(c.get("recording", True))
        if recording:
            cfg.start_configuration_recorder(ConfigurationRecorderName=name)
        self.created["config"].append(
            {"region": region, "recorder": name, "recording": recording,
             "all_supported": group["allSupported"],
             "include_global": group["includeGlobalResourceTypes"],
             "delivery_channel": channel is not None}
        )

    def seed_event_rule(self, r: dict) -> None:
        """An EventBridge rule on the default bus: {"region", "name", "pattern" (object or JSON
        text), "state" (ENABLED), "targets": [topic name or ARN, ...]}."""
        region = self.region(r)
        events = self.client("events", region)
        pattern = r["pattern"] if isinstance(r["pattern"], str) else json.dumps(r["pattern"])
        arn = events.put_rule(Name=r["name"], EventPattern=pattern, State=r.get("state") or "ENABLED")["RuleArn"]
        targets = []
        for i, t in enumerate(r.get("targets") or []):
            t_arn = t if t.startswith("arn:") else f"arn:aws:sns:{region}:{self.account}:{t}"
            targets.append({"Id": f"t{i}", "Arn": t_arn})
        if targets:
            events.put_targets(Rule=r["name"], Targets=targets)
        self.created.setdefault("event_rules", []).append({"region": region, "arn": arn, "targets": targets})

    def run(self) -> dict:
        for b in self.spec.get("buckets") or []:
            self.ensure_bucket(b["name"], self.region(b))
        for g in self.spec.get("log_groups") or []:
            self.ensure_log_group(g["name"], self.region(g), g.get("retention_days"))
        for t in self.spec.get("trails") or []:
            self.seed_trail(t)
        for f in self.spec.get("metric_filters") or []:
            self.seed_metric_filter(f)
        for t in self.spec.get("topics") or []:
            self.seed_topic(t)
        for a in self.spec.get("alarms") or []:
            self.seed_alarm(a)
        for c in self.spec.get("config") or []:
            self.seed_config(c)
        for r in self.spec.get("event_rules") or []:
            self.seed_event_rule(r)
        return {"account": self.account, **self.created}


def summary(created: dict) -> str:
    lines = [f"seeded account {created['account']}:"]
    for t in created["trails"]:
        lines.append(
            f"  trail   {t['arn']} (home {t['home_region']}, "
            f"{'multi-region' if t['multi_region'] else 'single-region'}, "
            f"{'logging' if t['logging'] else 'NOT logging'}"
            + (f", logs -> {t['log_group_arn']}" if t["log_group_arn"] else "") + ")"
        )
    for f in created["metric_filters"]:
        lines.append(f"  filter  {f['region']} {f['log_group']} :: {f['name']} -> {f['metric']}")
    for a in created["alarms"]:
        lines.append(f"  alarm   {a['arn']} -> {', '.join(a['actions']) or '(no actions)'}")
    for t in created["topics"]:
        subs = [s for s in created["subscriptions"] if s["topic"] == t]
        desc = ", ".join(f"{s['protocol']}:{s['endpoint']} [{s['state']}]" for s in subs) or "no subscriptions"
        lines.append(f"  topic   {t}: {desc}")
    for c in created["config"]:
        lines.append(
            f"  config  {c['region']} recorder {c['recorder']!r}: "
            f"{'recording' if c['recording'] else 'NOT recording'}, "
            f"allSupported={c['all_supported']}, includeGlobal={c['include_global']}, "
            f"delivery channel {'yes' if c['delivery_channel'] else 'no'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Seed the cis-audit emulator with one account's resources.")
    p.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--spec", help="JSON spec file, or - for stdin")
    src.add_argument("--demo", metavar="ACCOUNT_ID", help="seed the built-in demo spec for this account")
    p.add_argument("--json", action="store_true", help="print what was created as JSON")
    p.add_argument("--print-spec", action="store_true", help="print the spec and exit")
    args = p.parse_args(argv)

    if args.demo:
        spec = demo_spec(args.demo)
    else:
        text = sys.stdin.read() if args.spec == "-" else open(args.spec, encoding="utf-8").read()
        spec = json.loads(text)
    if args.print_spec:
        print(json.dumps(spec, indent=2))
        return 0
    try:
        created = Seeder(args.endpoint, spec).run()
    except ClientError as exc:
        op = exc.operation_name
        print(f"seed: {op} failed: {exc.response['Error'].get('Code')}: "
              f"{exc.response['Error'].get('Message')}", file=sys.stderr)
        return 1
    except (requests.RequestException, BotoCoreError) as exc:
        print(f"seed: cannot reach {args.endpoint}: {exc}", file=sys.stderr)
        return 1
    except (KeyError, TypeError) as exc:
        print(f"seed: bad spec: missing or wrong field {exc}", file=sys.stderr)
        return 2
    print(json.dumps(created, indent=2) if args.json else summary(created))
    return 0


if __name__ == "__main__":
    sys.exit(main())

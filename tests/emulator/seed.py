#!/usr/bin/env python3
"""Seed one account's CIS-relevant resources into the emulator (tests/emulator/server.py).

    python seed.py --endpoint http://127.0.0.1:PORT --spec spec.json   # or --spec - (stdin)
    python seed.py --endpoint http://127.0.0.1:PORT --demo 111122223333
    python seed.py ... --print-spec      # show the (demo) spec, create nothing
    python seed.py ... --json            # print what was created as JSON instead of a summary

The seeder acts as the spec's account through
sts:AssumeRole(arn:aws:iam::<account>:role/seed); moto keeps every account's
state apart (any 12-digit id works, including the random ids moto gives the
accounts an organization creates). Everything in the spec is optional (see SPEC
FORMAT below, or the demo spec printed by --print-spec). "{account}" inside any
bucket name, KMS key policy or topic policy is replaced by the account id
(bucket names are global in S3 and in moto); "{region}" in a policy by the
item's region, "{topic_arn}" in a topic policy by the topic's ARN.

The spec may also be a JSON ARRAY of specs, seeded in order, each as its own
account. There "account": "@KEY" names the member account that an earlier
spec's organization created under that key; --json then prints an array of
results, one per spec. Without arrays: seed the organization, read the member
ids from its --json output (organization.accounts), then seed each member.

--json output: {"account", "buckets", "log_groups", "trails", "metric_filters",
"topics", "subscriptions", "alarms", "config", "event_rules", "topic_settings",
"kms_keys": {NAME: {"key_id", "arn", "region", "alias"}},
"organization": {"id", "arn", "management_account", "feature_set",
"accounts": {KEY: ACCOUNT_ID}, "closed": [KEY...]} (only with an organization),
"securityhub": [REGION...]}.

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
                      organization [false],
                      cw_delivery_age_seconds [none = the emulator default, a few minutes ago;
                                               GetTrailStatus reports LatestCloudWatchLogsDeliveryTime
                                               = now - N], cw_never_delivered [false; no delivery
                                               time at all], cw_delivery_error [none; sets
                                               LatestCloudWatchLogsDeliveryError]}
                     (the cw_* keys call POST /_harness/cloudtrail/delivery for the trail)
  metric_filters[]   {region, log_group, name, pattern, metric_name, namespace ["CISBenchmark"],
                      metric_value ["1"]}
  kms_keys[]         {region, name (a label for topics[].kms_key and the --json output),
                      policy [the AWS default key policy: the account root may kms:*; a JSON
                              object or text], description [none], alias [none; "alias/NAME"]}
                     (created before topics; --json records key_id and arn under kms_keys.NAME)
  topics[]           {region, name, subscriptions: [{protocol, endpoint, confirm [false]}],
                      policy [none = moto's default topic policy; a JSON object or text, set
                              with SetTopicAttributes Policy],
                      kms_key [none = unencrypted; set as KmsMasterKeyId: an alias such as
                               "alias/aws/sns", a key ARN or id, or the name of a kms_keys[]
                               entry (its key ARN is set)]}
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
  event_rules[]      {region, name, pattern (object or JSON text), state ["ENABLED"],
                      targets: [topic name or ARN, or {arn | topic (a topic name), id ["t<i>"],
                                role_arn [none], input_transformer [none; {"InputPathsMap": {...},
                                "InputTemplate": "..."}], input [none; constant JSON text]}]}
  organization       {feature_set ["ALL"], members: [{name, email, key [name]}],
                      close: [member keys]}
                     (created first: the spec's account becomes the management account;
                      members get random ids from moto, recorded as organization.accounts.KEY;
                      closed members turn SUSPENDED; a member whose email is already in the
                      organization is reused)
  securityhub        {regions [[region]], default_standards [true]}
                     (EnableSecurityHub in each region)
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


def default_key_policy(account: str) -> dict:
    """The key policy AWS gives a key created without one."""
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }


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
        self.created: dict[str, Any] = {
            "buckets": [], "log_groups": [], "trails": [], "metric_filters": [],
            "topics": [], "subscriptions": [], "alarms": [], "config": [],
            "event_rules": [], "topic_settings": [], "kms_keys": {}, "securityhub": [],
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

    def policy_text(self, policy: Any, region: str, **extra: str) -> str:
        """A policy (JSON object or text) as text, with {account}/{region}/... filled in."""
        text = policy if isinstance(policy, str) else json.dumps(policy)
        for key, value in {"account": self.account, "region": region, **extra}.items():
            text = text.replace("{" + key + "}", value)
        return text

    def harness(self, path: str, body: dict) -> dict:
        r = requests.post(f"{self.endpoint}{path}", json=body, timeout=30)
        if r.status_code != 200:
            raise SystemExit(f"seed: {path} {body}: HTTP {r.status_code} {r.text}")
        return r.json()

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
        self.set_cw_delivery(arn, t)
        self.created["trails"].append(
            {"arn": arn, "home_region": home, "multi_region": kwargs["IsMultiRegionTrail"],
             "logging": bool(t.get("logging", True)), "log_group_arn": lg_arn}
        )

    def set_cw_delivery(self, trail_arn: str, t: dict) -> None:
        body: dict = {}
        if t.get("cw_delivery_age_seconds") is not None:
            body["age_seconds"] = t["cw_delivery_age_seconds"]
        if t.get("cw_never_delivered"):
            body["never"] = True
        if t.get("cw_delivery_error"):
            body["error"] = t["cw_delivery_error"]
        if body:
            self.harness("/_harness/cloudtrail/delivery",
                         {"account_id": self.account, "trail": trail_arn, **body})

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
        self.set_topic_attributes(sns, arn, region, t)
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

    def kms_key_id(self, ref: str) -> str:
        """topics[].kms_key -> KmsMasterKeyId: a kms_keys[] name becomes its key ARN."""
        key = self.created["kms_keys"].get(ref)
        return key["arn"] if key is not None else ref

    def set_topic_attributes(self, sns: Any, arn: str, region: str, t: dict) -> None:
        settings: dict = {}
        if t.get("policy") is not None:
            settings["Policy"] = self.policy_text(t["policy"], region, topic_arn=arn)
        if t.get("kms_key"):
            settings["KmsMasterKeyId"] = self.kms_key_id(t["kms_key"])
        for name, value in settings.items():
            sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
        if settings:
            self.created["topic_settings"].append(
                {"topic": arn, "policy": "Policy" in settings,
                 "kms_master_key_id": settings.get("KmsMasterKeyId")}
            )

    def seed_kms_key(self, k: dict) -> None:
        region = self.region(k)
        if k["name"] in self.created["kms_keys"]:
            raise SystemExit(f"seed: two kms_keys[] entries are named {k['name']!r}")
        kms = self.client("kms", region)
        policy = k.get("policy") if k.get("policy") is not None else default_key_policy(self.account)
        kwargs: dict = {"Policy": self.policy_text(policy, region)}
        if k.get("description"):
            kwargs["Description"] = k["description"]
        meta = kms.create_key(**kwargs)["KeyMetadata"]
        alias = k.get("alias")
        if alias:
            kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
        self.created["kms_keys"][k["name"]] = {
            "key_id": meta["KeyId"], "arn": meta["Arn"], "region": region, "alias": alias,
        }

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

    def event_target(self, t: Any, i: int, region: str) -> dict:
        """event_rules[].targets[i] (a topic name/ARN, or an object) -> a PutTargets target."""
        spec = {"arn": t} if isinstance(t, str) else dict(t)
        ref = spec.get("arn") or spec["topic"]
        target: dict = {
            "Id": spec.get("id") or f"t{i}",
            "Arn": ref if ref.startswith("arn:") else f"arn:aws:sns:{region}:{self.account}:{ref}",
        }
        if spec.get("role_arn"):
            target["RoleArn"] = spec["role_arn"]
        if spec.get("input_transformer") is not None:
            target["InputTransformer"] = spec["input_transformer"]
        if spec.get("input") is not None:
            target["Input"] = spec["input"] if isinstance(spec["input"], str) else json.dumps(spec["input"])
        return target

    def seed_event_rule(self, r: dict) -> None:
        """An EventBridge rule on the default bus (see event_rules[] in SPEC FORMAT)."""
        region = self.region(r)
        events = self.client("events", region)
        pattern = r["pattern"] if isinstance(r["pattern"], str) else json.dumps(r["pattern"])
        arn = events.put_rule(Name=r["name"], EventPattern=pattern, State=r.get("state") or "ENABLED")["RuleArn"]
        targets = [self.event_target(t, i, region) for i, t in enumerate(r.get("targets") or [])]
        if targets:
            events.put_targets(Rule=r["name"], Targets=targets)
        self.created["event_rules"].append({"region": region, "arn": arn, "targets": targets})

    def ensure_organization(self, org_api: Any, feature_set: str) -> dict:
        try:
            return org_api.create_organization(FeatureSet=feature_set)["Organization"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "AlreadyInOrganizationException":
                raise
        org = org_api.describe_organization()["Organization"]
        if org["MasterAccountId"] != self.account:
            raise SystemExit(
                f"seed: account {self.account} is already a member of organization {org['Id']} "
                f"(management account {org['MasterAccountId']})"
            )
        return org

    def seed_organization(self, o: dict) -> None:
        org_api = self.client("organizations", "us-east-1")
        org = self.ensure_organization(org_api, o.get("feature_set") or "ALL")
        listed = org_api.list_accounts()["Accounts"]
        existing = {a["Email"]: a["Id"] for a in listed}
        suspended = {a["Id"] for a in listed if a.get("Status") == "SUSPENDED"}
        accounts: dict[str, str] = {}
        for m in o.get("members") or []:
            key = m.get("key") or m["name"]
            if m["email"] in existing:
                accounts[key] = existing[m["email"]]
                continue
            status = org_api.create_account(AccountName=m["name"], Email=m["email"])["CreateAccountStatus"]
            if status.get("State") != "SUCCEEDED" or not status.get("AccountId"):
                raise SystemExit(f"seed: create_account {m['name']}: {status}")
            accounts[key] = status["AccountId"]
        closed = list(o.get("close") or [])
        for key in closed:
            if key not in accounts:
                raise SystemExit(f"seed: organization.close names {key!r}, not a member key {sorted(accounts)}")
            if accounts[key] not in suspended:
                org_api.close_account(AccountId=accounts[key])
        self.created["organization"] = {
            "id": org["Id"], "arn": org["Arn"], "management_account": org["MasterAccountId"],
            "feature_set": org.get("FeatureSet"), "accounts": accounts, "closed": closed,
        }

    def seed_securityhub(self, h: dict) -> None:
        for region in h.get("regions") or [self.default_region]:
            self.client("securityhub", region).enable_security_hub(
                EnableDefaultStandards=bool(h.get("default_standards", True))
            )
            self.created["securityhub"].append(region)

    def run(self) -> dict:
        if self.spec.get("organization") is not None:
            self.seed_organization(self.spec["organization"])
        for b in self.spec.get("buckets") or []:
            self.ensure_bucket(b["name"], self.region(b))
        for g in self.spec.get("log_groups") or []:
            self.ensure_log_group(g["name"], self.region(g), g.get("retention_days"))
        for k in self.spec.get("kms_keys") or []:
            self.seed_kms_key(k)
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
        if self.spec.get("securityhub") is not None:
            self.seed_securityhub(self.spec["securityhub"])
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
    for name, k in created.get("kms_keys", {}).items():
        lines.append(f"  kms     {name}: {k['arn']}" + (f" ({k['alias']})" if k["alias"] else ""))
    for ts in created.get("topic_settings", []):
        lines.append(
            f"  topic   {ts['topic']}: policy {'set' if ts['policy'] else 'default'}, "
            f"KmsMasterKeyId {ts['kms_master_key_id'] or '(none)'}"
        )
    for r in created.get("event_rules", []):
        lines.append(f"  rule    {r['arn']} -> {', '.join(t['Arn'] for t in r['targets']) or '(no targets)'}")
    org = created.get("organization")
    if org:
        members = ", ".join(
            f"{k}={v}" + (" (closed)" if k in org["closed"] else "") for k, v in org["accounts"].items()
        )
        lines.append(f"  org     {org['id']} (management {org['management_account']}): {members or 'no members'}")
    if created.get("securityhub"):
        lines.append(f"  sechub  enabled in {', '.join(created['securityhub'])}")
    return "\n".join(lines)


def resolve_account(spec: dict, keys: dict[str, str]) -> dict:
    """"account": "@KEY" -> the member id an earlier organization created under KEY."""
    account = str(spec.get("account") or "")
    if not account.startswith("@"):
        return spec
    if account[1:] not in keys:
        raise SystemExit(f"seed: account {account!r}: no organization member has key {account[1:]!r} "
                         f"(known: {sorted(keys)})")
    return {**spec, "account": keys[account[1:]]}


def seed_all(endpoint: str, specs: list[dict]) -> list[dict]:
    keys: dict[str, str] = {}
    results = []
    for spec in specs:
        created = Seeder(endpoint, resolve_account(spec, keys)).run()
        keys.update((created.get("organization") or {}).get("accounts") or {})
        results.append(created)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Seed the cis-audit emulator with one or more accounts' resources.")
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
    specs = spec if isinstance(spec, list) else [spec]
    if not all(isinstance(x, dict) for x in specs):
        print("seed: bad spec: expected a JSON object or an array of objects", file=sys.stderr)
        return 2
    try:
        results = seed_all(args.endpoint, specs)
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
    if args.json:
        print(json.dumps(results if isinstance(spec, list) else results[0], indent=2))
    else:
        print("\n".join(summary(created) for created in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

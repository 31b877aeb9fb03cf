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
bucket name or policy document (KMS key, topic, bucket, IAM) is replaced by the
account id (bucket names are global in S3 and in moto); "{region}" in a policy
by the item's region, "{topic_arn}" in a topic policy by the topic's ARN,
"{bucket}" in a bucket policy by the bucket's name.

The spec may also be a JSON ARRAY of specs, seeded in order, each as its own
account. There "account": "@KEY" names the member account that an earlier
spec's organization created under that key; --json then prints an array of
results, one per spec. Without arrays: seed the organization, read the member
ids from its --json output (organization.accounts), then seed each member.

--json output: {"account", "buckets", "log_groups", "trails", "metric_filters",
"topics", "subscriptions", "alarms", "config", "event_rules", "topic_settings",
"queues": {NAME: {"arn", "url", "region", "policy", "kms_master_key_id"}},
"kms_keys": {NAME: {"key_id", "arn", "region", "alias", "spec", "origin", "state",
"rotation", "aws_managed"}},
"organization": {"id", "arn", "management_account", "feature_set",
"accounts": {KEY: ACCOUNT_ID}, "closed": [KEY...], "ous": {PATH: OU_ID}} (only with an
organization),
"securityhub": [REGION...],
"bucket_settings": {BUCKET: {"acl", "policy", "versioning", "mfa_delete",
"public_access_block", "logging"}}, "s3_account_public_access_block": {...} (if set),
"iam": {"users": {NAME: {"arn", "access_keys": [ACCESS_KEY_ID...], "mfa_serial"}},
"groups"/"policies"/"roles": {NAME: ARN}, "server_certificates": {NAME: {"arn",
"expired", "expiration"}}, "password_policy", "root"},
"ec2": {REGION: {"vpcs": {NAME: VPC_ID} ("default" = the default VPC),
"security_groups": {NAME: GROUP_ID} ("default" = the default VPC's default group),
"network_acls": {NAME: ACL_ID} ("default" once an entry went into it),
"instances": {NAME: INSTANCE_ID}, "peering": [{"id", "from_vpc", "to_vpc",
"routes"}], "flow_logs": [{"id", "vpc", "vpc_id", "traffic", "destination"}],
"ebs_encryption_by_default": true/false/null}},
"rds": {REGION: {"instances": {ID: ARN}, "clusters": {ID: ARN}}},
"efs": {REGION: {NAME: FILE_SYSTEM_ID}},
"accessanalyzer": [{"region", "name", "arn", "type", "status"}],
"contacts": ["SECURITY", ...]}.

SPEC FORMAT (defaults in brackets)
  account            "123456789012"
  region             default region for every item ["us-east-1"]
  buckets[]          {region, name,
                      acl [none; a canned ACL such as "public-read"],
                      policy [none; a JSON object or text; {account}, {region}, {bucket}],
                      versioning [none = never configured; "Enabled" | "Suspended"],
                      mfa_delete [none = never configured; true | false: PutBucketVersioning
                                  with MFADelete Enabled/Disabled and an x-amz-mfa header
                                  (versioning then defaults to "Enabled"); the emulator
                                  reports it as GetBucketVersioning MFADelete],
                      public_access_block [none; true / false for all four, or
                                           {block_public_acls, ignore_public_acls,
                                            block_public_policy, restrict_public_buckets}
                                           (each [false]); put after acl and policy],
                      logging [none; {target_bucket ["access-logs-{account}"; created in the
                               bucket's region if missing], prefix ["<bucket>/"]}: the target
                               gets AWS's S3ServerAccessLogsPolicy statement (Allow
                               logging.s3.amazonaws.com s3:PutObject) first in its policy]}
                     (all buckets are created first, then their settings, then logging)
  s3_account_public_access_block
                     [none; true / false, or the four booleans as in buckets[]]: account-level
                     Block Public Access (s3control PutPublicAccessBlock)
  log_groups[]       {region, name, retention_days [none]}
  trails[]           {name, region (home) , bucket [cloudtrail-{account}, created if missing],
                      bucket_owner [none; an account id: the bucket is that account's (seed it
                                    there first; "{account}" in bucket is that id), not created],
                      multi_region [true], include_global [true], logging [true],
                      log_group [none; created in the home region if missing],
                      log_group_arn [arn:aws:logs:<home>:<account>:log-group:<log_group>:*; set to
                                     point at any other account/region],
                      cw_role_arn [arn:aws:iam::<account>:role/CloudTrail_CloudWatchLogs_Role when a
                                   log group is set],
                      event_selectors [none = moto default], advanced_event_selectors [none],
                      organization [false],
                      log_file_validation [false],
                      kms_key [none; a kms_keys[] name (its key ARN is set), an ARN or an alias],
                      cw_delivery_age_seconds [none = the emulator default, a few minutes ago;
                                               GetTrailStatus reports LatestCloudWatchLogsDeliveryTime
                                               = now - N], cw_never_delivered [false; no delivery
                                               time at all], cw_delivery_error [none; sets
                                               LatestCloudWatchLogsDeliveryError]}
                     (the cw_* keys call POST /_harness/cloudtrail/delivery for the trail)
  metric_filters[]   {region, log_group, name, pattern, metric_name, namespace ["CISBenchmark"],
                      metric_value ["1"], default_value [none]}
  kms_keys[]         {region, name (a label for topics[].kms_key, trails[].kms_key and --json),
                      policy [the AWS default key policy: the account root may kms:*; a JSON
                              object or text], description [none], alias [none; "alias/NAME"],
                      spec ["SYMMETRIC_DEFAULT"; e.g. "RSA_2048", "ECC_NIST_P256", "HMAC_256"],
                      usage [from spec: ENCRYPT_DECRYPT; HMAC_* GENERATE_VERIFY_MAC; ECC_* SIGN_VERIFY],
                      origin ["AWS_KMS"; "EXTERNAL" = imported key material],
                      rotation [false; true, or a RotationPeriodInDays number (90..2560)],
                      state ["Enabled"; "Disabled", "PendingDeletion" (ScheduleKeyDeletion of
                             deletion_days [30])],
                      aws_managed [false; true: KeyManager "AWS" in DescribeKey and rotation
                                   always on (POST /_harness/kms/key); alias may then be
                                   "alias/aws/<service>", which CreateAlias refuses customers]}
                     (created before trails and topics; rotation is enabled before the state
                      changes; as in AWS, rotation on an asymmetric, HMAC, EXTERNAL or
                      AWS-managed key fails with UnsupportedOperationException)
  queues[]           {region, name, policy [none = no queue policy (SNS cannot send to it); a JSON
                              object or text; {account}, {region}, {queue_arn}],
                      kms_key [none; set as KmsMasterKeyId: an alias such as "alias/aws/sqs", a
                               key ARN, or a kms_keys[] name]}
                     (SQS CreateQueue, before topics: an "sqs" subscription's endpoint is the
                      queue ARN arn:aws:sqs:<region>:<account>:<name>)
  topics[]           {region, name, subscriptions: [{protocol, endpoint, confirm [false],
                                      filter_policy [none; a JSON object or text],
                                      filter_policy_scope [none = MessageAttributes; "MessageBody"],
                                      raw [false: RawMessageDelivery]}],
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
                      dimensions [[]], treat_missing_data [none = missing; "breaching",
                      "notBreaching", "ignore"], datapoints_to_alarm [none]}
  config[]           {region, recorder ["default"], role_arn [arn:aws:iam::<account>:role/config],
                      all_supported [true], include_global [true], resource_types [[]],
                      delivery_channel [{"name": "default", "bucket": "config-{account}"}; null = none],
                      recording [true]}
  event_rules[]      {region, name, pattern (object or JSON text), state ["ENABLED"],
                      targets: [topic name or ARN, or {arn | topic (a topic name), id ["t<i>"],
                                role_arn [none], input_transformer [none; {"InputPathsMap": {...},
                                "InputTemplate": "..."}], input [none; constant JSON text]}]}
  history            {metrics: [{region, namespace ["CISBenchmark"], name, dimensions [{}; e.g.
                               {"TopicName": "cis-alarms"}], values: [[age_hours, value], ...]}]
                               (PutMetricData, timestamped now - age_hours: the filter's metric,
                               AWS/SNS NumberOfNotificationsDelivered / -Failed, AWS/Events
                               TriggeredRules / Invocations / FailedInvocations),
                      alarms: [{region, alarm, items: [{type ["StateUpdate"; "Action"], summary
                               ("Alarm updated from OK to ALARM", "Successfully executed action
                               arn:…", "Failed to execute action arn:…"), age_hours [0]}]}]
                               (POST /_harness/cloudwatch/alarm-history)}
                     (seeded last)
  organization       {feature_set ["ALL"], members: [{name, email, key [name],
                                                    ou [none = under the root; a path of OU
                                                        names, "Prod/Web": created if missing,
                                                        the account moved there]}],
                      close: [member keys]}
                     (created first: the spec's account becomes the management account;
                      members get random ids from moto, recorded as organization.accounts.KEY;
                      closed members turn SUSPENDED; a member whose email is already in the
                      organization is reused)
  securityhub        {regions [[region]], default_standards [true]}
                     (EnableSecurityHub in each region)
  iam                {password_policy [none = no policy (NoSuchEntity); {min_length [8], reuse
                                       [none], uppercase, lowercase, numbers, symbols [false],
                                       max_age [none = passwords never expire],
                                       allow_change [true]}],
                      policies[]: {name, document (JSON object or text),
                                   attach_to [{users, groups, roles}: names]},
                      groups[]: {name, attached_policies [[]], inline_policies [[]]},
                      roles[]: {name, trust [the account itself; a service principal such as
                                "ec2.amazonaws.com", an account id, an ARN, a list of those, or a
                                whole trust document], attached_policies [[]], inline_policies [[]]},
                      users[]: {name, console_password [false], mfa [false; true: a virtual MFA
                                device enabled for the user], groups [[]], attached_policies [[]],
                                inline_policies [[]], access_keys [[]]: [{active [true],
                                age_days [0], last_used_days [none = never], last_used_region
                                ["us-east-1"], last_used_service ["s3"]}],
                                password_last_used_days [none = never],
                                age_days [the oldest of its password/keys ages, else 0],
                                password_age_days [age_days]},
                      server_certificates[]: {name, expired [true; a self-signed certificate
                                              that expired 30 days ago, else one valid for a
                                              year: ListServerCertificates Expiration is its
                                              notAfter]},
                      root [none = no access keys, no MFA, password never used]:
                           {access_keys_active [[false, false]; per key true = Active,
                                                "inactive" = Inactive, false = no key],
                            access_key_age_days [0], access_key_last_used_days [none = never],
                            mfa [false; true = "virtual" (a root virtual MFA device is listed),
                                 "hardware"], password_last_used_days [none = never],
                            password [true; false: no root password (GetAccountSummary
                                      AccountPasswordPresent 0)]},
                      organizations_features [none; a list of "RootCredentialsManagement",
                                              "RootSessions": what ListOrganizationsFeatures
                                              lists when the account manages an organization
                                              (POST /_harness/iam/organizations-features)]}
                     (global; created after securityhub, before ec2. attached_policies and
                      attach_to take a policies[] name, an ARN, or an AWS-managed policy name.
                      Ages go through POST /_harness/iam/user and /_harness/iam/root, which the
                      credential report, ListUsers PasswordLastUsed, ListAccessKeys,
                      GetAccessKeyLastUsed and GetAccountSummary then reflect)
  ec2[]              {region,
                      vpcs[]: {name, cidr ["10.<n>.0.0/16"]} (tagged Name),
                      security_groups[]: {name, vpc ["default" = the region's default VPC, or a
                                          vpcs[] name], description [name], ingress [[]],
                                          egress [[]], revoke_default_egress [false]}
                         rule: {protocol ["tcp"; "udp", "icmp", "-1"/"all", or a number],
                                from / to [tcp/udp: 0..65535, icmp: -1; "port" sets both],
                                description [none], and one of cidr | cidr6 | prefix_list (a pl-
                                id or a prefix list name, e.g. "com.amazonaws.us-east-1.s3") |
                                group (a security_groups[] name of the same region, "default" =
                                the default group of the rule's VPC, or an sg- id)},
                      default_group: {vpc ["default"; a vpcs[] name; "all" = every VPC of the
                                      region], clear [false; revoke every rule first], ingress
                                      [[]], egress [[]]} (or a list of those). Every default
                                      group already has AWS's rules: all traffic from itself
                                      (the emulator adds it to every default group moto makes)
                                      and all egress,
                      network_acls[]: {name, vpc ["default"]} (new ACLs have AWS's two
                                      rule-32767 deny entries),
                      network_acl_entries[]: {acl ["default" = the default VPC's default ACL, a
                                              network_acls[] name or an acl- id], rule,
                                              protocol ["6"; names map to numbers],
                                              action ["allow"], cidr ["0.0.0.0/0"] | cidr6,
                                              from / to / port [tcp/udp: 0..65535],
                                              egress [false]},
                      flow_logs[]: {vpc ["default"], traffic ["ALL"; "REJECT", "ACCEPT"],
                                    destination ["cloud-watch-logs"; "s3"], log_group
                                    ["vpc-flow-logs"; created], role_arn
                                    [arn:aws:iam::<account>:role/flow-logs], bucket
                                    ["flow-logs-{account}"; created], delivery_failed [false;
                                    true: the log group is not created, so DescribeFlowLogs says
                                    DeliverLogsStatus FAILED, "Access error"]},
                      ebs_encryption_by_default [unset = leave it (AWS default false); true/false],
                      instances[]: {name, vpc ["default"; a vpcs[] name: a subnet is created],
                                    http_tokens ["optional"; "required"], http_endpoint
                                    ["enabled"; "disabled"], instance_profile [none; a name,
                                    created if missing with the iam.roles[] role of that name],
                                    security_groups [the VPC's default group, as AWS; names]},
                      peering[]: {from_vpc, to_vpc, accept [true], routes [[]]: [{vpc
                                  [from_vpc], destination [the other VPC's CIDR]}] (in the
                                  VPC's main route table)},
                      vpc_endpoints[]: {vpc ["default"], service ["s3": com.amazonaws.<region>.s3],
                                        type ["Gateway"; "Interface"]}}
                     (ec2[] items of the same region share names)
  rds[]              {region,
                      instances[]: {id, engine ["mysql"], encrypted [false],
                                    auto_minor_version_upgrade [true], publicly_accessible
                                    [false; always sent: moto omits the field otherwise],
                                    multi_az [false], cluster [none; a clusters[] id: the
                                    instance joins it and inherits its encryption]},
                      clusters[]: {id, engine ["aurora-mysql"], encrypted [false], multi_az
                                   [false], instances [1, 2 when multi_az: "<id>-instance-N",
                                   spread over AZs a, b, c when multi_az (moto's MultiAZ)]}}
  efs[]              {region, file_systems[]: {name, encrypted [false]}}
  accessanalyzer[]   {region, name ["cis-analyzer-<region>"], type ["ACCOUNT"; see
                      CreateAnalyzer], status ["ACTIVE"; "CREATING", "DISABLED", "FAILED" via
                      POST /_harness/accessanalyzer/analyzer], status_reason [none]}
  contacts           {security | billing | operations: {name, email, phone ["+1-555-0100"],
                      title [the type, e.g. "Security"]}} (account:PutAlternateContact)
"""
from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import re
import sys
from typing import Any, Callable

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


def key_usage_for(spec: str) -> str:
    """The KeyUsage a key spec implies when kms_keys[].usage is not given."""
    if spec.startswith("HMAC_"):
        return "GENERATE_VERIFY_MAC"
    if spec.startswith("ECC_") or spec == "SM2":
        return "SIGN_VERIFY"
    return "ENCRYPT_DECRYPT"


NACL_PROTOCOLS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
PAB_KEYS = {
    "block_public_acls": "BlockPublicAcls", "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy", "restrict_public_buckets": "RestrictPublicBuckets",
}


def public_access_block(conf: Any) -> dict:
    """true/false (all four) or {block_public_acls, ...} (AWS's names work too) -> the config."""
    if isinstance(conf, bool):
        return {v: conf for v in PAB_KEYS.values()}
    out = {v: False for v in PAB_KEYS.values()}
    for k, v in conf.items():
        name = PAB_KEYS.get(k, k)
        if name not in out:
            raise SystemExit(f"seed: unknown public access block setting {k!r} (use {sorted(PAB_KEYS)})")
        out[name] = bool(v)
    return out


def self_signed_certificate(name: str, expired: bool) -> tuple[str, str]:
    """A PEM certificate (and its key) for CN=name: expired 30 days ago, or valid for a year."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.timezone.utc)
    start, end = (now - dt.timedelta(days=400), now - dt.timedelta(days=30)) if expired else (
        now - dt.timedelta(days=30), now + dt.timedelta(days=365))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name}.example.com")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key.decode()


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

    Also (the demo_extras): both trails validate their log files but neither is
    KMS-encrypted; a rotated and an unrotated customer key; Security Hub in
    us-east-1 only; EBS default encryption on except in eu-central-1; VPC flow
    logs on us-east-1's default VPC only; SSH open to the world in a us-east-1
    group; RDP from anywhere in eu-central-1's default NACL; every default
    security group keeps AWS's default rules; a password policy of length 8
    (reuse 24); an IAM user with a console password and no MFA next to one with
    MFA, and an access key 200 days old; a support role; root with virtual MFA
    and no access keys; a bucket with a TLS-only policy next to the trail and
    config buckets without one; account-level S3 Block Public Access.
    """
    a = account
    spec = {
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
        "queues": [
            {
                "region": "us-east-1",
                "name": "cis-alarm-archive",
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": "SecurityAlarmsTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": "{queue_arn}",
                        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:{region}:{account}:cis-security-alarms"}},
                    }],
                },
            }
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
    for trail in spec["trails"]:
        trail["log_file_validation"] = True
    spec["buckets"].append({
        "region": "us-east-1", "name": "cis-demo-app-data-{account}", "versioning": "Enabled",
        "public_access_block": True,
        "policy": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::{bucket}", "arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
    })
    spec.update(demo_extras(a))
    return spec


def demo_extras(account: str) -> dict:
    """The demo's EC2, KMS, IAM, S3 account and Security Hub resources (see demo_spec)."""
    return {
        "s3_account_public_access_block": True,
        "kms_keys": [
            {"region": "us-east-1", "name": "cis-demo-app-data", "alias": "alias/cis-demo-app-data",
             "description": "application data", "rotation": True},
            {"region": "eu-west-1", "name": "cis-demo-legacy-exports", "alias": "alias/cis-demo-legacy-exports",
             "description": "legacy exports (rotation never enabled)"},
        ],
        "securityhub": {"regions": ["us-east-1"]},
        "iam": {
            "password_policy": {"min_length": 8, "reuse": 24, "uppercase": True, "lowercase": True,
                                "numbers": True, "symbols": True},
            "groups": [{"name": "cis-demo-developers", "attached_policies": ["ReadOnlyAccess"]}],
            "roles": [{"name": "cis-demo-support", "trust": account, "attached_policies": ["AWSSupportAccess"]}],
            "users": [
                {"name": "cis-demo-admin", "console_password": True, "mfa": True, "groups": ["cis-demo-developers"],
                 "age_days": 400, "password_last_used_days": 1},
                {"name": "cis-demo-analyst", "console_password": True, "groups": ["cis-demo-developers"],
                 "age_days": 60, "password_last_used_days": 10},
                {"name": "cis-demo-ci", "groups": ["cis-demo-developers"],
                 "access_keys": [{"age_days": 200, "last_used_days": 1, "last_used_service": "s3"}]},
            ],
            "root": {"mfa": "virtual", "access_keys_active": [False, False], "password_last_used_days": 40},
        },
        "ec2": [
            {"region": "us-east-1", "ebs_encryption_by_default": True,
             "security_groups": [{"name": "legacy-bastion-ssh", "description": "bastion (legacy)",
                                  "ingress": [{"port": 22, "cidr": "0.0.0.0/0", "description": "ssh from anywhere"}]}],
             "flow_logs": [{"vpc": "default", "traffic": "ALL", "log_group": "cis-demo-vpc-flow-logs"}]},
            {"region": "eu-west-1", "ebs_encryption_by_default": True},
            {"region": "eu-central-1",
             "network_acl_entries": [{"acl": "default", "rule": 50, "protocol": "tcp", "port": 3389,
                                      "cidr": "0.0.0.0/0", "action": "allow"}]},
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
            "event_rules": [], "topic_settings": [], "kms_keys": {}, "securityhub": [], "queues": {},
            "bucket_settings": {}, "ec2": {}, "rds": {}, "efs": {}, "accessanalyzer": [], "contacts": [],
            "iam": {"users": {}, "groups": {}, "policies": {}, "roles": {}, "server_certificates": {},
                    "password_policy": None, "root": None},
        }
        self._aws_policies: dict | None = None
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
        if t.get("bucket_owner"):
            # Another account's bucket (seeded there first): used as named, never created here.
            bucket = (t.get("bucket") or "cloudtrail-{account}").replace("{account}", str(t["bucket_owner"]))
        else:
            bucket = self.ensure_bucket(t.get("bucket") or "cloudtrail-{account}", home)
        kwargs: dict = {
            "Name": t["name"],
            "S3BucketName": bucket,
            "IsMultiRegionTrail": bool(t.get("multi_region", True)),
            "IncludeGlobalServiceEvents": bool(t.get("include_global", True)),
        }
        if t.get("organization"):
            kwargs["IsOrganizationTrail"] = True
        if t.get("log_file_validation"):
            kwargs["EnableLogFileValidation"] = True
        if t.get("kms_key"):
            kwargs["KmsKeyId"] = self.kms_key_id(t["kms_key"])
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
             "logging": bool(t.get("logging", True)), "log_group_arn": lg_arn,
             "log_file_validation": bool(kwargs.get("EnableLogFileValidation")),
             "kms_key_id": kwargs.get("KmsKeyId")}
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
                    **({"defaultValue": float(f["default_value"])} if f.get("default_value") is not None else {}),
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
            settings: dict = {}
            if s.get("filter_policy_scope"):  # first: a nested policy needs MessageBody
                settings["FilterPolicyScope"] = s["filter_policy_scope"]
            if s.get("filter_policy") is not None:
                fp = s["filter_policy"]
                settings["FilterPolicy"] = fp if isinstance(fp, str) else json.dumps(fp)
            if s.get("raw"):
                settings["RawMessageDelivery"] = "true"
            for name, value in settings.items():
                sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName=name, AttributeValue=value)
            self.created["subscriptions"].append(
                {"topic": arn, "protocol": proto, "endpoint": endpoint, "arn": sub_arn, "state": state}
            )

    def kms_key_id(self, ref: str) -> str:
        """topics[].kms_key / trails[].kms_key: a kms_keys[] name becomes its key ARN."""
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

    def seed_queue(self, q: dict) -> None:
        region = self.region(q)
        arn = f"arn:aws:sqs:{region}:{self.account}:{q['name']}"
        attrs: dict = {}
        if q.get("policy") is not None:
            attrs["Policy"] = self.policy_text(q["policy"], region, queue_arn=arn)
        if q.get("kms_key"):
            attrs["KmsMasterKeyId"] = self.kms_key_id(q["kms_key"])
        url = self.client("sqs", region).create_queue(QueueName=q["name"], Attributes=attrs)["QueueUrl"]
        self.created["queues"][q["name"]] = {"arn": arn, "url": url, "region": region,
                                             "policy": "Policy" in attrs,
                                             "kms_master_key_id": attrs.get("KmsMasterKeyId")}

    def seed_kms_key(self, k: dict) -> None:
        region = self.region(k)
        if k["name"] in self.created["kms_keys"]:
            raise SystemExit(f"seed: two kms_keys[] entries are named {k['name']!r}")
        kms = self.client("kms", region)
        policy = k.get("policy") if k.get("policy") is not None else default_key_policy(self.account)
        kwargs: dict = {"Policy": self.policy_text(policy, region)}
        if k.get("description"):
            kwargs["Description"] = k["description"]
        spec = k.get("spec") or "SYMMETRIC_DEFAULT"
        kwargs["KeySpec"] = spec
        kwargs["KeyUsage"] = k.get("usage") or key_usage_for(spec)
        origin = k.get("origin") or "AWS_KMS"
        if origin != "AWS_KMS":
            kwargs["Origin"] = origin
        meta = kms.create_key(**kwargs)["KeyMetadata"]
        key_id = meta["KeyId"]
        alias = k.get("alias")
        aws_managed = bool(k.get("aws_managed", False))
        if alias and not (aws_managed and alias.startswith("alias/aws/")):
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
        rotation = k.get("rotation", False)
        if rotation:  # before Disable / ScheduleKeyDeletion, as an operator would have done it
            rot: dict = {"KeyId": key_id}
            if not isinstance(rotation, bool):
                rot["RotationPeriodInDays"] = int(rotation)
            kms.enable_key_rotation(**rot)
        if aws_managed:  # the harness also creates an alias/aws/* alias, which KMS refuses a customer
            body = {"account_id": self.account, "region": region, "key_id": key_id, "key_manager": "AWS"}
            if alias and alias.startswith("alias/aws/"):
                body["alias"] = alias
            self.harness("/_harness/kms/key", body)
        state = k.get("state") or "Enabled"
        if state == "Disabled":
            kms.disable_key(KeyId=key_id)
        elif state == "PendingDeletion":
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=int(k.get("deletion_days", 30)))
        elif state != "Enabled":
            raise SystemExit(f"seed: kms_keys[{k['name']}].state {state!r}: use Enabled, Disabled or PendingDeletion")
        self.created["kms_keys"][k["name"]] = {
            "key_id": key_id, "arn": meta["Arn"], "region": region, "alias": alias,
            "spec": spec, "origin": origin, "state": state, "rotation": bool(rotation),
            "aws_managed": aws_managed,
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
            **({"TreatMissingData": a["treat_missing_data"]} if a.get("treat_missing_data") else {}),
            **({"DatapointsToAlarm": int(a["datapoints_to_alarm"])} if a.get("datapoints_to_alarm") else {}),
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

    def seed_history(self, h: dict) -> None:
        """history: the account's own record of its chains (see SPEC FORMAT)."""
        now = dt.datetime.now(dt.timezone.utc)
        for m in h.get("metrics") or []:
            region = self.region(m)
            data = []
            for age_hours, value in m.get("values") or []:
                datum = {"MetricName": m["name"], "Value": float(value),
                         "Timestamp": now - dt.timedelta(hours=float(age_hours))}
                if m.get("dimensions"):
                    datum["Dimensions"] = [{"Name": k, "Value": v} for k, v in m["dimensions"].items()]
                data.append(datum)
            if data:
                self.client("cloudwatch", region).put_metric_data(
                    Namespace=m.get("namespace") or "CISBenchmark", MetricData=data)
        for a in h.get("alarms") or []:
            self.harness("/_harness/cloudwatch/alarm-history",
                         {"account_id": self.account, "region": self.region(a), "alarm": a["alarm"],
                          "items": a.get("items") or []})

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
        ous = self.seed_ous(org_api, o.get("members") or [], accounts)
        closed = list(o.get("close") or [])
        for key in closed:
            if key not in accounts:
                raise SystemExit(f"seed: organization.close names {key!r}, not a member key {sorted(accounts)}")
            if accounts[key] not in suspended:
                org_api.close_account(AccountId=accounts[key])
        self.created["organization"] = {
            "id": org["Id"], "arn": org["Arn"], "management_account": org["MasterAccountId"],
            "feature_set": org.get("FeatureSet"), "accounts": accounts, "closed": closed, "ous": ous,
        }

    def seed_ous(self, org_api: Any, members: list, accounts: dict[str, str]) -> dict[str, str]:
        """Each member's "ou" path ("Prod/Web"): its OUs created under the root (or found), the
        account moved there. Returns {path: OU id}."""
        root = org_api.list_roots()["Roots"][0]["Id"]
        ids: dict[str, str] = {}

        def ensure(path: str) -> str:
            if path in ids:
                return ids[path]
            parent_path, _, name = path.rpartition("/")
            parent = ensure(parent_path) if parent_path else root
            found = [u for u in org_api.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]
                     if u["Name"] == name]
            ids[path] = found[0]["Id"] if found else \
                org_api.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
            return ids[path]

        for m in members:
            path = (m.get("ou") or "").strip("/")
            if not path:
                continue
            account = accounts[m.get("key") or m["name"]]
            target = ensure(path)
            source = org_api.list_parents(ChildId=account)["Parents"][0]["Id"]
            if source != target:
                org_api.move_account(AccountId=account, SourceParentId=source, DestinationParentId=target)
        return ids

    # -- S3 ------------------------------------------------------------------
    def s3control(self) -> Any:
        """An S3 Control client that reaches the emulator: the endpoint ruleset puts the account id
        in front of the host ({account}.127.0.0.1), which does not resolve, so strip it again."""
        if "s3control" not in self._clients:
            c = self.session.client("s3control", region_name="us-east-1", endpoint_url=self.endpoint,
                                    config=self.config)

            def strip_account_host(request: Any, **_: Any) -> None:
                request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)

            c.meta.events.register("before-sign.s3-control", strip_account_host)
            self._clients["s3control"] = c
        return self._clients["s3control"]

    def seed_bucket_settings(self, b: dict) -> None:
        """acl, policy, versioning / mfa_delete, then public_access_block (last, as an account
        that blocked public access after the fact)."""
        region = self.region(b)
        name = self.bucket_name(b["name"])
        s3 = self.client("s3", region)
        settings: dict = {}
        if b.get("acl"):
            s3.put_bucket_acl(Bucket=name, ACL=b["acl"])
            settings["acl"] = b["acl"]
        if b.get("policy") is not None:
            s3.put_bucket_policy(Bucket=name, Policy=self.policy_text(b["policy"], region, bucket=name))
            settings["policy"] = True
        mfa_delete = b.get("mfa_delete")
        if b.get("versioning") or mfa_delete is not None:
            conf: dict = {"Status": b.get("versioning") or "Enabled"}
            kwargs: dict = {}
            if mfa_delete is not None:
                conf["MFADelete"] = "Enabled" if mfa_delete else "Disabled"
                kwargs["MFA"] = f"arn:aws:iam::{self.account}:mfa/root-account-mfa-device 123456"
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=conf, **kwargs)
            settings["versioning"] = conf["Status"]
            settings["mfa_delete"] = conf.get("MFADelete")
        if b.get("public_access_block") is not None:
            conf = public_access_block(b["public_access_block"])
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=conf)
            settings["public_access_block"] = conf
        if settings:
            self.created["bucket_settings"][name] = settings

    def grant_log_delivery(self, target: str, region: str, prefix: str) -> None:
        """Let the S3 logging service write into `target` (AWS's recommended bucket policy
        statement, put first in the target's policy; moto checks for it as AWS does)."""
        s3 = self.client("s3", region)
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=target)["Policy"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchBucketPolicy":
                raise
            policy = {"Version": "2012-10-17", "Statement": []}
        statements = policy.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        if any(st.get("Sid") == "S3ServerAccessLogsPolicy" for st in statements):
            return
        statements.insert(0, {
            "Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
            "Resource": f"arn:aws:s3:::{target}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": self.account}},
        })
        policy["Statement"] = statements
        s3.put_bucket_policy(Bucket=target, Policy=json.dumps(policy))

    def seed_bucket_logging(self, b: dict) -> None:
        region = self.region(b)
        name = self.bucket_name(b["name"])
        lg = b["logging"]
        target = self.ensure_bucket(lg.get("target_bucket") or "access-logs-{account}", region)
        prefix = lg.get("prefix", f"{name}/")
        self.grant_log_delivery(target, region, prefix)
        self.client("s3", region).put_bucket_logging(
            Bucket=name,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}},
        )
        self.created["bucket_settings"].setdefault(name, {})["logging"] = {"target_bucket": target, "prefix": prefix}

    def seed_account_public_access_block(self, conf: Any) -> None:
        c = public_access_block(conf)
        self.s3control().put_public_access_block(AccountId=self.account, PublicAccessBlockConfiguration=c)
        self.created["s3_account_public_access_block"] = c

    # -- IAM -----------------------------------------------------------------
    def iam_policy_arn(self, ref: str) -> str:
        """A managed policy reference: an ARN, a policies[] name, or an AWS-managed policy name."""
        if ref.startswith("arn:"):
            return ref
        local = self.created["iam"]["policies"].get(ref)
        if local:
            return local
        if self._aws_policies is None:
            iam = self.client("iam", "us-east-1")
            self._aws_policies = {}
            for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
                self._aws_policies.update({p["PolicyName"]: p["Arn"] for p in page["Policies"]})
        return self._aws_policies.get(ref) or f"arn:aws:iam::aws:policy/{ref}"

    def trust_policy(self, trust: Any) -> str:
        """roles[].trust: a service principal, an account id, an ARN, or a whole document."""
        if isinstance(trust, dict):
            return self.policy_text(trust, "us-east-1")
        principals = []
        for t in trust if isinstance(trust, list) else [trust or self.account]:
            t = str(t).replace("{account}", self.account)
            if re.fullmatch(r"\d{12}", t):
                principals.append(("AWS", f"arn:aws:iam::{t}:root"))
            elif t.startswith("arn:"):
                principals.append(("AWS", t))
            else:
                principals.append(("Service", t))
        principal: dict = {}
        for kind, value in principals:
            principal.setdefault(kind, []).append(value)
        principal = {k: v[0] if len(v) == 1 else v for k, v in principal.items()}
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})

    def seed_iam(self, spec: dict) -> None:
        iam = self.client("iam", "us-east-1")
        out = self.created["iam"]
        pp = spec.get("password_policy")
        if pp is not None:
            kw: dict = {
                "MinimumPasswordLength": int(pp.get("min_length", 8)),
                "RequireUppercaseCharacters": bool(pp.get("uppercase", False)),
                "RequireLowercaseCharacters": bool(pp.get("lowercase", False)),
                "RequireNumbers": bool(pp.get("numbers", False)),
                "RequireSymbols": bool(pp.get("symbols", False)),
                "AllowUsersToChangePassword": bool(pp.get("allow_change", True)),
            }
            if pp.get("reuse"):
                kw["PasswordReusePrevention"] = int(pp["reuse"])
            if pp.get("max_age"):
                kw["MaxPasswordAge"] = int(pp["max_age"])
            iam.update_account_password_policy(**kw)
            out["password_policy"] = kw
        for p in spec.get("policies") or []:
            doc = self.policy_text(p["document"], "us-east-1")
            out["policies"][p["name"]] = iam.create_policy(PolicyName=p["name"], PolicyDocument=doc)["Policy"]["Arn"]

        def inline(put: Callable[..., Any], key: str, name: str, policies: list) -> None:
            for ip in policies or []:
                put(**{key: name}, PolicyName=ip["name"],
                    PolicyDocument=self.policy_text(ip["document"], "us-east-1"))

        for g in spec.get("groups") or []:
            out["groups"][g["name"]] = iam.create_group(GroupName=g["name"])["Group"]["Arn"]
            for ref in g.get("attached_policies") or []:
                iam.attach_group_policy(GroupName=g["name"], PolicyArn=self.iam_policy_arn(ref))
            inline(iam.put_group_policy, "GroupName", g["name"], g.get("inline_policies"))
        for r in spec.get("roles") or []:
            out["roles"][r["name"]] = iam.create_role(
                RoleName=r["name"], AssumeRolePolicyDocument=self.trust_policy(r.get("trust")))["Role"]["Arn"]
            for ref in r.get("attached_policies") or []:
                iam.attach_role_policy(RoleName=r["name"], PolicyArn=self.iam_policy_arn(ref))
            inline(iam.put_role_policy, "RoleName", r["name"], r.get("inline_policies"))
        for u in spec.get("users") or []:
            self.seed_iam_user(iam, u)
        for p in spec.get("policies") or []:
            targets = p.get("attach_to") or {}
            arn = out["policies"][p["name"]]
            for user in targets.get("users") or []:
                iam.attach_user_policy(UserName=user, PolicyArn=arn)
            for group in targets.get("groups") or []:
                iam.attach_group_policy(GroupName=group, PolicyArn=arn)
            for role in targets.get("roles") or []:
                iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        for c in spec.get("server_certificates") or []:
            expired = bool(c.get("expired", True))
            body, key = self_signed_certificate(c["name"], expired)
            meta = iam.upload_server_certificate(
                ServerCertificateName=c["name"], CertificateBody=body, PrivateKey=key)["ServerCertificateMetadata"]
            out["server_certificates"][c["name"]] = {"arn": meta["Arn"], "expired": expired,
                                                      "expiration": str(meta["Expiration"])}
        if spec.get("root") is not None:
            self.harness("/_harness/iam/root", {"account_id": self.account, **spec["root"]})
            out["root"] = spec["root"]
        if spec.get("organizations_features") is not None:
            self.harness("/_harness/iam/organizations-features",
                         {"account_id": self.account, "features": spec["organizations_features"]})

    def seed_iam_user(self, iam: Any, u: dict) -> None:
        name = u["name"]
        rec: dict = {"arn": iam.create_user(UserName=name)["User"]["Arn"], "access_keys": [], "mfa_serial": None}
        if u.get("console_password"):
            iam.create_login_profile(UserName=name, Password=f"Seed-{self.account}-Aa1!")
        if u.get("mfa"):
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
            iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
            rec["mfa_serial"] = serial
        for group in u.get("groups") or []:
            iam.add_user_to_group(GroupName=group, UserName=name)
        for ref in u.get("attached_policies") or []:
            iam.attach_user_policy(UserName=name, PolicyArn=self.iam_policy_arn(ref))
        for ip in u.get("inline_policies") or []:
            iam.put_user_policy(UserName=name, PolicyName=ip["name"],
                                PolicyDocument=self.policy_text(ip["document"], "us-east-1"))
        keys = []
        ages = [float(u.get("password_age_days") or 0), float(u.get("password_last_used_days") or 0)]
        for k in u.get("access_keys") or []:
            key_id = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
            if not k.get("active", True):
                iam.update_access_key(UserName=name, AccessKeyId=key_id, Status="Inactive")
            key: dict = {"access_key_id": key_id, "age_days": k.get("age_days", 0)}
            ages.append(float(k.get("age_days") or 0))
            if k.get("last_used_days") is not None:
                key["last_used_days"] = k["last_used_days"]
                for extra in ("last_used_region", "last_used_service"):
                    if k.get(extra):
                        key[extra] = k[extra]
            keys.append(key)
            rec["access_keys"].append(key_id)
        backdate: dict = {"account_id": self.account, "user": name, "access_keys": keys,
                          "created_days": u.get("age_days", max(ages))}
        if u.get("console_password"):
            backdate["password_changed_days"] = u.get("password_age_days", backdate["created_days"])
        if u.get("password_last_used_days") is not None:
            backdate["password_last_used_days"] = u["password_last_used_days"]
        self.harness("/_harness/iam/user", backdate)
        self.created["iam"]["users"][name] = rec

    # -- EC2 -----------------------------------------------------------------
    def ec2_region(self, region: str) -> dict:
        """Per-region EC2 state: ids by spec name, plus the default VPC's ("default")."""
        rec = self.created["ec2"].get(region)
        if rec is None:
            ec2 = self.client("ec2", region)
            vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
            rec = {"vpcs": {"default": vpc["VpcId"]}, "security_groups": {}, "network_acls": {},
                   "instances": {}, "peering": [], "flow_logs": [], "ebs_encryption_by_default": None,
                   "_cidrs": {"default": vpc["CidrBlock"]}, "_prefix_lists": {}, "_subnets": {}}
            self.created["ec2"][region] = rec
        return rec

    def vpc_id(self, rec: dict, ref: str | None) -> str:
        ref = ref or "default"
        if ref.startswith("vpc-"):
            return ref
        if ref not in rec["vpcs"]:
            raise SystemExit(f"seed: no VPC named {ref!r} (vpcs[] names: {sorted(rec['vpcs'])})")
        return rec["vpcs"][ref]

    def default_group_id(self, region: str, vpc_id: str) -> str:
        groups = self.client("ec2", region).describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        return groups[0]["GroupId"]

    def group_id(self, region: str, rec: dict, ref: str, vpc_id: str | None = None) -> str:
        """A group reference: an sg- id, a security_groups[] name, or "default" (the default
        group of `vpc_id`, else of the default VPC)."""
        if ref.startswith("sg-"):
            return ref
        if ref == "default" and vpc_id:
            return self.default_group_id(region, vpc_id)
        if ref in rec["security_groups"]:
            return rec["security_groups"][ref]
        raise SystemExit(f"seed: no security group named {ref!r} in {region} (known: {sorted(rec['security_groups'])})")

    def prefix_list_id(self, region: str, rec: dict, ref: str) -> str:
        if ref.startswith("pl-"):
            return ref
        if ref not in rec["_prefix_lists"]:
            ec2 = self.client("ec2", region)
            found = ec2.describe_managed_prefix_lists(
                Filters=[{"Name": "prefix-list-name", "Values": [ref]}])["PrefixLists"]
            rec["_prefix_lists"][ref] = found[0]["PrefixListId"] if found else ec2.create_managed_prefix_list(
                PrefixListName=ref, MaxEntries=10, AddressFamily="IPv4")["PrefixList"]["PrefixListId"]
        return rec["_prefix_lists"][ref]

    def ip_permission(self, region: str, rec: dict, rule: dict, vpc_id: str | None = None) -> dict:
        """A security group rule (SPEC FORMAT) -> one IpPermission."""
        proto = str(rule.get("protocol", "tcp")).lower()
        proto = {"all": "-1"}.get(proto, proto)
        perm: dict = {"IpProtocol": proto}
        if proto != "-1":
            icmp = proto in ("icmp", "1", "icmpv6", "58")
            low = rule.get("from", rule.get("port", -1 if icmp else 0))
            high = rule.get("to", rule.get("port", -1 if icmp else 65535) if "from" not in rule else low)
            perm["FromPort"], perm["ToPort"] = int(low), int(high)
        desc = {"Description": rule["description"]} if rule.get("description") else {}
        if rule.get("cidr"):
            perm["IpRanges"] = [{"CidrIp": rule["cidr"], **desc}]
        elif rule.get("cidr6"):
            perm["Ipv6Ranges"] = [{"CidrIpv6": rule["cidr6"], **desc}]
        elif rule.get("prefix_list"):
            perm["PrefixListIds"] = [{"PrefixListId": self.prefix_list_id(region, rec, rule["prefix_list"]), **desc}]
        elif rule.get("group"):
            perm["UserIdGroupPairs"] = [{"GroupId": self.group_id(region, rec, rule["group"], vpc_id), **desc}]
        else:
            raise SystemExit(f"seed: security group rule {rule} needs cidr, cidr6, prefix_list or group")
        return perm

    def add_rules(self, region: str, rec: dict, group_id: str, ingress: list, egress: list, vpc_id: str) -> None:
        ec2 = self.client("ec2", region)
        for rule in ingress or []:
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[self.ip_permission(region, rec, rule, vpc_id)])
        for rule in egress or []:
            ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[self.ip_permission(region, rec, rule, vpc_id)])

    def clear_group(self, region: str, group_id: str, ingress: bool = True, egress: bool = True,
                    only_default_egress: bool = False) -> None:
        ec2 = self.client("ec2", region)
        rules = ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]
        ins = [r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]]
        outs = [r["SecurityGroupRuleId"] for r in rules if r["IsEgress"] and (
            not only_default_egress or (r["IpProtocol"] == "-1" and r.get("CidrIpv4") == "0.0.0.0/0")
            or (r["IpProtocol"] == "-1" and r.get("CidrIpv6") == "::/0"))]
        if ingress and ins:
            ec2.revoke_security_group_ingress(GroupId=group_id, SecurityGroupRuleIds=ins)
        if egress and outs:
            ec2.revoke_security_group_egress(GroupId=group_id, SecurityGroupRuleIds=outs)

    def subnet_for(self, region: str, rec: dict, vpc_ref: str) -> str | None:
        """A subnet of a spec VPC for instances (created once); None = the default VPC's."""
        if vpc_ref == "default":
            return None
        if vpc_ref not in rec["_subnets"]:
            net = ipaddress.ip_network(rec["_cidrs"][vpc_ref])
            cidr = str(next(net.subnets(new_prefix=max(net.prefixlen, 24))))
            rec["_subnets"][vpc_ref] = self.client("ec2", region).create_subnet(
                VpcId=rec["vpcs"][vpc_ref], CidrBlock=cidr)["Subnet"]["SubnetId"]
        return rec["_subnets"][vpc_ref]

    def ensure_instance_profile(self, name: str) -> None:
        iam = self.client("iam", "us-east-1")
        try:
            iam.get_instance_profile(InstanceProfileName=name)
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NoSuchEntity":
                raise
        iam.create_instance_profile(InstanceProfileName=name)
        if name in self.created["iam"]["roles"]:
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)

    def seed_ec2(self, e: dict) -> None:
        region = self.region(e)
        ec2 = self.client("ec2", region)
        rec = self.ec2_region(region)
        tags = lambda kind, name: [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]  # noqa: E731
        for i, v in enumerate(e.get("vpcs") or []):
            cidr = v.get("cidr") or f"10.{(len(rec['vpcs']) + i) % 256}.0.0/16"
            rec["vpcs"][v["name"]] = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=tags("vpc", v["name"]))["Vpc"]["VpcId"]
            rec["_cidrs"][v["name"]] = cidr
        if "default" not in rec["security_groups"]:
            rec["security_groups"]["default"] = self.default_group_id(region, rec["vpcs"]["default"])
        groups = e.get("security_groups") or []
        for g in groups:
            if g["name"] in rec["security_groups"]:
                raise SystemExit(f"seed: two security groups named {g['name']!r} in {region}")
            rec["security_groups"][g["name"]] = ec2.create_security_group(
                GroupName=g["name"], Description=g.get("description") or g["name"],
                VpcId=self.vpc_id(rec, g.get("vpc")))["GroupId"]
        for g in groups:
            gid = rec["security_groups"][g["name"]]
            if g.get("revoke_default_egress"):
                self.clear_group(region, gid, ingress=False, only_default_egress=True)
            self.add_rules(region, rec, gid, g.get("ingress"), g.get("egress"), self.vpc_id(rec, g.get("vpc")))
        dg = e.get("default_group")
        for d in (dg if isinstance(dg, list) else [dg] if dg else []):
            vpc_ref = d.get("vpc") or "default"
            if vpc_ref == "all":  # every VPC of the region, also those the spec did not create
                vpc_ids = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
            else:
                vpc_ids = [self.vpc_id(rec, vpc_ref)]
            for vid in vpc_ids:
                gid = self.default_group_id(region, vid)
                if d.get("clear"):
                    self.clear_group(region, gid)
                self.add_rules(region, rec, gid, d.get("ingress"), d.get("egress"), vid)
        for a in e.get("network_acls") or []:
            rec["network_acls"][a["name"]] = ec2.create_network_acl(
                VpcId=self.vpc_id(rec, a.get("vpc")), TagSpecifications=tags("network-acl", a["name"]))["NetworkAcl"]["NetworkAclId"]
        for n in e.get("network_acl_entries") or []:
            self.seed_nacl_entry(region, rec, n)
        for f in e.get("flow_logs") or []:
            self.seed_flow_log(region, rec, f)
        if e.get("ebs_encryption_by_default") is not None:
            on = bool(e["ebs_encryption_by_default"])
            (ec2.enable_ebs_encryption_by_default if on else ec2.disable_ebs_encryption_by_default)()
            rec["ebs_encryption_by_default"] = on
        for inst in e.get("instances") or []:
            self.seed_instance(region, rec, inst)
        for p in e.get("peering") or []:
            self.seed_peering(region, rec, p)
        for ep in e.get("vpc_endpoints") or []:
            ec2.create_vpc_endpoint(VpcId=self.vpc_id(rec, ep.get("vpc")),
                                    ServiceName=f"com.amazonaws.{region}.{ep.get('service') or 's3'}",
                                    VpcEndpointType=ep.get("type") or "Gateway")

    def nacl_id(self, region: str, rec: dict, ref: str | None) -> str:
        ref = ref or "default"
        if ref.startswith("acl-"):
            return ref
        if ref == "default":
            if "default" not in rec["network_acls"]:
                rec["network_acls"]["default"] = self.client("ec2", region).describe_network_acls(Filters=[
                    {"Name": "vpc-id", "Values": [rec["vpcs"]["default"]]},
                    {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]
            return rec["network_acls"]["default"]
        if ref not in rec["network_acls"]:
            raise SystemExit(f"seed: no network ACL named {ref!r} in {region} (known: {sorted(rec['network_acls'])})")
        return rec["network_acls"][ref]

    def seed_nacl_entry(self, region: str, rec: dict, n: dict) -> None:
        proto = str(n.get("protocol", "6")).lower()
        proto = NACL_PROTOCOLS.get(proto, proto)
        kw: dict = {
            "NetworkAclId": self.nacl_id(region, rec, n.get("acl")), "RuleNumber": int(n["rule"]),
            "Protocol": proto, "RuleAction": n.get("action") or "allow", "Egress": bool(n.get("egress", False)),
        }
        if n.get("cidr6"):
            kw["Ipv6CidrBlock"] = n["cidr6"]
        else:
            kw["CidrBlock"] = n.get("cidr") or "0.0.0.0/0"
        if proto in ("6", "17"):
            low = n.get("from", n.get("port", 0))
            kw["PortRange"] = {"From": int(low), "To": int(n.get("to", n.get("port", low if "from" in n else 65535)))}
        elif proto in ("1", "58"):
            kw["IcmpTypeCode"] = {"Type": -1, "Code": -1}
        self.client("ec2", region).create_network_acl_entry(**kw)

    def seed_flow_log(self, region: str, rec: dict, f: dict) -> None:
        vpc_ref = f.get("vpc") or "default"
        vpc = self.vpc_id(rec, vpc_ref)
        dest = f.get("destination") or "cloud-watch-logs"
        kw: dict = {"ResourceIds": [vpc], "ResourceType": "VPC", "TrafficType": f.get("traffic") or "ALL",
                    "LogDestinationType": dest}
        if dest == "s3":
            bucket = self.ensure_bucket(f.get("bucket") or "flow-logs-{account}", region)
            kw["LogDestination"] = f"arn:aws:s3:::{bucket}"
            target = kw["LogDestination"]
        elif dest == "cloud-watch-logs":
            group = f.get("log_group") or "vpc-flow-logs"
            if not f.get("delivery_failed"):
                self.ensure_log_group(group, region)
            kw["LogGroupName"] = group
            kw["DeliverLogsPermissionArn"] = f.get("role_arn") or f"arn:aws:iam::{self.account}:role/flow-logs"
            target = f"arn:aws:logs:{region}:{self.account}:log-group:{group}"
        else:
            raise SystemExit(f"seed: flow_logs[].destination {dest!r}: use cloud-watch-logs or s3")
        resp = self.client("ec2", region).create_flow_logs(**kw)
        if resp.get("Unsuccessful"):
            raise SystemExit(f"seed: CreateFlowLogs {kw}: {resp['Unsuccessful']}")
        rec["flow_logs"].append({"id": resp["FlowLogIds"][0], "vpc": vpc_ref, "vpc_id": vpc,
                                 "traffic": kw["TrafficType"], "destination": target})

    def seed_instance(self, region: str, rec: dict, inst: dict) -> None:
        vpc_ref = inst.get("vpc") or "default"
        vpc = self.vpc_id(rec, vpc_ref)
        groups = [self.group_id(region, rec, g, vpc) for g in inst.get("security_groups") or []]
        kw: dict = {
            "ImageId": inst.get("image") or "ami-0c02fb55956c7d316", "MinCount": 1, "MaxCount": 1,
            "InstanceType": inst.get("type") or "t3.micro",
            "SecurityGroupIds": groups or [self.default_group_id(region, vpc)],  # AWS: the VPC's default group
            "MetadataOptions": {"HttpTokens": inst.get("http_tokens") or "optional",
                                "HttpEndpoint": inst.get("http_endpoint") or "enabled"},
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": inst["name"]}]}],
        }
        subnet = self.subnet_for(region, rec, vpc_ref)
        if subnet:
            kw["SubnetId"] = subnet
        if inst.get("instance_profile"):
            self.ensure_instance_profile(inst["instance_profile"])
            kw["IamInstanceProfile"] = {"Name": inst["instance_profile"]}
        iid = self.client("ec2", region).run_instances(**kw)["Instances"][0]["InstanceId"]
        rec["instances"][inst["name"]] = iid

    def seed_peering(self, region: str, rec: dict, p: dict) -> None:
        ec2 = self.client("ec2", region)
        a, b = self.vpc_id(rec, p["from_vpc"]), self.vpc_id(rec, p["to_vpc"])
        pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        if p.get("accept", True):
            ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        routes = []
        for r in p.get("routes") or []:
            vpc_ref = r.get("vpc") or p["from_vpc"]
            vid = self.vpc_id(rec, vpc_ref)
            other = p["to_vpc"] if vid == a else p["from_vpc"]
            dest = r.get("destination") or rec["_cidrs"].get(other)
            table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vid]},
                                                       {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
            ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock=dest, VpcPeeringConnectionId=pcx)
            routes.append({"vpc": vpc_ref, "route_table": table["RouteTableId"], "destination": dest})
        rec["peering"].append({"id": pcx, "from_vpc": p["from_vpc"], "to_vpc": p["to_vpc"], "routes": routes})

    # -- RDS, EFS, Access Analyzer, account contacts ---------------------------
    def seed_rds(self, r: dict) -> None:
        region = self.region(r)
        rds = self.client("rds", region)
        rec = self.created["rds"].setdefault(region, {"instances": {}, "clusters": {}})
        azs = [f"{region}{z}" for z in "abc"]
        login = {"MasterUsername": "admin", "MasterUserPassword": f"Seed{self.account}pw"}
        engines: dict = {}
        for c in r.get("clusters") or []:
            engine = c.get("engine") or "aurora-mysql"
            engines[c["id"]] = engine
            rec["clusters"][c["id"]] = rds.create_db_cluster(
                DBClusterIdentifier=c["id"], Engine=engine, StorageEncrypted=bool(c.get("encrypted", False)),
                **login)["DBCluster"]["DBClusterArn"]
            multi = bool(c.get("multi_az", False))
            for i in range(int(c.get("instances", 2 if multi else 1))):
                iid = f"{c['id']}-instance-{i + 1}"
                rec["instances"][iid] = rds.create_db_instance(
                    DBInstanceIdentifier=iid, DBInstanceClass="db.r6g.large", Engine=engine,
                    DBClusterIdentifier=c["id"], AvailabilityZone=azs[i % 3 if multi else 0],
                    PubliclyAccessible=False)["DBInstance"]["DBInstanceArn"]
        for inst in r.get("instances") or []:
            kw: dict = {
                "DBInstanceIdentifier": inst["id"], "PubliclyAccessible": bool(inst.get("publicly_accessible", False)),
                "AutoMinorVersionUpgrade": bool(inst.get("auto_minor_version_upgrade", True)),
            }
            if inst.get("cluster"):
                kw.update(DBClusterIdentifier=inst["cluster"], DBInstanceClass="db.r6g.large",
                          Engine=inst.get("engine") or engines.get(inst["cluster"]) or "aurora-mysql")
            else:
                kw.update(DBInstanceClass="db.t3.micro", Engine=inst.get("engine") or "mysql", AllocatedStorage=20,
                          StorageEncrypted=bool(inst.get("encrypted", False)),
                          MultiAZ=bool(inst.get("multi_az", False)), **login)
            rec["instances"][inst["id"]] = rds.create_db_instance(**kw)["DBInstance"]["DBInstanceArn"]

    def seed_efs(self, e: dict) -> None:
        region = self.region(e)
        efs = self.client("efs", region)
        rec = self.created["efs"].setdefault(region, {})
        for fs in e.get("file_systems") or []:
            rec[fs["name"]] = efs.create_file_system(
                CreationToken=f"{fs['name']}-{region}", Encrypted=bool(fs.get("encrypted", False)),
                Tags=[{"Key": "Name", "Value": fs["name"]}])["FileSystemId"]

    def seed_accessanalyzer(self, a: dict) -> None:
        region = self.region(a)
        name = a.get("name") or f"cis-analyzer-{region}"
        kind = a.get("type") or "ACCOUNT"
        arn = self.client("accessanalyzer", region).create_analyzer(analyzerName=name, type=kind)["arn"]
        status = a.get("status") or "ACTIVE"
        if status != "ACTIVE":
            body = {"account_id": self.account, "region": region, "name": name, "status": status}
            if a.get("status_reason"):
                body["status_reason"] = a["status_reason"]
            self.harness("/_harness/accessanalyzer/analyzer", body)
        self.created["accessanalyzer"].append({"region": region, "name": name, "arn": arn, "type": kind, "status": status})

    def seed_contacts(self, contacts: dict) -> None:
        account = self.client("account", "us-east-1")
        for kind, c in contacts.items():
            kind = kind.upper()
            if kind not in ("SECURITY", "BILLING", "OPERATIONS"):
                raise SystemExit(f"seed: contacts.{kind.lower()}: use security, billing or operations")
            account.put_alternate_contact(
                AlternateContactType=kind, Name=c["name"], EmailAddress=c["email"],
                PhoneNumber=c.get("phone") or "+1-555-0100", Title=c.get("title") or kind.capitalize())
            self.created["contacts"].append(kind)

    def seed_securityhub(self, h: dict) -> None:
        for region in h.get("regions") or [self.default_region]:
            self.client("securityhub", region).enable_security_hub(
                EnableDefaultStandards=bool(h.get("default_standards", True))
            )
            self.created["securityhub"].append(region)

    def run(self) -> dict:
        if self.spec.get("organization") is not None:
            self.seed_organization(self.spec["organization"])
        buckets = self.spec.get("buckets") or []
        for b in buckets:
            self.ensure_bucket(b["name"], self.region(b))
        for b in buckets:
            self.seed_bucket_settings(b)
        for b in buckets:
            if b.get("logging"):
                self.seed_bucket_logging(b)
        if self.spec.get("s3_account_public_access_block") is not None:
            self.seed_account_public_access_block(self.spec["s3_account_public_access_block"])
        for g in self.spec.get("log_groups") or []:
            self.ensure_log_group(g["name"], self.region(g), g.get("retention_days"))
        for k in self.spec.get("kms_keys") or []:
            self.seed_kms_key(k)
        for t in self.spec.get("trails") or []:
            self.seed_trail(t)
        for f in self.spec.get("metric_filters") or []:
            self.seed_metric_filter(f)
        for q in self.spec.get("queues") or []:
            self.seed_queue(q)
        for t in self.spec.get("topics") or []:
            self.seed_topic(t)
        for a in self.spec.get("alarms") or []:
            self.seed_alarm(a)
        for c in self.spec.get("config") or []:
            self.seed_config(c)
        for r in self.spec.get("event_rules") or []:
            self.seed_event_rule(r)
        self.seed_history(self.spec.get("history") or {})
        if self.spec.get("securityhub") is not None:
            self.seed_securityhub(self.spec["securityhub"])
        if self.spec.get("iam") is not None:
            self.seed_iam(self.spec["iam"])
        for e in self.spec.get("ec2") or []:
            self.seed_ec2(e)
        for r in self.spec.get("rds") or []:
            self.seed_rds(r)
        for e in self.spec.get("efs") or []:
            self.seed_efs(e)
        for a in self.spec.get("accessanalyzer") or []:
            self.seed_accessanalyzer(a)
        if self.spec.get("contacts") is not None:
            self.seed_contacts(self.spec["contacts"])
        created = {"account": self.account, **self.created}
        created["ec2"] = {r: {k: v for k, v in rec.items() if not k.startswith("_")}
                          for r, rec in self.created["ec2"].items()}
        return created


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
        extra = [k["alias"]] if k["alias"] else []
        extra += [f"{k['spec']}", f"rotation {'on' if k['rotation'] else 'off'}"] if "spec" in k else []
        extra += [k["state"]] if k.get("state", "Enabled") != "Enabled" else []
        extra += ["AWS-managed"] if k.get("aws_managed") else []
        extra += [f"origin {k['origin']}"] if k.get("origin", "AWS_KMS") != "AWS_KMS" else []
        lines.append(f"  kms     {name}: {k['arn']}" + (f" ({', '.join(extra)})" if extra else ""))
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
    for name, b in created.get("bucket_settings", {}).items():
        lines.append(f"  s3      {name}: " + ", ".join(f"{k}={v}" for k, v in b.items()))
    if created.get("s3_account_public_access_block"):
        pab = created["s3_account_public_access_block"]
        lines.append(f"  s3      account Block Public Access: {', '.join(k for k, v in pab.items() if v) or 'all off'}")
    iam = created.get("iam") or {}
    if iam.get("password_policy"):
        lines.append(f"  iam     password policy: min length {iam['password_policy']['MinimumPasswordLength']}")
    for name, u in (iam.get("users") or {}).items():
        lines.append(f"  iam     user {name}: {'MFA' if u['mfa_serial'] else 'no MFA'}, {len(u['access_keys'])} access key(s)")
    for kind in ("groups", "roles", "policies"):
        if iam.get(kind):
            lines.append(f"  iam     {kind}: {', '.join(iam[kind])}")
    for name, c in (iam.get("server_certificates") or {}).items():
        lines.append(f"  iam     server certificate {name}: expires {c['expiration']}")
    if iam.get("root") is not None:
        lines.append(f"  iam     root: {json.dumps(iam['root'], sort_keys=True)}")
    for region, e in created.get("ec2", {}).items():
        parts = [f"{kind} {', '.join(f'{n}={i}' for n, i in e[kind].items())}"
                 for kind in ("vpcs", "security_groups", "network_acls", "instances") if e[kind]]
        parts += [f"flow logs on {', '.join(f['vpc'] for f in e['flow_logs'])}"] if e["flow_logs"] else []
        parts += [f"peering {', '.join(p['id'] for p in e['peering'])}"] if e["peering"] else []
        if e["ebs_encryption_by_default"] is not None:
            parts.append(f"EBS default encryption {'on' if e['ebs_encryption_by_default'] else 'off'}")
        lines.append(f"  ec2     {region}: " + "; ".join(parts))
    for region, r in created.get("rds", {}).items():
        lines.append(f"  rds     {region}: instances {', '.join(r['instances']) or '-'}; clusters {', '.join(r['clusters']) or '-'}")
    for region, fss in created.get("efs", {}).items():
        lines.append(f"  efs     {region}: {', '.join(f'{n}={i}' for n, i in fss.items())}")
    for a in created.get("accessanalyzer", []):
        lines.append(f"  analyzer {a['arn']} ({a['type']}, {a['status']})")
    if created.get("contacts"):
        lines.append(f"  contacts {', '.join(created['contacts'])}")
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
    except (KeyError, TypeError, ValueError) as exc:
        print(f"seed: bad spec: missing or wrong field {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results if isinstance(spec, list) else results[0], indent=2))
    else:
        print("\n".join(summary(created) for created in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

/**
 * The schemas of single fields of an environment, each with AWS's own rule (name rules and
 * lengths, ID and ARN formats, CIDRs, ports, memory). `shape.ts` puts them together into the
 * environment, with each field's documentation and default.
 *
 * Every message says what is wrong, shows the bad value and ends with the fix
 * after a `;`; the field path is added when the problems are listed.
 */
import * as ipaddr from "ipaddr.js";
import { backupPlanScheduleProblem, eventBridgeScheduleProblem } from "./schedule-expression";
import { z } from "zod";
import { IMAGE_DIGEST, pinnedDigest, tagName } from "../modules/image-reference";
import { SECRET_VARIABLE_NAME, WAIVABLE_RULE_IDS, BASELINE_RULES, BaselineRuleId } from "../baseline-rules";
import { EMAIL_ADDRESS, SNS_TOPIC_NAME } from "../modules/alarm-topic";
import { LOG_RETENTION_DAYS } from "../modules/service-log-group";

const q = (value: unknown) => JSON.stringify(value);

/** A rule over one value: the message of what is wrong and how to fix it, or undefined when it holds. */
type Rule<T> = (value: T) => string | undefined;

/** A schema whose value must pass every rule; the first one that fails gives the message. */
export function checked<S extends z.ZodType>(schema: S, ...rules: Rule<z.output<S>>[]): S {
  return schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      const message = rule(value);
      if (message !== undefined) {
        ctx.addIssue({ code: "custom", message, input: value });
        return;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Strings: names, IDs, ARNs
// ---------------------------------------------------------------------------------------------

interface NameRule {
  /** What the value names, e.g. "load balancer name". */
  readonly what: string;
  readonly max: number;
  readonly pattern: RegExp;
  /** The allowed characters, in words. */
  readonly allowed: string;
  readonly example: string;
}

/** A name with AWS's length limit and character rules. */
export function awsName(rule: NameRule, ...extra: Rule<string>[]) {
  return checked(
    z.string(),
    (value) => (value === "" ? `is empty; give a ${rule.what}, e.g. ${q(rule.example)}` : undefined),
    (value) =>
      value.length > rule.max
        ? `${q(value)} has ${value.length} characters, more than the ${rule.max} AWS allows for a ${rule.what}; shorten it, e.g. ${q(rule.example)}`
        : undefined,
    (value) =>
      rule.pattern.test(value) ? undefined : `${q(value)} is not a valid ${rule.what}; use ${rule.allowed}, e.g. ${q(rule.example)}`,
    ...extra,
  );
}

/** A string of a fixed format, e.g. an ID. */
export function formatted(what: string, pattern: RegExp, example: string) {
  return checked(z.string(), (value) =>
    pattern.test(value) ? undefined : `${q(value)} is not a valid ${what}; it looks like ${q(example)}`,
  );
}

export const ALPHANUMERIC_WITH_HYPHENS = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
export const ECS_NAME = /^[A-Za-z0-9_-]+$/;
export const IAM_NAME = /^[\w+=,.@-]+$/;
/** Characters AWS accepts in the name and description of a VPC security group. */
export const SECURITY_GROUP_TEXT = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/;
/** Characters AWS accepts in tag keys and values across services. */
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const ENVIRONMENT_NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
export const REGION = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)$/;
export const AVAILABILITY_ZONE = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)[a-z]$/;
export const CERTIFICATE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Docker's tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const environmentName = awsName(
  {
    what: "environment name",
    max: 24,
    pattern: ENVIRONMENT_NAME,
    allowed: "lowercase letters, digits and hyphens, starting with a letter (it names stacks, state keys and SSM paths)",
    example: "dev",
  },
);

export const region = formatted("region", REGION, "eu-west-1");

export const tagText = (what: string, max: number) =>
  checked(
    z.string(),
    (value) => (value.length > max ? `${q(value)} has ${value.length} characters, more than the ${max} AWS allows for a ${what}; shorten it` : undefined),
    (value) => (TAG_TEXT.test(value) ? undefined : `${q(value)} has characters AWS refuses in a ${what}; use letters, digits, spaces and _ . : / = + - @`),
  );

/** At most 50 tags per resource; the resources of this platform add a `Name` of their own. */
export const MAX_ENVIRONMENT_TAGS = 49;

export const tags = z.record(z.string(), tagText("tag value", 256)).superRefine((value, ctx) => {
  const keys = Object.keys(value);
  if (keys.length > MAX_ENVIRONMENT_TAGS) {
    ctx.addIssue({
      code: "custom",
      message: `has ${keys.length} tags; AWS allows 50 per resource and the resources add their own Name, so keep at most ${MAX_ENVIRONMENT_TAGS}`,
    });
  }
  for (const key of keys) {
    const problem =
      key === ""
        ? "an empty tag key; give every tag a key"
        : key.length > 128
          ? `tag key ${q(key)} has ${key.length} characters, more than the 128 AWS allows; shorten it`
          : /^aws:/i.test(key)
            ? `tag key ${q(key)} starts with "aws:", which AWS reserves; rename it`
            : key === "Name"
              ? 'tag key "Name" would be overridden by each resource\'s own Name; remove it from the environment\'s tags'
              : !TAG_TEXT.test(key)
                ? `tag key ${q(key)} has characters AWS refuses; use letters, digits, spaces and _ . : / = + - @`
                : undefined;
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, path: [key], input: key });
  }
});

export const accountId = formatted("12-digit AWS account ID", /^\d{12}$/, "123456789012");
export const vpcId = formatted("VPC ID", /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "vpc-0123456789abcdef0");
export const efsFileSystemId = formatted("EFS file system ID", /^fs-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "fs-0123456789abcdef0");
export const amiId = formatted("AMI ID", /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, "ami-0123456789abcdef0");
export const hostedZoneId = formatted("Route53 hosted zone ID", /^Z[0-9A-Z]{1,31}$/, "Z3R834M85QA828");
export const certificateArn = formatted(
  "ACM certificate ARN",
  CERTIFICATE_ARN,
  "arn:aws:acm:eu-west-1:123456789012:certificate/f96dc200-2a69-4a5d-bcaa-c57dfa5367ea",
);
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const instanceType = formatted("EC2 instance type", INSTANCE_TYPE, "c5a.large");
export const availabilityZone = formatted("availability zone name", AVAILABILITY_ZONE, "eu-west-1a");

export const securityGroupName = awsName(
  { what: "security group name", max: 255, pattern: SECURITY_GROUP_TEXT, allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", example: "jitsi-matrix-alb-sg-dev" },
  (value) => (/^sg-/i.test(value) ? `${q(value)} starts with "sg-", which AWS reserves for group IDs; rename it` : undefined),
);
export const securityGroupDescription = awsName({
  what: "security group description",
  max: 255,
  pattern: SECURITY_GROUP_TEXT,
  allowed: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
  example: "jitsi matrix alb sg dev",
});

export const iamRoleName = awsName({ what: "IAM role name", max: 64, pattern: IAM_NAME, allowed: "letters, digits and +=,.@_-", example: "jitsi-matrix-agent-dev" });
export const instanceProfileName = awsName({
  what: "IAM instance profile name",
  max: 128,
  pattern: IAM_NAME,
  allowed: "letters, digits and +=,.@_-",
  example: "jitsi-matrix-agent-dev",
});
export const ecsName = (what: string, example: string) =>
  awsName({ what, max: 255, pattern: ECS_NAME, allowed: "letters, digits, hyphens and underscores", example });
export const autoScalingGroupName = awsName({
  what: "Auto Scaling group name",
  max: 255,
  pattern: /^[^\x00-\x1f:]+$/,
  allowed: "printable characters other than a colon",
  example: "jitsi-matrix-asg-dev",
});
export const keyName = awsName({ what: "EC2 key pair name", max: 255, pattern: /^[\x20-\x7e]+$/, allowed: "printable ASCII characters", example: "jitsi-cluster-key" });

export const loadBalancerName = awsName(
  { what: "load balancer name", max: 32, pattern: ALPHANUMERIC_WITH_HYPHENS, allowed: "letters, digits and hyphens, not starting or ending with a hyphen", example: "jitsi-matrix-alb-dev" },
  (value) => (value.startsWith("internal-") ? `${q(value)} starts with "internal-", which AWS reserves; rename it` : undefined),
);
export const targetGroupName = awsName({
  what: "target group name",
  max: 32,
  pattern: ALPHANUMERIC_WITH_HYPHENS,
  allowed: "letters, digits and hyphens, not starting or ending with a hyphen",
  example: "jitsi-http-target-dev",
});

export const SSL_POLICY_NAME = /^ELBSecurityPolicy-[A-Za-z0-9-]+$/;
export const sslPolicy = formatted("predefined ELB security policy name", SSL_POLICY_NAME, "ELBSecurityPolicy-TLS13-1-2-2021-06");

/** A DNS name as Route53 stores it: lowercase labels of letters, digits and inner hyphens. */
export function dnsNameProblem(value: string): string | undefined {
  if (value.endsWith(".")) return `${q(value)} ends with a dot; write it without, e.g. ${q(value.slice(0, -1))}`;
  if (value !== value.toLowerCase()) return `${q(value)} has uppercase letters, which Route53 stores lowercased (a perpetual diff); write ${q(value.toLowerCase())}`;
  if (value.length > 253) return `${q(value)} has ${value.length} characters, more than the 253 of a DNS name; shorten it`;
  const labels = value.split(".");
  if (labels.length < 2) return `${q(value)} is not a fully qualified host name; write it with its domain, e.g. "meet.example.org"`;
  const bad = labels.find((label) => !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label));
  if (bad !== undefined) {
    return `${q(value)} is not a valid DNS name: label ${q(bad)} must be 1 to 63 letters, digits or inner hyphens; fix the name, e.g. "meet.example.org"`;
  }
  return undefined;
}
export const dnsName = checked(z.string(), dnsNameProblem);

/** A Docker tag, optionally pinned to the digest of the image it named (`latest@sha256:<64 hex>`, `imageReference`). */
export const imageTag = checked(z.string(), (value) => {
  if (value === "") return "is empty, so the image has no tag and Docker pulls whatever latest is; give a version tag, e.g. \"stable-6865\"";
  const digest = pinnedDigest(value);
  if (!IMAGE_TAG.test(tagName(value))) {
    return `${q(value)} is not a Docker tag; use up to 128 letters, digits, _ . -, not starting with . or -, e.g. "v1.53.0"`;
  }
  if (digest !== undefined && !IMAGE_DIGEST.test(digest)) {
    return `${q(value)} pins a digest that is not sha256: and 64 lowercase hexadecimal digits; copy the imageDigest ECS shows for the running container, e.g. "latest@sha256:<64 hex digits>"`;
  }
  return undefined;
});

/** The one tag of the four `jitsi/*` images: a digest names one image, so it cannot pin four. */
export const jitsiImageTag = imageTag.refine((value) => pinnedDigest(value) === undefined, {
  message: "pins a digest, but the tag names the four jitsi images (web, prosody, jicofo, jvb), each with a digest of its own; give the version tag they run, e.g. \"stable-6865\"",
});

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/** A parsed IPv4 CIDR, or the message of why it is not one. */
export function parseIpv4Cidr(value: string): { address: ipaddr.IPv4; prefix: number } | string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value);
  if (!match || !ipaddr.IPv4.isValidFourPartDecimal(match[1]) || Number(match[2]) > 32) {
    return `${q(value)} is not an IPv4 CIDR; write it as address/prefix, e.g. "10.0.1.0/24"`;
  }
  return { address: ipaddr.IPv4.parse(match[1]), prefix: Number(match[2]) };
}

/** The CIDR's own network address: `172.31.48.5/28` is `172.31.48.0/28`. */
export function networkCidr(address: ipaddr.IPv4, prefix: number): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`).toString()}/${prefix}`;
}

export const networkOnly = (value: string) => {
  const parsed = parseIpv4Cidr(value);
  if (typeof parsed === "string") return parsed;
  const network = networkCidr(parsed.address, parsed.prefix);
  return network === value ? undefined : `${q(value)} has host bits set; write the network address ${q(network)}`;
};

export const vpcCidr = checked(z.string(), networkOnly, (value) => {
  const prefix = Number(value.split("/")[1]);
  return prefix >= 16 && prefix <= 28 ? undefined : `${q(value)} has a /${prefix} prefix; a VPC range is /16 to /28`;
});
export const subnetCidr = checked(z.string(), networkOnly, (value) => {
  const prefix = Number(value.split("/")[1]);
  return prefix >= 16 && prefix <= 28 ? undefined : `${q(value)} has a /${prefix} prefix; AWS subnets are /16 to /28, e.g. "10.0.1.0/28"`;
});
export const ingressCidr = checked(z.string(), (value) => {
  if (value === "::/0") return undefined;
  const parsed = parseIpv4Cidr(value);
  return typeof parsed === "string" ? parsed : networkOnly(value);
});

export const publicIpv4 = checked(z.string(), (value) => {
  if (!ipaddr.IPv4.isValidFourPartDecimal(value)) return `${q(value)} is not an IPv4 address; give the instance's public address, e.g. "54.0.0.10"`;
  const range = ipaddr.IPv4.parse(value).range();
  return range === "unicast" ? undefined : `${q(value)} is a ${range} address, which clients on the internet cannot reach; give the public (Elastic IP) address`;
});

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

export const integer = (what: string, min: number, max: number, fix: string) =>
  checked(z.number(), (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `${q(value)} is not a valid ${what}: it must be a whole number from ${min} to ${max}; ${fix}`,
  );

/** Docker refuses containers with less memory than this. */
export const MIN_CONTAINER_MEMORY_MIB = 6;

export const instanceCount = integer("instance count", 0, 10000, "give a number of instances");
export const seconds = integer("number of seconds", 0, 7200, "give seconds, e.g. 300");
export const hostPort = integer("port", 1, 65535, "pick a free port, e.g. 8000");
export const MAX_RULE_PRIORITY = 50000;
export const rulePriority = integer("listener rule priority", 1, MAX_RULE_PRIORITY, "pick an unused priority, e.g. 100");
export const memory = integer("memory in MiB", MIN_CONTAINER_MEMORY_MIB, 1048576, `give at least ${MIN_CONTAINER_MEMORY_MIB} MiB, e.g. 256`);

// ---------------------------------------------------------------------------------------------
// Operations options
// ---------------------------------------------------------------------------------------------

export const logRetention = checked(z.number(), (value) =>
  (LOG_RETENTION_DAYS as readonly number[]).includes(value)
    ? undefined
    : `${q(value)} days is not a retention CloudWatch Logs accepts; use one of ${LOG_RETENTION_DAYS.join(", ")}, e.g. 30`,
);

export const emailAddresses = z
  .array(
    checked(z.string(), (value) =>
      EMAIL_ADDRESS.test(value) ? undefined : `${q(value)} is not an e-mail address; write it as name@example.org`,
    ),
  )
  .superRefine((value, ctx) => {
    value.forEach((address, index) => {
      if (value.indexOf(address) < index) {
        ctx.addIssue({ code: "custom", path: [index], input: address, message: `${q(address)} is also emailAddresses[${value.indexOf(address)}]; list each address once` });
      }
    });
  });

/** An RDS instance identifier: a lowercase letter, then lowercase letters, digits and single hyphens, at most 63. */
export const rdsIdentifier = formatted("RDS instance identifier", /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/, "jitsi-matrix-dev");
export const rdsInstanceClass = formatted("RDS instance class", /^db\.[a-z0-9]+\.[a-z0-9]+$/, "db.t4g.small");
/** A PostgreSQL engine version as RDS takes it: the major (RDS picks the minor) or major.minor. */
export const postgresEngineVersion = formatted("PostgreSQL engine version", /^\d{2}(?:\.\d+)?$/, "17");

/** A Secrets Manager secret's ARN whose name ECR accepts for a pull-through cache rule's credentials. */
export const pullThroughCacheSecretArn = formatted(
  "Secrets Manager ARN of a secret named ecr-pullthroughcache/...",
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/,
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
);
/** An ECR repository prefix: lowercase letters and digits, separated by single `.`, `_`, `-` or `/`, 2 to 30 characters. */
export const ecrRepositoryPrefix = formatted("ECR repository prefix of 2 to 30 characters", /^(?=.{2,30}$)[a-z0-9]+(?:[._/-][a-z0-9]+)*$/, "docker-hub-dev");

/** An SSM parameter's full name: a path of letters, digits and `_.-` under `/`. */
export const ssmParameterName = formatted("SSM parameter name", /^\/[A-Za-z0-9_.\-/]{1,1010}$/, "/jitsi-matrix/dev/SMTP_PASSWORD");

/** The sender of an e-mail: an address, or a display name with the address in angle brackets. */
export const mailSender = formatted("e-mail sender", /^(?:[^<>@\n]+ <[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+)$/, "Matrix <noreply@example.org>");

export const bucketName = awsName({
  what: "S3 bucket name",
  max: 63,
  pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  allowed: "3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
  example: "jitsi-matrix-dev-logs-123456789012",
});

export const snsTopicName = checked(z.string(), (value) =>
  SNS_TOPIC_NAME.test(value) ? undefined : `${q(value)} is not a valid SNS topic name; use 1 to 256 letters, digits, - and _, e.g. "jitsi-matrix-dev-alarms"`,
);

export const wholeMinutes = (multipleOf = 1) =>
  checked(z.number(), (value) =>
    Number.isInteger(value) && value >= multipleOf && value <= 1440 && value % multipleOf === 0
      ? undefined
      : `${q(value)} is not ${multipleOf === 1 ? "a whole number of minutes" : `a multiple of ${multipleOf} minutes`} from ${multipleOf} to 1440 (a CloudWatch alarm looks back at most a day); use e.g. 5`,
  );
export const percent = (what: string, example: number) =>
  checked(z.number(), (value) =>
    value > 0 && value < 100 ? undefined : `${q(value)} is not a ${what}; use a number above 0 and below 100, e.g. ${example}`,
  );


/** An AWS Backup plan's schedule: a cron expression in UTC, at most hourly (`schedule-expression.ts`). */
export const backupSchedule = checked(z.string(), (value) => {
  const problem = backupPlanScheduleProblem(value);
  return problem === undefined ? undefined : `${q(value)} is not a schedule AWS Backup accepts: ${problem}; write a cron expression in UTC, e.g. "cron(0 3 * * ? *)"`;
});

/** An EventBridge rule's schedule: cron (six fields, in UTC) or rate (`schedule-expression.ts`). */
export const eventBridgeSchedule = checked(z.string(), (value) => {
  const problem = eventBridgeScheduleProblem(value);
  return problem === undefined ? undefined : `${q(value)} is not a schedule EventBridge accepts: ${problem}; write e.g. "cron(30 2 * * ? *)" (UTC) or "rate(1 day)"`;
});

// ---------------------------------------------------------------------------------------------
// Container variables and waivers

/** Containers whose environment an environment file may extend, per task. */
export const JITSI_CONTAINERS = ["web", "prosody", "jicofo", "jvb"] as const;

/** Plain variables of one container; a secret must never be one of them. */
export const containerVariables = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  for (const [name, variable] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      ctx.addIssue({ code: "custom", path: [name], input: name, message: `${q(name)} is not a variable name; use letters, digits and underscores` });
    } else if (SECRET_VARIABLE_NAME.test(name) && variable !== "") {
      ctx.addIssue({
        code: "custom",
        path: [name],
        input: "<redacted>",
        message: `${name} looks like a secret and must not be a literal in the environment (it would sit in the code and the task definition); store it in SSM and pass it through the container's secrets`,
      });
    }
  }
});

export const jitsiEnvironment = z.record(z.string(), containerVariables).superRefine((value, ctx) => {
  for (const name of Object.keys(value)) {
    if (!(JITSI_CONTAINERS as readonly string[]).includes(name)) {
      ctx.addIssue({ code: "custom", path: [name], input: name, message: `there is no container ${q(name)} in the jitsi task; use ${JITSI_CONTAINERS.join(", ")}` });
    }
  }
});

export const waivers = z.record(z.string(), z.string()).superRefine((value, ctx) => {
  for (const [rule, reason] of Object.entries(value)) {
    const known = rule in BASELINE_RULES;
    const problem = !known
      ? `${q(rule)} is not a rule of the security baseline; use one of ${WAIVABLE_RULE_IDS.join(", ")}`
      : !BASELINE_RULES[rule as BaselineRuleId].waivable
        ? `rule ${rule} cannot be waived; change the setting that breaks it`
        : reason.trim().length < 10
          ? `${q(reason)} is not a reason; say in a sentence why the environment keeps the weaker setting and until when`
          : undefined;
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: [rule], input: reason, message: problem });
  }
});


// ---------------------------------------------------------------------------------------------
// Paths and balances
// ---------------------------------------------------------------------------------------------

export const volumeName = awsName({ what: "volume name", max: 255, pattern: ECS_NAME, allowed: "letters, digits, hyphens and underscores", example: "jitsi-data" });

/** A directory of the EFS file system, from its root. */
export const rootDirectory = checked(
  z.string(),
  (value) =>
    value.startsWith("/") ? undefined : `${q(value)} is not an absolute path; write it from the file system's root, e.g. ${q(`/${value}`)}`,
  (value) => (value.split("/").includes("..") ? `${q(value)} climbs with ".."; write the directory's own path from the root` : undefined),
);

/** A path inside a container. */
export const containerPath = checked(z.string(), (value) =>
  value.startsWith("/") ? undefined : `${q(value)} is not an absolute path; write the path inside the container, e.g. "/usr/share/jitsi-meet/images"`,
);

export const burstCreditBalance = checked(z.number(), (value) =>
  value > 0 ? undefined : `${q(value)} is not a balance; give the GiB of burst credits below which to alarm, e.g. 1024`,
);

/** The version of a write-only value: a whole number, raised to write a new value. */
export const secretVersion = integer("secret version", 1, 1000000, "raise it by one to write a new value");

/** A certificate's domain name, as ACM lists it: a DNS name, or one with a leading wildcard label. */
export const certificateDomain = checked(z.string(), (value) => dnsNameProblem(value.startsWith("*.") ? value.slice(2) : value));

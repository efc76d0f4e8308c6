/**
 * The wiring rules of the baseline: the platform's resources checked against what AWS does after the apply, which
 * no plan shows. Each rule's AWS fact, with its source and the date it was read, is in docs/aws-wiring.md; each
 * check reads one stack and, for what lives elsewhere (the environment's key in `networking-<env>`), the other
 * stacks of its environment (`BaselineContext.environmentStacks`).
 */
import { AddressedResource, allResources, Block, blocks, isBlock, isExpression, referencedAddresses, resourcesOfType, strings, SynthesizedStack, TerraformJson } from "./terraform-json";

/** A finding of a wiring check, before the rule and stack are added. */
export interface WiringFinding {
  readonly address: string;
  readonly message: string;
}

export interface WiringContext {
  /** Every stack of the stack's environment, itself included. @default - the stack alone */
  readonly environmentStacks?: readonly SynthesizedStack[];
}

type WiringCheck = (json: TerraformJson, context: WiringContext) => WiringFinding[];

// ---- Policy documents -------------------------------------------------------------------------------------------

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function statementsOf(policy: unknown): Statement[] {
  if (typeof policy !== "string") return [];
  try {
    const document = JSON.parse(policy) as { Statement?: unknown };
    const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return list.filter(isBlock) as Statement[];
  } catch {
    return [];
  }
}

const asList = (value: unknown): string[] => (typeof value === "string" ? [value] : strings(value));

/** IAM's wildcards: `*` any characters, `?` one. */
const globMatches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split(/([*?])/).map((part) => (part === "*" ? ".*" : part === "?" ? "." : part.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`).test(value);

const namesService = (statement: Statement, service: string) =>
  isBlock(statement.Principal) && asList((statement.Principal as Block).Service).includes(service);

const allowsAction = (statement: Statement, action: string) => statement.Effect === "Allow" && asList(statement.Action).some((pattern) => globMatches(pattern, action));

/** Condition keys the KMS requests SNS makes for EventBridge do not carry (docs/aws-wiring.md, "Encrypted topic"). */
const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"];

/**
 * What a request carries, by condition key (lowercased): whether a condition's value (`pattern`, a wildcard pattern
 * for the `...Like` operators) admits the request. Account, region and partition are the environment's: a request
 * test compares the rest of an ARN.
 */
type RequestContext = Readonly<Record<string, { readonly describe: string; readonly admits: (pattern: string, like: boolean) => boolean }>>;

/** The resource part of an ARN (`<name>` of `arn:aws:sns:eu-west-1:123456789012:<name>`), whatever its account and region. */
export const arnCarrying = (service: string, resource: string): RequestContext[string] => ({
  describe: `${service} ${resource}`,
  admits: (pattern, like) => {
    const parts = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.*)$/.exec(pattern);
    return parts !== null && parts[1] === service && (like ? globMatches(parts[2], resource) : parts[2] === resource);
  },
});

/**
 * What of a statement's condition a request with `context` fails. A key the request carries is tested; `SOURCE_KEYS`
 * fail where the request carries none of them (`withoutSourceKeys`); any other key is not evaluated.
 */
function conditionFailures(statement: Statement, context: RequestContext, withoutSourceKeys: boolean): string[] {
  const failures: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const name = key.toLowerCase();
      if (withoutSourceKeys && SOURCE_KEYS.includes(name)) {
        failures.push(`${key}, which the request does not carry`);
        continue;
      }
      const carried = context[name];
      const patterns = asList(expected).filter((pattern) => !isExpression(pattern));
      if (carried === undefined || patterns.length === 0) continue;
      const like = /Like$/.test(operator);
      if (!patterns.some((pattern) => carried.admits(pattern, like))) failures.push(`${key} ${JSON.stringify(patterns)}, which does not name ${carried.describe}`);
    }
  }
  return failures;
}

/** Whether `policy` lets `service` do every one of `actions` for a request with `context`; else why not. */
function policyAllows(policy: unknown, service: string, actions: readonly string[], context: RequestContext, withoutSourceKeys = false): string | undefined {
  const statements = statementsOf(policy).filter((statement) => namesService(statement, service));
  for (const action of actions) {
    const candidates = statements.filter((statement) => allowsAction(statement, action));
    if (candidates.length === 0) return `no statement lets ${service} ${action}`;
    const failing = candidates.map((statement) => conditionFailures(statement, context, withoutSourceKeys));
    if (failing.every((failures) => failures.length > 0)) return `its statement for ${service} ${action} requires ${failing[0].join(" and ")}`;
  }
  return undefined;
}

// ---- The environment's keys ---------------------------------------------------------------------------------------

interface KeyLookup {
  /** The key resource, where the stacks create it, its address naming its stack where that is another. */
  readonly key?: AddressedResource;
  /** An AWS-managed key (`alias/aws/...`), which names no service of the account's in its policy. */
  readonly awsManaged?: boolean;
}

/** The region of a stack's (default) aws provider. */
function regionOf(json: TerraformJson): string | undefined {
  const region = (json.provider?.aws ?? []).find((block) => block.alias === undefined)?.region;
  return typeof region === "string" ? region : undefined;
}

/** The KMS key a `kms_key_id`-like value names: in this stack, through another stack's output, or by its alias. */
function lookupKey(value: unknown, json: TerraformJson, context: WiringContext): KeyLookup {
  if (typeof value !== "string" || value === "") return {};
  if (/^(arn:[^:]+:kms:[^:]*:[^:]*:)?alias\/aws\//.test(value)) return { awsManaged: true };
  const stacks = context.environmentStacks ?? [{ name: "", json }];
  const keyIn = (stackJson: TerraformJson, address: string | undefined, stackName?: string): AddressedResource | undefined => {
    const key = address?.startsWith("aws_kms_key.") ? resourcesOfType(stackJson, "aws_kms_key").find((k) => k.address === address) : undefined;
    return key && stackName !== undefined && stackJson !== json ? { ...key, address: `${key.address} (${stackName})` } : key;
  };
  const local = keyIn(json, referencedAddresses(value)[0]);
  if (local) return { key: local };
  const output = /^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([A-Za-z0-9_-]+)\}$/.exec(value)?.[1];
  if (output !== undefined) {
    for (const stack of stacks) {
      const produced = (stack.json.output as Record<string, { value?: unknown }> | undefined)?.[output]?.value;
      const key = keyIn(stack.json, referencedAddresses(produced)[0], stack.name);
      if (key) return { key };
    }
    return {};
  }
  const aliasName = /(alias\/.+)$/.exec(value)?.[1];
  if (aliasName !== undefined) {
    for (const stack of stacks) {
      const alias = resourcesOfType(stack.json, "aws_kms_alias").find((a) => a.block.name === aliasName);
      const key = alias && keyIn(stack.json, referencedAddresses(alias.block.target_key_id)[0], stack.name);
      if (key) return { key };
    }
  }
  return {};
}

// ---- Topic publishers ---------------------------------------------------------------------------------------------

/** Who publishes to a topic, by the resource that makes it publish: the AWS service that then calls SNS. */
const PUBLISHERS: readonly { readonly type: string; readonly attributes: readonly string[]; readonly service: string; readonly what: string }[] = [
  { type: "aws_cloudwatch_metric_alarm", attributes: ["alarm_actions", "ok_actions", "insufficient_data_actions"], service: "cloudwatch.amazonaws.com", what: "CloudWatch alarm" },
  { type: "aws_cloudwatch_event_target", attributes: ["arn"], service: "events.amazonaws.com", what: "EventBridge rule target" },
  { type: "aws_backup_vault_notifications", attributes: ["sns_topic_arn"], service: "backup.amazonaws.com", what: "AWS Backup vault notification" },
  { type: "aws_db_event_subscription", attributes: ["sns_topic"], service: "events.rds.amazonaws.com", what: "RDS event subscription" },
];

/** Services that publish to a topic with SNS's default policy, which lets the account's own principals and services acting for it publish. */
const DEFAULT_POLICY_PUBLISHERS = ["cloudwatch.amazonaws.com"];

const topicPublishersAllowed: WiringCheck = (json, context) => {
  const findings: WiringFinding[] = [];
  for (const topic of resourcesOfType(json, "aws_sns_topic")) {
    const arn = `\${${topic.address}.arn}`;
    const publishers = new Map<string, string>();
    for (const { type, attributes, service, what } of PUBLISHERS) {
      for (const resource of resourcesOfType(json, type)) {
        if (attributes.some((attribute) => asList(resource.block[attribute]).includes(arn))) publishers.set(service, `${what} ${resource.address}`);
      }
    }
    const policies = resourcesOfType(json, "aws_sns_topic_policy").filter((policy) => policy.block.arn === arn);
    for (const [service, example] of publishers) {
      if (policies.length === 0) {
        if (!DEFAULT_POLICY_PUBLISHERS.includes(service)) {
          findings.push({ address: topic.address, message: `${example} publishes through ${service}, which SNS's default topic policy does not let publish; give the topic a policy with a statement for it` });
        }
      } else {
        const reasons = policies.map((policy) => policyAllows(policy.block.policy, service, ["sns:Publish"], {}));
        const why = reasons.find((reason) => reason !== undefined);
        if (reasons.every((reason) => reason !== undefined)) {
          findings.push({ address: policies[0].address, message: `${example} publishes through ${service}, but the topic's policy, which replaces SNS's default one, does not let it: ${why}; add a statement for ${service}` });
        }
      }
    }
    const encryption = topic.block.kms_master_key_id;
    if (encryption === undefined || publishers.size === 0) continue;
    const { key, awsManaged } = lookupKey(encryption, json, context);
    if (awsManaged) {
      findings.push({ address: topic.address, message: `is encrypted with an AWS-managed key, whose policy lets no AWS service use it, so ${[...publishers.keys()].join(", ")} cannot publish; use the environment's key` });
      continue;
    }
    if (key === undefined) continue;
    for (const [service, example] of publishers) {
      // SNS asks KMS for a data key on the publisher's behalf, with the topic's ARN as encryption context; for
      // EventBridge that request carries no aws:Source* key.
      const requestContext: RequestContext = typeof topic.block.name === "string" ? { "kms:encryptioncontext:aws:sns:topicarn": arnCarrying("sns", topic.block.name) } : {};
      const why = policyAllows(key.block.policy, service, ["kms:GenerateDataKey", "kms:Decrypt"], requestContext, service === "events.amazonaws.com");
      if (why !== undefined) {
        findings.push({ address: key.address, message: `${example} publishes to the encrypted topic ${topic.address} through ${service}, which the key's policy does not let use the key: ${why}; allow it kms:GenerateDataKey* and kms:Decrypt for the topic` });
      }
    }
  }
  return findings;
};

// ---- Writers of encrypted resources -------------------------------------------------------------------------------

const kmsWritersAllowed: WiringCheck = (json, context) => {
  const findings: WiringFinding[] = [];
  const region = regionOf(json);
  for (const group of resourcesOfType(json, "aws_cloudwatch_log_group")) {
    const { key, awsManaged } = lookupKey(group.block.kms_key_id, json, context);
    if (awsManaged) findings.push({ address: group.address, message: "kms_key_id names an AWS-managed key, which CloudWatch Logs cannot use for a log group; name the environment's key" });
    if (key === undefined || region === undefined || typeof group.block.name !== "string") continue;
    const service = `logs.${region}.amazonaws.com`;
    // CloudWatch Logs asks with the group's ARN as encryption context.
    const why = policyAllows(key.block.policy, service, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], {
      "kms:encryptioncontext:aws:logs:arn": arnCarrying("logs", `log-group:${group.block.name}`),
    });
    if (why !== undefined) {
      findings.push({ address: key.address, message: `encrypts log group ${group.block.name} (${group.address}), but its policy does not let ${service} use it for that group: ${why}, so CloudWatch Logs refuses the group; add the group to the key's CloudWatch Logs statement` });
    }
  }
  // Elastic Load Balancing and S3's server access logging write only to buckets encrypted with SSE-S3.
  const logWriters = [
    ...resourcesOfType(json, "aws_lb").flatMap((lb) => blocks(lb.block.access_logs).filter((logs) => logs.enabled !== false).map((logs) => ({ writer: lb.address, service: "Elastic Load Balancing", target: logs.bucket }))),
    ...resourcesOfType(json, "aws_s3_bucket_logging").map((logging) => ({ writer: logging.address, service: "S3 server access logging", target: logging.block.target_bucket })),
  ];
  for (const { writer, service, target } of logWriters) {
    const bucket = resourcesOfType(json, "aws_s3_bucket").find((b) => b.block.bucket === target || `\${${b.address}.bucket}` === target || `\${${b.address}.id}` === target);
    if (bucket === undefined) continue;
    const bucketRef = [`\${${bucket.address}.id}`, `\${${bucket.address}.bucket}`];
    for (const sse of resourcesOfType(json, "aws_s3_bucket_server_side_encryption_configuration").filter((c) => bucketRef.includes(String(c.block.bucket)))) {
      const algorithms = blocks(sse.block.rule).flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default).map((d) => d.sse_algorithm));
      if (algorithms.some((algorithm) => algorithm !== "AES256")) {
        findings.push({ address: sse.address, message: `${writer} writes its logs to ${bucket.address}, but ${service} supports only SSE-S3 (AES256) there, not ${algorithms.join(", ")}; encrypt the log bucket with SSE-S3` });
      }
    }
  }
  return findings;
};

// ---- Log groups AWS services create themselves --------------------------------------------------------------------

/** The log groups a resource makes an AWS service create on its own, unless they exist. */
function serviceCreatedLogGroups(resource: AddressedResource): string[] {
  const { block } = resource;
  if (resource.type === "aws_db_instance" && typeof block.identifier === "string") {
    return strings(block.enabled_cloudwatch_logs_exports).map((log) => `/aws/rds/instance/${block.identifier}/${log}`);
  }
  if (resource.type === "aws_ecs_cluster" && typeof block.name === "string") {
    const insights = blocks(block.setting).some((setting) => setting.name === "containerInsights" && ["enabled", "enhanced"].includes(String(setting.value)));
    return insights ? [`/aws/ecs/containerinsights/${block.name}/performance`] : [];
  }
  return [];
}

const serviceLogGroupsDeclared: WiringCheck = (json) => {
  const groups = resourcesOfType(json, "aws_cloudwatch_log_group");
  // The stack encrypts its log groups with a key: the groups a service creates must carry it too.
  const keyed = groups.some((group) => typeof group.block.kms_key_id === "string" && group.block.kms_key_id !== "");
  const findings: WiringFinding[] = [];
  for (const resource of resourcesOfType(json, "aws_db_instance", "aws_ecs_cluster")) {
    for (const name of serviceCreatedLogGroups(resource)) {
      const group = groups.find((g) => g.block.name === name);
      if (group === undefined) {
        findings.push({ address: resource.address, message: `makes AWS create the log group ${name} itself, unencrypted and never expiring; declare it (aws_cloudwatch_log_group) with a retention${keyed ? " and the environment's key" : ""}, before the resource` });
      } else if (group.block.retention_in_days === undefined || (keyed && group.block.kms_key_id === undefined)) {
        findings.push({ address: group.address, message: `${name}, the log group ${resource.address} writes, has ${group.block.retention_in_days === undefined ? "no retention" : "no key"}; give it ${group.block.retention_in_days === undefined ? "retention_in_days" : "the environment's key"}` });
      }
    }
  }
  return findings;
};

// ---- Secrets of long-running tasks --------------------------------------------------------------------------------

function containersOf(task: AddressedResource): Block[] {
  try {
    const parsed: unknown = JSON.parse(String(task.block.container_definitions));
    return Array.isArray(parsed) ? parsed.filter(isBlock) : [];
  } catch {
    return [];
  }
}

/** The task definitions of the stack's services, which ECS keeps running: each read its secrets once, at its start. */
function serviceTasks(json: TerraformJson): { service: AddressedResource; task: AddressedResource }[] {
  const tasks = resourcesOfType(json, "aws_ecs_task_definition");
  return resourcesOfType(json, "aws_ecs_service").flatMap((service) => {
    const task = tasks.find((t) => referencedAddresses(service.block.task_definition).includes(t.address));
    return task ? [{ service, task }] : [];
  });
}

const noRotatedSecretInServices: WiringCheck = (json) => {
  const rotated = new Set(resourcesOfType(json, "aws_secretsmanager_secret_rotation").flatMap((rotation) => referencedAddresses(rotation.block.secret_id)));
  return serviceTasks(json).flatMap(({ service, task }) =>
    containersOf(task).flatMap((container) =>
      blocks(container.secrets).flatMap((secret) => {
        const from = String(secret.valueFrom ?? "");
        const rotates = /master_user_secret/.test(from) ? "RDS rotates a managed master password every 7 days" : referencedAddresses(from).some((address) => rotated.has(address)) ? "the secret has a rotation" : undefined;
        return rotates === undefined
          ? []
          : [{ address: task.address, message: `container ${JSON.stringify(container.name)} of ${service.address} reads ${secret.name} from a rotating secret once, at its start: ${rotates}, and the task's next connection after a rotation fails; give it a credential of its own that does not rotate behind it` }];
      }),
    ),
  );
};

// ---- Reserved host ports ------------------------------------------------------------------------------------------

/** What ECS allows per container instance, its default reserved ports (22, 2375, 2376, 51678, 51679) included. */
export const MAX_RESERVED_PORTS = 100;
const DEFAULT_RESERVED_PORTS = 5;

const reservedPortsWithinLimit: WiringCheck = (json) => {
  // Every service may place a task on one instance: the daemons are on all of them, the replicas anywhere.
  const uses = serviceTasks(json).map(({ service, task }) => ({
    service,
    ports: containersOf(task).flatMap((container) => blocks(container.portMappings).filter((mapping) => typeof mapping.hostPort === "number" && mapping.hostPort > 0)).length,
  }));
  const total = uses.reduce((sum, use) => sum + use.ports, DEFAULT_RESERVED_PORTS);
  if (total <= MAX_RESERVED_PORTS) return [];
  return [
    {
      address: uses.sort((a, b) => b.ports - a.ports)[0].service.address,
      message: `the services' tasks reserve ${total} host ports on one instance (${uses.map((use) => `${use.service.address} ${use.ports}`).join(", ")}, and ECS's ${DEFAULT_RESERVED_PORTS}), more than the ${MAX_RESERVED_PORTS} ECS allows per container instance, so a task would not be placed; publish fewer static host ports`,
    },
  ];
};

// ---- References, not names ----------------------------------------------------------------------------------------

/** Resources whose name others use to find them, and the attribute they are referenced by instead. */
const NAMED_TYPES: Readonly<Record<string, string>> = {
  aws_ecs_cluster: "name",
  aws_iam_role: "name",
  aws_sns_topic: "name",
  aws_cloudwatch_log_group: "name",
};

/** Every string of a block, with its path, including those of JSON documents in strings (policies, containers). */
function stringsOf(value: unknown, path: string): { path: string; text: string }[] {
  if (typeof value === "string") {
    if (/^\s*[[{]/.test(value)) {
      try {
        return stringsOf(JSON.parse(value), path);
      } catch {
        // not a document: the string itself
      }
    }
    return [{ path, text: value }];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsOf(item, `${path}[${index}]`));
  if (isBlock(value)) return Object.entries(value).filter(([key]) => key !== "//").flatMap(([key, item]) => stringsOf(item, path ? `${path}.${key}` : key));
  return [];
}

const referencesNotNames: WiringCheck = (json) => {
  const named = new Map<string, AddressedResource>();
  for (const [type, attribute] of Object.entries(NAMED_TYPES)) {
    for (const resource of resourcesOfType(json, type)) {
      const name = resource.block[attribute];
      if (typeof name === "string" && !isExpression(name)) named.set(name, resource);
    }
  }
  const findings: WiringFinding[] = [];
  for (const resource of allResources(json)) {
    for (const { path, text } of stringsOf(resource.block, "")) {
      const target = named.get(text);
      // A resource's own name may equal another's (an instance profile named as its role): that names no other.
      if (target === undefined || target.address === resource.address || path === "name") continue;
      findings.push({
        address: resource.address,
        message: `${path} names ${target.address} by its name ${JSON.stringify(text)}, so Terraform knows of no order between them (it may create this first, or destroy the other first); reference \${${target.address}.${NAMED_TYPES[target.type]}} instead`,
      });
    }
  }
  return findings;
};

/** The wiring rules' checks, by rule id. */
export const WIRING_CHECKS = {
  "topic-publishers-allowed": topicPublishersAllowed,
  "kms-writers-allowed": kmsWritersAllowed,
  "service-log-groups-declared": serviceLogGroupsDeclared,
  "no-rotated-secret-in-services": noRotatedSecretInServices,
  "reserved-ports-within-limit": reservedPortsWithinLimit,
  "references-not-names": referencesNotNames,
} as const;

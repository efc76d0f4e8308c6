/**
 * The security baseline's checks over synthesized Terraform JSON. Each rule of
 * `rules.ts` has one check here; `checkBaseline` runs them over stacks and
 * applies each environment's waivers.
 */
import {
  ADMIN_PORTS,
  ANYWHERE_CIDRS,
  BASELINE_RULES,
  BaselineRuleId,
  BEYOND_DEFAULT_TAGS,
  isCurrentTlsPolicy,
  isFloatingImageTag,
  READ_ONLY_CAPABLE_IMAGES,
  RECOMMENDED_TLS_POLICY,
  SECRET_VARIABLE_NAME,
  STATE_BUCKET_SSE_ALGORITHMS,
  WaivableRuleId,
  Waivers,
} from "../../src/baseline-rules";
import { PLATFORM_SECRETS } from "../../src/modules/platform-secrets";
import {
  AddressedResource,
  allResources,
  Block,
  blocks,
  isBlock,
  isExpression,
  portNumber,
  referencedAddresses,
  resourcesOfType,
  strings,
  SynthesizedStack,
  TerraformJson,
} from "./terraform-json";
import { WIRING_CHECKS } from "./wiring";

/** What the checks need to know about the environment a stack belongs to. */
export interface BaselineEnvironment {
  readonly name: string;
  /** The tags every resource must carry (the provider's `default_tags`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Production environments need deletion protection on their load balancers. */
  readonly production: boolean;
  /** @default - none */
  readonly waivers?: Waivers;
}

export interface BaselineContext {
  /**
   * The environment of the stack.
   * @default - a stack of no environment: its provider must still set non-empty `default_tags`
   */
  readonly environment?: BaselineEnvironment;
  /**
   * Name of the bucket that holds Terraform state (`backend.tf.json`); a stack
   * creating it must make it encrypted, versioned and private.
   * @default - the bucket named by the stack's own S3 backend
   */
  readonly stateBucket?: string;
  /**
   * Every stack of the stack's environment, itself included: where the wiring rules find what another stack
   * holds (the environment's key, in `networking-<env>`).
   * @default - the stack alone
   */
  readonly environmentStacks?: readonly SynthesizedStack[];
}

/** One place where a stack breaks a rule. */
export interface Finding {
  readonly rule: BaselineRuleId;
  readonly stack: string;
  /** Terraform address, or the part of the stack, e.g. `provider.aws`. */
  readonly address: string;
  readonly message: string;
}

type Check = (json: TerraformJson, context: BaselineContext) => Omit<Finding, "rule" | "stack">[];

const PROTOCOL_ALL = ["-1", "all"];
const PROTOCOL_TCP = ["tcp", "6"];
const PROTOCOL_UDP = ["udp", "17"];

type Direction = "ingress" | "egress";

/** A security group rule however it is written: inline, `aws_security_group_rule` or `aws_vpc_security_group_<direction>_rule`. */
interface GroupRule {
  /** Address of the resource holding the rule. */
  readonly address: string;
  /** Address of the security group the rule belongs to, when it is known. */
  readonly groupAddress?: string;
  readonly direction: Direction;
  readonly description: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
}

function groupRules(json: TerraformJson, direction: Direction): GroupRule[] {
  const rules: GroupRule[] = [];
  for (const group of resourcesOfType(json, "aws_security_group")) {
    for (const rule of blocks(group.block[direction])) {
      rules.push({
        address: group.address,
        groupAddress: group.address,
        direction,
        description: String(rule.description ?? ""),
        protocol: String(rule.protocol ?? ""),
        fromPort: portNumber(rule.from_port),
        toPort: portNumber(rule.to_port),
        cidrs: [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)],
      });
    }
  }
  /** A rule of its own resource; the two resource types name the protocol and the CIDRs differently. */
  const standalone = (rule: AddressedResource, protocol: unknown, cidrs: string[]): GroupRule => ({
    address: rule.address,
    groupAddress: referencedAddresses(rule.block.security_group_id)[0],
    direction,
    description: String(rule.block.description ?? ""),
    protocol: String(protocol ?? ""),
    fromPort: portNumber(rule.block.from_port),
    toPort: portNumber(rule.block.to_port),
    cidrs,
  });
  for (const rule of resourcesOfType(json, "aws_security_group_rule")) {
    if (rule.block.type !== direction) continue;
    rules.push(standalone(rule, rule.block.protocol, [...strings(rule.block.cidr_blocks), ...strings(rule.block.ipv6_cidr_blocks)]));
  }
  for (const rule of resourcesOfType(json, `aws_vpc_security_group_${direction}_rule`)) {
    const cidrs = [rule.block.cidr_ipv4, rule.block.cidr_ipv6].filter((cidr): cidr is string => typeof cidr === "string");
    rules.push(standalone(rule, rule.block.ip_protocol, cidrs));
  }
  return rules;
}

const ingressRules = (json: TerraformJson) => groupRules(json, "ingress");

const describeRule = (rule: GroupRule) => (rule.description ? `${rule.direction} "${rule.description}"` : `an ${rule.direction} rule`);

const adminPortsClosed: Check = (json) =>
  ingressRules(json).flatMap((rule) => {
    const open = rule.cidrs.filter((cidr) => ANYWHERE_CIDRS.includes(cidr));
    if (open.length === 0) return [];
    const allPorts = PROTOCOL_ALL.includes(rule.protocol);
    if (!allPorts && !PROTOCOL_TCP.includes(rule.protocol)) return [];
    const from = rule.fromPort ?? 0;
    const to = rule.toPort ?? from;
    const exposed = Object.entries(ADMIN_PORTS).filter(
      ([port]) => allPorts || (Number(port) >= from && Number(port) <= Math.max(from, to)),
    );
    return exposed.map(([port, name]) => ({
      address: rule.address,
      message: `${describeRule(rule)} lets ${open.join(", ")} reach port ${port} (${name}); allow only an admin network, or reach the hosts through SSM Session Manager`,
    }));
  });

/** Security groups of the application load balancers of the stack. */
function loadBalancerGroups(json: TerraformJson): Map<string, string> {
  const groups = new Map<string, string>();
  for (const lb of resourcesOfType(json, "aws_lb", "aws_alb")) {
    const type = lb.block.load_balancer_type ?? "application";
    if (type !== "application") continue;
    for (const group of referencedAddresses(lb.block.security_groups)) groups.set(group, lb.address);
  }
  return groups;
}

const noUdpToLoadBalancer: Check = (json) => {
  const groups = loadBalancerGroups(json);
  return ingressRules(json)
    .filter((rule) => rule.groupAddress !== undefined && groups.has(rule.groupAddress))
    .filter((rule) => PROTOCOL_UDP.includes(rule.protocol) || PROTOCOL_ALL.includes(rule.protocol))
    .map((rule) => ({
      address: rule.address,
      message:
        `${describeRule(rule)} lets ${PROTOCOL_UDP.includes(rule.protocol) ? "UDP" : "all traffic, UDP included,"} ` +
        `reach the group of ${groups.get(rule.groupAddress!)}; an ALB carries only HTTP(S): open UDP on the instances' group instead`,
    }));
};

const invalidHeadersDropped: Check = (json) =>
  resourcesOfType(json, "aws_lb", "aws_alb")
    .filter((lb) => (lb.block.load_balancer_type ?? "application") === "application" && lb.block.drop_invalid_header_fields !== true)
    .map((lb) => ({
      address: lb.address,
      message: `drop_invalid_header_fields is ${JSON.stringify(lb.block.drop_invalid_header_fields ?? "unset")}, so header fields with invalid characters reach the services (request smuggling); set it to true`,
    }));

const ingressHasListener: Check = (json) => {
  const groups = loadBalancerGroups(json);
  const listenerPorts = new Map<string, number[]>();
  for (const listener of resourcesOfType(json, "aws_lb_listener", "aws_alb_listener")) {
    for (const lb of referencedAddresses(listener.block.load_balancer_arn)) {
      listenerPorts.set(lb, [...(listenerPorts.get(lb) ?? []), Number(listener.block.port)]);
    }
  }
  return ingressRules(json)
    .filter((rule) => rule.groupAddress !== undefined && groups.has(rule.groupAddress) && !PROTOCOL_UDP.includes(rule.protocol))
    .filter((rule) => {
      const ports = listenerPorts.get(groups.get(rule.groupAddress!)!) ?? [];
      return rule.fromPort === undefined || !ports.some((port) => port >= rule.fromPort! && port <= (rule.toPort ?? rule.fromPort!));
    })
    .map((rule) => ({
      address: rule.address,
      message: `${describeRule(rule)} opens port ${rule.fromPort ?? "all"} of the group of ${groups.get(rule.groupAddress!)}, which has no listener there; remove the rule`,
    }));
};

/**
 * All traffic, or every TCP port. UDP to every port stays allowed: a media server's ICE checks go to
 * whatever port each client's candidate has, which no rule can name in advance.
 */
const opensEverything = (rule: GroupRule) =>
  PROTOCOL_ALL.includes(rule.protocol) || (PROTOCOL_TCP.includes(rule.protocol) && (rule.fromPort ?? 0) <= 0 && (rule.toPort ?? 0) >= 65535);

const egressLimited: Check = (json) =>
  groupRules(json, "egress")
    .filter((rule) => opensEverything(rule) && rule.cidrs.some((cidr) => ANYWHERE_CIDRS.includes(cidr)))
    .map((rule) => ({
      address: rule.address,
      message: `${describeRule(rule)} lets ${PROTOCOL_ALL.includes(rule.protocol) ? "all traffic" : "every TCP port"} out to ${rule.cidrs.filter((cidr) => ANYWHERE_CIDRS.includes(cidr)).join(", ")}; allow only the ports and destinations the group needs`,
    }));

const rulesDescribed: Check = (json) =>
  [...groupRules(json, "ingress"), ...groupRules(json, "egress")]
    .filter((rule) => rule.description.trim() === "")
    .map((rule) => ({
      address: rule.address,
      message: `an ${rule.direction} rule (${rule.protocol} ${rule.fromPort ?? "all"}${rule.toPort !== undefined && rule.toPort !== rule.fromPort ? `-${rule.toPort}` : ""}) has no description; say what it lets through and why`,
    }));

/** The bucket a logging target names, by reference or literal name, if the stack creates it. */
const targetBucket = (json: TerraformJson, target: unknown): AddressedResource | undefined =>
  resourcesOfType(json, "aws_s3_bucket").find((bucket) => referencedAddresses(target).includes(bucket.address) || (typeof target === "string" && bucket.block.bucket === target));

/** Problems of an access log target: a bucket of this stack whose lifecycle expires what it holds. */
function logTargetProblem(json: TerraformJson, target: unknown): string | undefined {
  const bucket = targetBucket(json, target);
  if (bucket === undefined) return `its log bucket ${JSON.stringify(target)} is not created in this stack, so nothing here says how long the logs are kept`;
  const expires = bucketCompanions(json, "aws_s3_bucket_lifecycle_configuration", bucket).some((lifecycle) =>
    blocks(lifecycle.rule).some((rule) => rule.status === "Enabled" && blocks(rule.expiration).some((expiration) => Number(expiration.days) > 0)),
  );
  return expires ? undefined : `its log bucket ${bucket.address} has no lifecycle rule that expires the logs; give it a retention`;
}

const accessLogsWritten: Check = (json, context) => {
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  for (const lb of resourcesOfType(json, "aws_lb", "aws_alb").filter((lb) => (lb.block.load_balancer_type ?? "application") === "application")) {
    const logs = blocks(lb.block.access_logs)[0];
    if (logs === undefined || logs.enabled !== true) {
      findings.push({ address: lb.address, message: "access_logs are not enabled, so no request can be traced after the fact; enable them into a log bucket with a retention" });
      continue;
    }
    const problem = logTargetProblem(json, logs.bucket);
    if (problem) findings.push({ address: lb.address, message: problem });
  }
  const stateBucket = context.stateBucket ?? (typeof json.terraform?.backend?.s3?.bucket === "string" ? json.terraform.backend.s3.bucket : undefined);
  for (const bucket of resourcesOfType(json, "aws_s3_bucket").filter((b) => b.block.bucket === stateBucket)) {
    const logging = bucketCompanions(json, "aws_s3_bucket_logging", bucket)[0];
    const problem = logging === undefined ? "has no aws_s3_bucket_logging, so no read or write of a state can be traced" : logTargetProblem(json, logging.target_bucket);
    if (problem) findings.push({ address: bucket.address, message: `state bucket ${stateBucket}: ${problem}` });
  }
  return findings;
};

const currentTlsPolicy: Check = (json) =>
  resourcesOfType(json, "aws_lb_listener", "aws_alb_listener")
    .filter((listener) => listener.block.protocol === "HTTPS" || listener.block.protocol === "TLS")
    .flatMap((listener) => {
      const policy = listener.block.ssl_policy;
      if (typeof policy === "string" && !isExpression(policy) && isCurrentTlsPolicy(policy)) return [];
      return [
        {
          address: listener.address,
          message:
            policy === undefined
              ? `no ssl_policy: AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0; set ${RECOMMENDED_TLS_POLICY}`
              : isExpression(policy)
                ? `ssl_policy ${JSON.stringify(policy)} is a Terraform expression, so the policy it names cannot be checked; give the policy's name as a literal, e.g. ${RECOMMENDED_TLS_POLICY}`
                : `ssl_policy ${JSON.stringify(policy)} is not a current policy (TLS 1.3 with TLS 1.2 at least); use ${RECOMMENDED_TLS_POLICY}`,
        },
      ];
    });

const efsTransitEncryption: Check = (json) =>
  resourcesOfType(json, "aws_ecs_task_definition").flatMap((task) =>
    blocks(task.block.volume).flatMap((volume) =>
      blocks(volume.efs_volume_configuration)
        .filter((efs) => efs.transit_encryption !== "ENABLED")
        .map((efs) => ({
          address: task.address,
          message: `EFS volume ${JSON.stringify(volume.name)} has transit_encryption ${JSON.stringify(efs.transit_encryption ?? "unset")}; set it to "ENABLED" (NFS traffic is otherwise clear text)`,
        })),
    ),
  );

const imdsv2Required: Check = (json) =>
  resourcesOfType(json, "aws_launch_configuration", "aws_launch_template", "aws_instance").flatMap((resource) => {
    const options = blocks(resource.block.metadata_options)[0];
    if (options?.http_tokens === "required" || options?.http_endpoint === "disabled") return [];
    return [
      {
        address: resource.address,
        message:
          options === undefined
            ? 'no metadata_options: instances accept IMDSv1; set metadata_options { http_tokens = "required" }'
            : `metadata_options.http_tokens is ${JSON.stringify(options.http_tokens ?? "unset")}; set it to "required"`,
      },
    ];
  });

/** The user data's host rule (`ecs-user-data.ts`): container traffic to the metadata service dropped in DOCKER-USER. */
const HOST_RULE = /iptables -I DOCKER-USER 1 -i docker\+ -d 169\.254\.169\.254\/32 -j DROP/;

const containerMetadataBlocked: Check = (json) =>
  resourcesOfType(json, "aws_launch_configuration", "aws_launch_template").flatMap((resource) => {
    const options = blocks(resource.block.metadata_options)[0];
    const problems: string[] = [];
    if (options === undefined) {
      problems.push("no metadata_options: containers reach the metadata service with no token and no hop limit; set http_put_response_hop_limit = 1 (with http_tokens = \"required\")");
    } else if (options.http_put_response_hop_limit !== 1) {
      problems.push(
        `metadata_options.http_put_response_hop_limit is ${JSON.stringify(options?.http_put_response_hop_limit ?? "unset")} (the ECS-optimized AMIs default to 2), so containers in bridge mode get IMDSv2 tokens; set it to 1`,
      );
    }
    if (!HOST_RULE.test(String(resource.block.user_data ?? ""))) {
      problems.push("the user data does not drop container traffic to 169.254.169.254 (ECS's DOCKER-USER host rule), so any container can take the instance role's credentials; add it (ecsUserData's blockContainerMetadata)");
    }
    return problems.map((message) => ({ address: resource.address, message }));
  });

/** Containers of a task definition, or undefined when `container_definitions` is not literal JSON. */
function containersOf(task: AddressedResource): Block[] | undefined {
  const raw = task.block.container_definitions;
  if (typeof raw !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isBlock) : undefined;
  } catch {
    return undefined;
  }
}

const unreadableContainers = (task: AddressedResource) => ({
  address: task.address,
  message: "container_definitions is not literal JSON, so it cannot be checked; render the containers as JSON",
});

const noLiteralSecrets: Check = (json) => {
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  for (const task of resourcesOfType(json, "aws_ecs_task_definition")) {
    const containers = containersOf(task);
    if (containers === undefined) {
      findings.push(unreadableContainers(task));
      continue;
    }
    for (const container of containers) {
      for (const variable of blocks(container.environment)) {
        const name = String(variable.name ?? "");
        if (SECRET_VARIABLE_NAME.test(name) && typeof variable.value === "string" && variable.value !== "") {
          findings.push({
            address: task.address,
            message: `container ${JSON.stringify(container.name)} has ${name} as a literal in its environment; pass it through "secrets" from an SSM SecureString parameter`,
          });
        }
      }
    }
  }
  for (const parameter of resourcesOfType(json, "aws_ssm_parameter")) {
    const literal = [parameter.block.value, parameter.block.insecure_value, parameter.block.value_wo].some(
      (value) => (typeof value === "string" && !isExpression(value)) || typeof value === "number" || typeof value === "boolean",
    );
    if (!literal) continue;
    const name = typeof parameter.block.name === "string" && !isExpression(parameter.block.name) ? parameter.block.name : "";
    const lastSegment = name.slice(name.lastIndexOf("/") + 1);
    const platformSecret = PLATFORM_SECRETS.find((secret) => name.endsWith(secret));
    const type = JSON.stringify(parameter.block.type ?? "String");
    const secure = parameter.block.type === "SecureString";
    // A secret stored as String is still a secret: the name tells, whatever the type says.
    const what = secure
      ? "a SecureString parameter"
      : platformSecret !== undefined
        ? `a ${type} parameter named as the platform secret ${platformSecret}`
        : SECRET_VARIABLE_NAME.test(lastSegment)
          ? `a ${type} parameter whose name ${JSON.stringify(name)} says it holds a secret`
          : undefined;
    if (what !== undefined) {
      findings.push({
        address: parameter.address,
        message: `${what} with a literal value puts the secret in the code${secure ? "" : " and, unencrypted, in the parameter store"}; ${secure ? "" : "make it a SecureString, "}generate it (random_password) or write it out of band`,
      });
    }
  }
  return findings;
};

/** Managed resources of the random provider whose result is a secret Terraform keeps in state. */
const SECRET_RESULT_TYPES = ["random_password", "random_string"];

const noSecretInState: Check = (json) => [
  ...SECRET_RESULT_TYPES.flatMap((type) =>
    resourcesOfType(json, type).map((resource) => ({
      address: resource.address,
      message: `a ${type} resource keeps its result in the state (and every old version of it); generate the value with an ephemeral ${type} and write it through a write-only argument (value_wo)`,
    })),
  ),
  ...resourcesOfType(json, "aws_ssm_parameter")
    .filter((parameter) => parameter.block.type === "SecureString" && (parameter.block.value !== undefined || parameter.block.insecure_value !== undefined))
    .map((parameter) => ({
      address: parameter.address,
      message: "a SecureString parameter with value keeps the secret in the state; write it through value_wo with value_wo_version, which no state or plan records",
    })),
];

/** Resources of a type whose `bucket` names the given bucket resource, by reference or by literal name. */
function bucketCompanions(json: TerraformJson, type: string, bucket: AddressedResource): Block[] {
  return resourcesOfType(json, type)
    .filter(
      (companion) =>
        referencedAddresses(companion.block.bucket).includes(bucket.address) || companion.block.bucket === bucket.block.bucket,
    )
    .map((companion) => companion.block);
}

const stateBucketProtected: Check = (json, context) => {
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  const s3Backend = json.terraform?.backend?.s3;
  if (s3Backend !== undefined && s3Backend.encrypt !== true) {
    findings.push({
      address: "terraform.backend.s3",
      message: `encrypt is ${JSON.stringify(s3Backend.encrypt ?? "unset")}; set "encrypt": true in backend.tf.json`,
    });
  }
  const stateBucket = context.stateBucket ?? (typeof s3Backend?.bucket === "string" ? s3Backend.bucket : undefined);
  if (stateBucket === undefined) return findings;
  for (const bucket of resourcesOfType(json, "aws_s3_bucket").filter((b) => b.block.bucket === stateBucket)) {
    const problem = (message: string) => findings.push({ address: bucket.address, message: `state bucket ${stateBucket}: ${message}` });
    const versioned =
      blocks(bucket.block.versioning).some((v) => v.enabled === true) ||
      bucketCompanions(json, "aws_s3_bucket_versioning", bucket).some((v) =>
        blocks(v.versioning_configuration).some((c) => c.status === "Enabled"),
      );
    if (!versioned) problem('not versioned; add aws_s3_bucket_versioning with status "Enabled" so an overwritten state can be restored');
    const sse = (configurations: Block[]) =>
      configurations.some((configuration) =>
        blocks(configuration.rule).some((rule) =>
          blocks(rule.apply_server_side_encryption_by_default).some((d) =>
            STATE_BUCKET_SSE_ALGORITHMS.includes(String(d.sse_algorithm)),
          ),
        ),
      );
    const encrypted =
      sse(blocks(bucket.block.server_side_encryption_configuration)) ||
      sse(bucketCompanions(json, "aws_s3_bucket_server_side_encryption_configuration", bucket));
    if (!encrypted) problem("no default encryption; add aws_s3_bucket_server_side_encryption_configuration (AES256 or aws:kms)");
    const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    const blocked = bucketCompanions(json, "aws_s3_bucket_public_access_block", bucket).some((access) =>
      flags.every((flag) => access[flag] === true),
    );
    if (!blocked) problem(`public access not blocked; add aws_s3_bucket_public_access_block with ${flags.join(", ")} all true`);
    if (typeof bucket.block.acl === "string" && bucket.block.acl.startsWith("public")) {
      problem(`acl ${JSON.stringify(bucket.block.acl)} makes it public; remove the ACL`);
    }
    const expiring = bucketCompanions(json, "aws_s3_bucket_lifecycle_configuration", bucket).some((configuration) =>
      blocks(configuration.rule).some((rule) => rule.status === "Enabled" && blocks(rule.noncurrent_version_expiration).length > 0),
    );
    if (!expiring) problem("old state versions are kept forever; add aws_s3_bucket_lifecycle_configuration with noncurrent_version_expiration");
  }
  // The lock table lives beside the bucket, in the stack that creates both.
  const createsStateBucket = resourcesOfType(json, "aws_s3_bucket").some((bucket) => bucket.block.bucket === stateBucket);
  for (const table of createsStateBucket ? resourcesOfType(json, "aws_dynamodb_table") : []) {
    if (!blocks(table.block.point_in_time_recovery).some((recovery) => recovery.enabled === true)) {
      findings.push({ address: table.address, message: "lock table without point-in-time recovery; set point_in_time_recovery { enabled = true }" });
    }
  }
  return findings;
};

const productionDeletionProtection: Check = (json, context) => {
  if (!context.environment?.production) return [];
  const name = context.environment.name;
  const loadBalancers = resourcesOfType(json, "aws_lb", "aws_alb")
    .filter((lb) => lb.block.enable_deletion_protection !== true)
    .map((lb) => ({
      address: lb.address,
      message: `enable_deletion_protection is ${JSON.stringify(lb.block.enable_deletion_protection ?? false)} in production environment ${name}; set the environment's loadBalancer.deletionProtection to true`,
    }));
  // Synapse's database: a deleted instance takes every message with it, and its final snapshot is the only way back.
  const databases = resourcesOfType(json, "aws_db_instance")
    .filter((db) => db.block.deletion_protection !== true)
    .map((db) => ({
      address: db.address,
      message: `deletion_protection is ${JSON.stringify(db.block.deletion_protection ?? false)} in production environment ${name}; set the environment's rds.deletionProtection to true`,
    }));
  return [...loadBalancers, ...databases];
};

const sameTags = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value);

const environmentTags: Check = (json, context) => {
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  const awsResources = allResources(json).filter((resource) => resource.type.startsWith("aws_"));
  if (awsResources.length === 0) return findings;
  const expected = context.environment?.tags;
  const providers = json.provider?.aws ?? [];
  if (providers.length === 0) {
    findings.push({ address: "provider.aws", message: "no aws provider block, so no default_tags; configure the provider with the environment's tags" });
  }
  providers.forEach((provider, index) => {
    const address = `provider.aws${provider.alias ? `.${String(provider.alias)}` : providers.length > 1 ? `[${index}]` : ""}`;
    const tags = blocks(provider.default_tags)[0]?.tags;
    if (!isBlock(tags) || Object.keys(tags).length === 0) {
      findings.push({ address, message: "no default_tags; set them to the environment's tags" });
    } else if (expected !== undefined && !sameTags(tags, expected)) {
      findings.push({
        address,
        message: `default_tags ${JSON.stringify(tags)} differ from the environment's tags ${JSON.stringify(expected)}; pass the environment's tags unchanged`,
      });
    }
  });
  if (expected === undefined) return findings;
  for (const resource of awsResources) {
    const own: [string, unknown][] = [
      ...(isBlock(resource.block.tags) ? Object.entries(resource.block.tags) : []),
      ...blocks(resource.block.tag).map((tag): [string, unknown] => [String(tag.key), tag.value]),
    ];
    for (const [key, value] of own) {
      if (key in expected && value !== expected[key]) {
        findings.push({
          address: resource.address,
          message: `tag ${key}=${JSON.stringify(value)} overrides the environment's ${key}=${JSON.stringify(expected[key])}; remove it from the resource`,
        });
      }
    }
  }
  return findings;
};

/** The environment's tags, or for a stack of no environment the aws provider's default tags. */
function expectedTags(json: TerraformJson, context: BaselineContext): Readonly<Record<string, unknown>> | undefined {
  if (context.environment !== undefined) return context.environment.tags;
  const tags = blocks((json.provider?.aws ?? [])[0]?.default_tags)[0]?.tags;
  return isBlock(tags) ? tags : undefined;
}

/** Keys of `expected` that `actual` lacks or sets to another value. */
const missingTags = (expected: Readonly<Record<string, unknown>>, actual: Readonly<Record<string, unknown>>) =>
  Object.entries(expected)
    .filter(([key, value]) => actual[key] !== value)
    .map(([key]) => key);

/** The resources of `BEYOND_DEFAULT_TAGS`, each checked for the way it gets the environment's tags. */
const autoscalingTags: Check = (json, context) => {
  const expected = expectedTags(json, context);
  if (expected === undefined || Object.keys(expected).length === 0) return [];
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  for (const group of resourcesOfType(json, "aws_autoscaling_group")) {
    const propagated = Object.fromEntries(
      blocks(group.block.tag)
        .filter((tag) => tag.propagate_at_launch === true)
        .map((tag) => [String(tag.key), tag.value]),
    );
    const missing = missingTags(expected, propagated);
    if (missing.length > 0) {
      findings.push({
        address: group.address,
        message: `no tag block with propagate_at_launch = true for ${missing.join(", ")}: default_tags reach neither the group nor its instances; give it ${BEYOND_DEFAULT_TAGS.aws_autoscaling_group}`,
      });
    }
  }
  for (const template of resourcesOfType(json, "aws_launch_template")) {
    const specifications = blocks(template.block.tag_specifications);
    for (const resourceType of ["instance", "volume"]) {
      const tags = Object.assign(
        {},
        ...specifications.filter((s) => s.resource_type === resourceType).map((s) => (isBlock(s.tags) ? s.tags : {})),
      ) as Record<string, unknown>;
      const missing = missingTags(expected, tags);
      if (missing.length > 0) {
        findings.push({
          address: template.address,
          message: `tag_specifications for ${resourceType} lack ${missing.join(", ")}: default_tags do not reach what a launch template launches; give it ${BEYOND_DEFAULT_TAGS.aws_launch_template}`,
        });
      }
    }
  }
  return findings;
};

/** The repository of an image reference, without registry host, tag or digest: `postgres`, `matrixdotorg/synapse`. */
export function imageRepository(image: string): string {
  const name = image.split("@")[0];
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  const withoutTag = colon < 0 ? name : name.slice(0, colon);
  const parts = withoutTag.split("/");
  // A first part with a dot or a port is a registry host (public.ecr.aws, 123.dkr.ecr...); docker.io/library/ is Docker Hub's.
  const path = parts.length > 1 && /[.:]/.test(parts[0]) ? parts.slice(1) : parts;
  // Docker Hub's official images are library/<name>, also under a pull-through cache's prefix (<prefix>/library/<name>).
  const library = path.indexOf("library");
  return (library >= 0 ? path.slice(library + 1) : path).join("/");
}

const readOnlyRootFilesystems: Check = (json) =>
  resourcesOfType(json, "aws_ecs_task_definition").flatMap((task) => {
    const containers = containersOf(task);
    if (containers === undefined) return [unreadableContainers(task)];
    return containers
      .filter((container) => READ_ONLY_CAPABLE_IMAGES.includes(imageRepository(String(container.image ?? ""))) && container.readonlyRootFilesystem !== true)
      .map((container) => ({
        address: task.address,
        message: `container ${JSON.stringify(container.name)} runs ${JSON.stringify(container.image)} with a writable root filesystem, though the image runs read-only; set readonlyRootFilesystem and give its writable paths as tmpfs or volumes`,
      }));
  });

/** The tag of an image reference, `undefined` when it has none, `null` when it is pinned by digest. */
export function imageTag(image: string): string | undefined | null {
  if (image.includes("@")) return null;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

/** Where each encrypted resource type names its KMS key, and the AWS-managed alias that is no customer-managed key. */
const KEY_ATTRIBUTES: readonly { type: string; attribute: string; awsManaged?: string; applies?: (block: Block) => boolean }[] = [
  { type: "aws_ssm_parameter", attribute: "key_id", awsManaged: "alias/aws/ssm", applies: (block) => block.type === "SecureString" },
  { type: "aws_cloudwatch_log_group", attribute: "kms_key_id" },
  { type: "aws_sns_topic", attribute: "kms_master_key_id", awsManaged: "alias/aws/sns" },
  { type: "aws_backup_vault", attribute: "kms_key_arn" },
  { type: "aws_db_instance", attribute: "kms_key_id" },
  // RDS's secret of the master password, which Secrets Manager otherwise encrypts with aws/secretsmanager.
  { type: "aws_db_instance", attribute: "master_user_secret_kms_key_id", applies: (block) => block.manage_master_user_password === true },
  // Performance Insights keeps samples of the queries, with their literal values, under aws/rds otherwise.
  { type: "aws_db_instance", attribute: "performance_insights_kms_key_id", applies: (block) => block.performance_insights_enabled === true },
];

const customerManagedKey: Check = (json, context) => {
  const findings: Omit<Finding, "rule" | "stack">[] = [];
  for (const { type, attribute, awsManaged, applies } of KEY_ATTRIBUTES) {
    for (const resource of resourcesOfType(json, type)) {
      if (applies && !applies(resource.block)) continue;
      const key = resource.block[attribute];
      if (typeof key !== "string" || key === "" || key === awsManaged) {
        findings.push({ address: resource.address, message: `${attribute} is ${JSON.stringify(key ?? "unset")}, so an AWS-managed key encrypts it, whose policy nobody can narrow; name the environment's key (encryptionKey)` });
      }
    }
  }
  const s3Backend = json.terraform?.backend?.s3;
  if (s3Backend !== undefined && (typeof s3Backend.kms_key_id !== "string" || s3Backend.kms_key_id === "")) {
    findings.push({ address: "terraform.backend.s3", message: "kms_key_id is unset, so Terraform writes the state with SSE-S3 whatever the bucket's default; name the state key's alias in backend.tf.json" });
  }
  const stateBucket = context.stateBucket ?? (typeof s3Backend?.bucket === "string" ? s3Backend.bucket : undefined);
  for (const bucket of resourcesOfType(json, "aws_s3_bucket").filter((b) => b.block.bucket === stateBucket)) {
    const byKey = bucketCompanions(json, "aws_s3_bucket_server_side_encryption_configuration", bucket).some((configuration) =>
      blocks(configuration.rule).some((rule) => {
        const sse = blocks(rule.apply_server_side_encryption_by_default)[0];
        return sse?.sse_algorithm === "aws:kms" && typeof sse.kms_master_key_id === "string" && sse.kms_master_key_id !== "";
      }),
    );
    if (!byKey) findings.push({ address: bucket.address, message: `state bucket ${stateBucket}: its default encryption names no customer-managed KMS key; give backend.tf.json a kms_key_id, whose key the stack creates` });
  }
  for (const key of resourcesOfType(json, "aws_kms_key").filter((k) => k.block.enable_key_rotation !== true)) {
    findings.push({ address: key.address, message: "enable_key_rotation is not true; rotate the key yearly" });
  }
  return findings;
};

const pinnedImageTags: Check = (json) =>
  resourcesOfType(json, "aws_ecs_task_definition").flatMap((task) => {
    const containers = containersOf(task);
    if (containers === undefined) return [unreadableContainers(task)];
    return containers.flatMap((container) => {
      const image = String(container.image ?? "");
      const tag = imageTag(image);
      if (tag === null || isExpression(image) || (tag !== undefined && tag !== "" && !isFloatingImageTag(tag))) return [];
      return [
        {
          address: task.address,
          message: `container ${JSON.stringify(container.name)} runs ${JSON.stringify(image)}, ${tag === undefined || tag === "" ? "which has no tag (Docker pulls latest)" : "whose tag moves with every push"}; pin a version tag`,
        },
      ];
    });
  });

/** The check of each rule. */
export const BASELINE_CHECKS: Readonly<Record<BaselineRuleId, Check>> = {
  "admin-ports-closed": adminPortsClosed,
  "no-udp-to-load-balancer": noUdpToLoadBalancer,
  "invalid-headers-dropped": invalidHeadersDropped,
  "ingress-has-listener": ingressHasListener,
  "egress-limited": egressLimited,
  "rules-described": rulesDescribed,
  "access-logs": accessLogsWritten,
  "current-tls-policy": currentTlsPolicy,
  "efs-transit-encryption": efsTransitEncryption,
  "imdsv2-required": imdsv2Required,
  "container-metadata-blocked": containerMetadataBlocked,
  "customer-managed-key": customerManagedKey,
  "read-only-root-filesystems": readOnlyRootFilesystems,
  "no-literal-secrets": noLiteralSecrets,
  "no-secret-in-state": noSecretInState,
  "state-bucket-protected": stateBucketProtected,
  "production-deletion-protection": productionDeletionProtection,
  "environment-tags": environmentTags,
  "autoscaling-tags": autoscalingTags,
  "pinned-image-tags": pinnedImageTags,
  ...WIRING_CHECKS,
};

/** Every place where one stack breaks a rule of the baseline, waivers not applied. */
export function findViolations(stack: SynthesizedStack, context: BaselineContext = {}): Finding[] {
  return Object.entries(BASELINE_CHECKS).flatMap(([rule, check]) =>
    check(stack.json, context).map((finding) => ({ rule: rule as BaselineRuleId, stack: stack.name, ...finding })),
  );
}

/** A stack to check with its context. */
export interface StackUnderCheck extends SynthesizedStack {
  readonly context: BaselineContext;
}

/** A waiver an environment declares, and whether any stack needed it. */
export interface WaiverInForce {
  readonly environment: string;
  readonly rule: WaivableRuleId;
  readonly reason: string;
  /** The findings it excuses; empty when the waiver is no longer needed. */
  readonly findings: readonly Finding[];
}

export interface BaselineReport {
  /** Findings no waiver excuses: each one fails the baseline. */
  readonly violations: readonly Finding[];
  /** Every waiver declared by an environment of the checked stacks. */
  readonly waivers: readonly WaiverInForce[];
  /** Waivers that excuse nothing; they fail the baseline too, so that none outlives its reason. */
  readonly unusedWaivers: readonly WaiverInForce[];
  readonly passed: boolean;
}

/** Checks stacks against the baseline and applies the waivers of their environments. */
export function checkBaseline(stacks: readonly StackUnderCheck[]): BaselineReport {
  const violations: Finding[] = [];
  const waivers = new Map<string, { environment: string; rule: WaivableRuleId; reason: string; findings: Finding[] }>();
  for (const stack of stacks) {
    const environment = stack.context.environment;
    for (const [rule, reason] of Object.entries(environment?.waivers ?? {})) {
      const key = `${environment!.name}/${rule}`;
      if (!waivers.has(key)) waivers.set(key, { environment: environment!.name, rule: rule as WaivableRuleId, reason: reason!, findings: [] });
    }
  }
  for (const stack of stacks) {
    const environment = stack.context.environment;
    for (const finding of findViolations(stack, stack.context)) {
      const waiver = environment && BASELINE_RULES[finding.rule].waivable ? waivers.get(`${environment.name}/${finding.rule}`) : undefined;
      if (waiver) waiver.findings.push(finding);
      else violations.push(finding);
    }
  }
  const all = [...waivers.values()];
  const unusedWaivers = all.filter((waiver) => waiver.findings.length === 0);
  return { violations, waivers: all, unusedWaivers, passed: violations.length === 0 && unusedWaivers.length === 0 };
}

/** The report as text: the waivers in force, then what fails. */
export function formatBaselineReport(report: BaselineReport): string {
  const lines: string[] = [];
  lines.push(report.waivers.length === 0 ? "Security baseline: no waivers in force." : "Security baseline: waivers in force:");
  for (const waiver of report.waivers) {
    lines.push(`  - ${waiver.environment}: ${waiver.rule} (${waiver.findings.length} finding(s)): ${waiver.reason}`);
    for (const finding of waiver.findings) lines.push(`      ${finding.stack} ${finding.address}: ${finding.message}`);
  }
  for (const waiver of report.unusedWaivers) {
    lines.push(`FAIL waiver ${waiver.environment}: ${waiver.rule} excuses nothing; remove it from the environment's waivers`);
  }
  for (const finding of report.violations) {
    lines.push(`FAIL ${finding.rule}: ${finding.stack} ${finding.address}: ${finding.message}`);
  }
  if (report.passed) lines.push("Security baseline: passed.");
  return lines.join("\n");
}

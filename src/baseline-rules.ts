/**
 * The security baseline's rules: their ids, titles, whether an environment may
 * waive them, and the constants both the baseline checks and the environment
 * validation use, so the two cannot disagree. `docs/security-baseline.md`
 * explains each rule and its reason.
 */

/** Every rule of the baseline, in the order of `docs/security-baseline.md`. */
export const BASELINE_RULES = {
  "admin-ports-closed": {
    title: "No SSH or other admin port reachable from 0.0.0.0/0 or ::/0",
    waivable: true,
  },
  "no-udp-to-load-balancer": {
    title: "No rule lets UDP reach an application load balancer",
    waivable: true,
  },
  "invalid-headers-dropped": {
    title: "Application load balancers drop invalid HTTP header fields",
    waivable: true,
  },
  "ingress-has-listener": {
    title: "A load balancer's group opens only ports it has a listener on",
    waivable: true,
  },
  "egress-limited": {
    title: "No security group lets all traffic out to the internet",
    waivable: true,
  },
  "rules-described": {
    title: "Every security group rule has a description",
    waivable: true,
  },
  "access-logs": {
    title: "Application load balancers and the state bucket write access logs, to a bucket that expires them",
    waivable: true,
  },
  "current-tls-policy": {
    title: "HTTPS listeners use a current TLS policy (TLS 1.3, minimum TLS 1.2)",
    waivable: true,
  },
  "efs-transit-encryption": {
    title: "EFS volumes of tasks use transit encryption",
    waivable: true,
  },
  "imdsv2-required": {
    title: "Instances require IMDSv2 (metadata tokens)",
    waivable: true,
  },
  "container-metadata-blocked": {
    title: "Containers cannot reach the instance metadata service: hop limit 1 and the ECS host rule",
    waivable: true,
  },
  "customer-managed-key": {
    title: "SSM parameters, log groups, topics, backup vaults, Synapse's database and the Terraform states are encrypted with customer-managed KMS keys that rotate",
    waivable: true,
  },
  "read-only-root-filesystems": {
    title: "Containers of images that can run read-only do so",
    waivable: true,
  },
  "no-literal-secrets": {
    title: "No literal secrets in container environment or SSM parameters",
    waivable: false,
  },
  "no-secret-in-state": {
    title: "No generated or stored secret value in a Terraform state or plan",
    waivable: false,
  },
  "state-bucket-protected": {
    title: "The state bucket is encrypted, versioned, private and expires old versions; the lock table has point-in-time recovery; the backend encrypts state",
    waivable: false,
  },
  "production-deletion-protection": {
    title: "Load balancers and databases of production environments have deletion protection",
    waivable: true,
  },
  "environment-tags": {
    title: "Every resource carries the environment's tags",
    waivable: false,
  },
  "autoscaling-tags": {
    title: "Auto Scaling groups, and the instances and volumes they launch, carry the environment's tags",
    waivable: true,
  },
  "pinned-image-tags": {
    title: "Container images name a tag other than latest",
    waivable: true,
  },
  // The wiring rules: what AWS does after the apply (docs/aws-wiring.md). No environment setting breaks them, so
  // validation finds nothing to waive; a waiver of one is held to the baseline's findings alone.
  "topic-publishers-allowed": {
    title: "Every service that publishes to a topic is allowed by the topic's policy and, for an encrypted topic, by its key's policy",
    waivable: true,
    wiring: true,
  },
  "kms-writers-allowed": {
    title: "Every service that writes to a KMS-encrypted log group is allowed by the key's policy, and access logs go to SSE-S3 buckets",
    waivable: true,
    wiring: true,
  },
  "service-log-groups-declared": {
    title: "Every log group an AWS service would create itself is declared, with a retention and the environment's key",
    waivable: true,
    wiring: true,
  },
  "no-rotated-secret-in-services": {
    title: "No long-running task reads a secret that rotates behind it",
    waivable: true,
    wiring: true,
  },
  "reserved-ports-within-limit": {
    title: "The static host ports of the tasks on one instance stay within ECS's 100 reserved ports",
    waivable: true,
    wiring: true,
  },
  "references-not-names": {
    title: "A resource that names another of its stack references it instead of repeating its name",
    waivable: true,
    wiring: true,
  },
} as const;

/** Whether a rule is a wiring rule: checked on the synth alone, since no environment setting breaks it. */
export const isWiringRule = (rule: BaselineRuleId): boolean => "wiring" in BASELINE_RULES[rule];

export type BaselineRuleId = keyof typeof BASELINE_RULES;

/** Rules an environment may waive, with a reason, while its operators cannot yet change the setting. */
export type WaivableRuleId = {
  [K in BaselineRuleId]: (typeof BASELINE_RULES)[K]["waivable"] extends true ? K : never;
}[BaselineRuleId];

export const BASELINE_RULE_IDS = Object.keys(BASELINE_RULES) as BaselineRuleId[];

export const WAIVABLE_RULE_IDS = BASELINE_RULE_IDS.filter(
  (id): id is WaivableRuleId => BASELINE_RULES[id].waivable,
);

/** Waived rules of one environment, each with the reason it is kept. */
export type Waivers = Readonly<Partial<Record<WaivableRuleId, string>>>;

/** Ports that administer a host; none may be open to the whole internet. */
export const ADMIN_PORTS: Readonly<Record<number, string>> = {
  22: "SSH",
  23: "Telnet",
  2375: "Docker API",
  2376: "Docker API over TLS",
  3389: "RDP",
  5900: "VNC",
  5985: "WinRM",
  5986: "WinRM over HTTPS",
  51678: "ECS agent introspection",
};

/** CIDRs that mean "the whole internet". */
export const ANYWHERE_CIDRS: readonly string[] = ["0.0.0.0/0", "::/0"];

/** The TLS policy new environments get: TLS 1.3 and 1.2, forward secrecy, AWS's recommendation. */
export const RECOMMENDED_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * A current policy supports TLS 1.3 and accepts nothing older than TLS 1.2:
 * the `ELBSecurityPolicy-TLS13-1-2-*` and `-TLS13-1-3-*` families (including
 * their Res, Ext, FIPS and PQ variants). `ELBSecurityPolicy-2016-08`, the
 * API's default, still accepts TLS 1.0.
 */
export function isCurrentTlsPolicy(policy: string): boolean {
  return /^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$/.test(policy);
}

/** A tag that names no fixed image: what runs changes whenever someone pushes. */
export function isFloatingImageTag(tag: string): boolean {
  return tag === "latest";
}

/**
 * Names of variables that hold secrets. Such a variable must come from ECS
 * `secrets` (an SSM parameter), never from the plain `environment`.
 */
export const SECRET_VARIABLE_NAME = /PASSWORD|PASSWD|SECRET|CREDENTIAL|PRIVATE_KEY|(^|_)(TOKEN|API_KEY|ACCESS_KEY)$/i;

/**
 * What the AWS provider's `default_tags` do not reach, and how each gets the
 * environment's tags instead; `autoscaling-tags` checks the resource types named here.
 */
export const BEYOND_DEFAULT_TAGS = {
  // The provider skips the group itself (it has `tag` blocks, not `tags`), and EC2 Auto Scaling tags the
  // instances it launches only with the group's tag blocks that have propagate_at_launch.
  aws_autoscaling_group: "a tag block per environment tag, with propagate_at_launch = true",
  // default_tags tag the template, not what it launches: instances and their volumes get only its tag_specifications.
  aws_launch_template: 'tag_specifications for resource types "instance" and "volume" with the environment\'s tags',
  // Not listed: a launch configuration cannot tag what it launches; its instances get the group's tags, its volumes none.
} as const;

/** Server-side encryption algorithms S3 accepts as encryption at rest. */
export const STATE_BUCKET_SSE_ALGORITHMS: readonly string[] = ["AES256", "aws:kms", "aws:kms:dsse"];

/**
 * Repositories of the images that run with a read-only root filesystem, their writable paths as volumes or
 * tmpfs (`READ_ONLY_ROOT` in `modules/matrix.ts`); `read-only-root-filesystems` holds their containers to it.
 */
export const READ_ONLY_CAPABLE_IMAGES: readonly string[] = ["postgres", "redis"];

/**
 * The fields of an environment: their shape (the field schemas of `fields.ts`), the documentation
 * of each (the comments on the keys carry into the inferred types, so an editor shows them on an
 * environment file) and their defaults, taken from the constructs' exported constants.
 *
 * A few fields stay optional here because a rule must see whether the environment wrote them
 * (a legacy environment has to decide its operations options; a setting of the other scaling
 * mode is a mistake) or because their default derives from other fields (names): `schema.ts`
 * resolves those when it has checked the rules, so what the stacks read is fully resolved.
 *
 * Names follow AWS terms; a field that replaces a legacy variable
 * (`test/fixtures/legacy/environments.json`) names it.
 */
import { z } from "zod";
import { RECOMMENDED_TLS_POLICY } from "../baseline-rules";
import { DEFAULT_HEALTH_CHECK_GRACE_PERIOD, DEFAULT_HEALTH_CHECK_TYPE } from "../modules/autoscaling-capacity";
import { DEFAULT_ACCESS_LOG_RETENTION_DAYS } from "../modules/access-log-bucket";
import { DEFAULT_RATE_LIMIT_PER_5_MINUTES } from "../modules/web-acl";
import { EFS_BACKUP_DEFAULTS } from "../modules/efs-backup";
import { DEFAULT_KEY_DELETION_WINDOW_DAYS } from "../modules/environment-key";
import { JITSI_DEFAULT_MEMORY, JITSI_WEB_HOST_PORT, JITSI_WEB_IMAGES_PATH } from "../modules/jitsi";
import { DEFAULT_DELETION_PROTECTION } from "../modules/load-balancer";
import { ELEMENT_HOST_PORT, MATRIX_DEFAULT_CONTAINER_MEMORY, SYNAPSE_PORT } from "../modules/matrix";
import { ALARM_DEFAULTS } from "../modules/platform-alarms";
import { ALL_SECRETS, PlatformSecret } from "../modules/platform-secrets";
import { POSTGRES_UPGRADE_DEFAULTS } from "../modules/postgres-upgrade";
import { IMAGE_CACHE_DEFAULTS } from "../modules/image-cache";
import { SYNAPSE_DATABASE_DEFAULTS } from "../modules/synapse-database";
import { DEFAULT_SMTP_PORT } from "../modules/synapse-settings";
import { COTURN_DEFAULTS, COTURN_MAX_RELAY_PORTS } from "../modules/coturn";
import { DATABASE_BACKUP_DEFAULTS } from "../modules/database-backup";
import { DEFAULT_TURN_PORTS } from "../modules/turn";
import { INITIAL_SECRET_VERSION } from "../modules/secret-parameters";
import { DEFAULT_LOG_RETENTION_DAYS } from "../modules/service-log-group";
import * as field from "./fields";

/** Priorities of the HTTPS listener's host rules, as the legacy rules had them. */
export const DEFAULT_RULE_PRIORITIES = { synapseAdmin: 9, wellKnownServer: 10, wellKnownClient: 11, elementConfig: 12, element: 99, synapse: 100 } as const;

/** Name and description of a security group (legacy `*_sg_values`). */
const securityGroup = z.strictObject({ name: field.securityGroupName, description: field.securityGroupDescription });

/** An EFS access of a task: a named volume rooted at a directory of the file system. */
const efsVolume = z.strictObject({
  /** Volume name the containers mount (legacy `ecs_task_volumes_*[].name`). */
  name: field.volumeName,
  /** Absolute directory inside the file system (legacy `root_directory`). */
  rootDirectory: field.rootDirectory,
  /**
   * Encrypt NFS traffic between instance and EFS. `false` needs the `efs-transit-encryption` waiver.
   * @default true
   */
  transitEncryption: z.boolean().default(true),
});

/** When the alarms fire. */
const alarmThresholds = z.strictObject({
  /** Average CPU of the instances, percent. @default 75 */
  instanceCpuPercent: field.percent("CPU percentage", 75).default(ALARM_DEFAULTS.instanceCpuPercent),
  /** Minutes above it, a multiple of 5 (EC2's basic monitoring period). @default 5 */
  instanceCpuMinutes: field.wholeMinutes(5).default(ALARM_DEFAULTS.instanceCpuMinutes),
  /** Minutes a service may run no task before its alarm fires. @default 5 */
  taskCountMinutes: field.wholeMinutes().default(ALARM_DEFAULTS.taskCountMinutes),
  /** Minutes a target may stay unhealthy. @default 5 */
  unhealthyTargetMinutes: field.wholeMinutes().default(ALARM_DEFAULTS.unhealthyTargetMinutes),
  /** 5xx responses the load balancer itself generates per window. @default 10 */
  loadBalancer5xxCount: field.integer("count of responses", 1, 1000000, "e.g. 10").default(ALARM_DEFAULTS.loadBalancer5xxCount),
  /** The window of `loadBalancer5xxCount`, in minutes. @default 5 */
  loadBalancer5xxMinutes: field.wholeMinutes().default(ALARM_DEFAULTS.loadBalancer5xxMinutes),
  /** EFS burst credits, in GiB, below which the alarm fires. @default 1024 */
  efsBurstCreditBalanceGiB: field.burstCreditBalance.default(ALARM_DEFAULTS.efsBurstCreditBalanceGiB),
});

/*
 * The operations options (`logs`, `alarms`, `scaling`, `backups`) are on for a new environment
 * when left out; a legacy environment sets each `enabled: false` (validation insists, so that
 * adopting it stays a no-op) and switches them on one at a time (docs/operations-options.md).
 * Their `enabled` stays optional here so that the rule can tell; `schema.ts` resolves it to `true`.
 */

const logs = z.strictObject({
  /**
   * A CloudWatch log group per service and the `awslogs` driver on every container.
   * `false` leaves the logs on the instance, as the legacy tasks have them.
   * @default true
   */
  enabled: z.boolean().optional(),
  /**
   * Days CloudWatch keeps each log event: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
   * 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   * @default 30
   */
  retentionDays: field.logRetention.default(DEFAULT_LOG_RETENTION_DAYS),
});

const alarms = z.strictObject({
  /**
   * An SNS topic and alarms on instance CPU, each service's running tasks, unhealthy targets,
   * the load balancer's own 5xx and EFS burst credits.
   * @default true
   */
  enabled: z.boolean().optional(),
  /**
   * Addresses that get every alarm and every recovery by e-mail; each confirms AWS's
   * subscription mail first. At least one while alarms are on.
   * @default - none, which validation refuses while alarms are on
   */
  emailAddresses: field.emailAddresses.optional(),
  /** @default `jitsi-matrix-<name>-alarms` */
  topicName: field.snsTopicName.optional(),
  /** @default - see the thresholds' own defaults */
  thresholds: alarmThresholds.prefault({}),
  /**
   * The EFS burst credit alarm; turn it off for a file system in Elastic or Provisioned
   * throughput mode, where burst credits mean nothing.
   * @default true
   */
  efsBurstCredits: z.boolean().default(true),
  /**
   * ECS Container Insights on the cluster (a paid CloudWatch feature), so that each service's
   * alarm compares its running tasks with its desired count (one missing JVB of several too);
   * off, the alarm sees only a service with no task at all. Independent of `enabled`.
   * @default true
   */
  containerInsights: z.boolean().optional(),
});

const scaling = z.strictObject({
  /**
   * Let the Auto Scaling group change its size between `capacity.minSize` and `maxSize`,
   * through an ECS capacity provider, and let scale-in take the newest instance first (the
   * stateful services usually run on the oldest).
   * @default true
   */
  enabled: z.boolean().optional(),
  /**
   * - `"cpu"`: one instance more above `scaleOutCpuPercent`, one fewer below `scaleInCpuPercent`
   *   (the legacy production rule); the instances the stateful services start on are protected
   *   from scale-in, and ECS drains an instance before it goes.
   * - `"ecs-managed"`: ECS sizes the group for the tasks that need room, and never scales in an
   *   instance that runs a task; it does not scale out for daemon tasks, so no `jvbPerInstance`.
   * @default "cpu"
   */
  mode: z.enum(["cpu", "ecs-managed"]).default("cpu"),
  /** Mode `"cpu"` only. @default 75 */
  scaleOutCpuPercent: field.percent("CPU percentage", 75).optional(),
  /** Mode `"cpu"` only; below `scaleOutCpuPercent`. @default 25 */
  scaleInCpuPercent: field.percent("CPU percentage", 25).optional(),
  /** Mode `"ecs-managed"` only: percent of the instances the tasks should need. @default 100 */
  targetCapacityPercent: field.integer("target capacity", 1, 100, "100 keeps no spare instance").optional(),
  /**
   * Run the JVB as its own daemon service, one on every instance, each advertising its own
   * instance's public address and joining prosody through an internal network load balancer,
   * so that conference capacity grows with the group. Needs mode `"cpu"`.
   * @default - true with `enabled` and mode `"cpu"`, else false
   */
  jvbPerInstance: z.boolean().optional(),
  /**
   * Name of the internal network load balancer (and its target group) the JVBs reach prosody through, at most 32 characters.
   * @default `jitsi-xmpp-<name>`
   */
  xmppLoadBalancerName: field.loadBalancerName.optional(),
});

const backups = z.strictObject({
  /** A daily AWS Backup of the EFS file system. @default true */
  enabled: z.boolean().optional(),
  /** Days each daily recovery point is kept. @default 7 */
  retentionDays: field.integer("number of days", 1, 36500, "e.g. 7").default(EFS_BACKUP_DEFAULTS.retentionDays),
  /** When the daily backup starts, an AWS Backup cron expression in UTC. @default "cron(0 3 * * ? *)" */
  schedule: field.backupSchedule.default(EFS_BACKUP_DEFAULTS.schedule),
});

const wellKnown = z.strictObject({
  /**
   * The load balancer answers `https://<serverName>/.well-known/matrix/server` (`{"m.server": "<synapse host>:443"}`:
   * federation reaches Synapse through 443 by delegation, no port 8448) and `/.well-known/matrix/client` (the
   * client's base URL), as JSON fixed responses.
   * @default true
   */
  enabled: z.boolean().optional(),
  /**
   * The Matrix server name (the part after the colon in `@user:<serverName>`), one of `dns.hosts`: the load
   * balancer must serve it. It is fixed once users exist; it must be what Synapse's `server_name` says.
   * @default - `dns.hosts.matrix`
   */
  serverName: field.dnsName.optional(),
});

const synapseAdminBlock = z.strictObject({
  /**
   * The load balancer answers `/_synapse/admin/*` with 403 on the Matrix and Synapse hosts: Synapse's admin API is
   * for operators, who reach it from inside the VPC (or through an SSM port forward), never from the internet.
   * @default true
   */
  enabled: z.boolean().optional(),
});

const elementConfig = z.strictObject({
  /**
   * The load balancer answers Element's `/config.json` (and `/config.<element host>.json`, which Element asks for
   * first) with a configuration of the environment's own: its homeserver, its Matrix server name and its own Jitsi
   * for calls (`jitsi.preferred_domain`). Element then serves its image's release, not files on EFS.
   * @default true
   */
  enabled: z.boolean().optional(),
});

const coturn = z
  .strictObject({
    /**
     * coturn of the environment's own (in `jitsi-matrix-<env>`): a DAEMON service on every container instance behind
     * an internet-facing network load balancer (`turn-<env>`) that ends TURN over TLS with `certificateArn`, the
     * host's CNAME in the environment's zone pointing at it. `false`: `host` names a server the operator runs, set up
     * with the shared secret.
     * @default true
     */
    enabled: z.boolean().default(true),
    /** Tag of `coturn/coturn`. @default "4.17.0-r0" */
    imageTag: field.imageTag.default(COTURN_DEFAULTS.imageTag),
    /** UDP ports each instance relays media on, each published as itself: one per client behind a UDP-blocking firewall. @default { min: 49160, max: 49199 } */
    relayPorts: z.strictObject({ min: field.hostPort, max: field.hostPort }).default({ ...COTURN_DEFAULTS.relayPorts }),
    /** Hard memory limit, MiB. @default 256 */
    memory: field.memory.default(COTURN_DEFAULTS.memory),
    /** A certificate that names `host`, for TURN over TLS. @default loadBalancer.certificateArn */
    certificateArn: field.certificateArn.optional(),
  })
  .superRefine((value, ctx) => {
    const { min, max } = value.relayPorts;
    if (min > max) {
      ctx.addIssue({ code: "custom", path: ["relayPorts", "max"], input: max, message: `${max} is below relayPorts.min (${min}); give the range's last port, e.g. ${min + 39}` });
    } else if (max - min + 1 > COTURN_MAX_RELAY_PORTS) {
      ctx.addIssue({
        code: "custom",
        path: ["relayPorts"],
        input: value.relayPorts,
        message: `${min}-${max} is ${max - min + 1} ports, more than the ${COTURN_MAX_RELAY_PORTS} an instance publishes (Docker runs a proxy per published port); narrow it, e.g. { min: ${min}, max: ${min + COTURN_MAX_RELAY_PORTS - 1} }, and let more instances carry more`,
      });
    }
  });

const turn = z
  .strictObject({
    /**
     * DNS name of the TURN server, which prosody and Synapse hand their clients. With `coturn` on, a name inside the
     * environment's zone that the stack points at its load balancer; else a server (coturn, or any with TURN REST
     * credentials) whose `static-auth-secret` is the environment's `TURN_SHARED_SECRET` parameter, which
     * `secrets-<env>` generates.
     */
    host: field.dnsName,
    /** Port of TURN over UDP and TCP. @default 3478 */
    port: field.hostPort.default(DEFAULT_TURN_PORTS.port),
    /**
     * Port of TURN over TLS, the way through firewalls that let only HTTPS out: 443 where the server has an address
     * of its own for it (coturn's load balancer has), else coturn's 5349.
     * @default 443
     */
    tlsPort: field.hostPort.default(DEFAULT_TURN_PORTS.tlsPort),
    coturn: coturn.prefault({}),
  })
  .superRefine((value, ctx) => {
    if (value.port === value.tlsPort) {
      ctx.addIssue({ code: "custom", path: ["tlsPort"], input: value.tlsPort, message: `${value.tlsPort} is also turn.port; TURN over TLS needs a port of its own: use 443, or 5349` });
    }
  });

const rds = z.strictObject({
  /**
   * Synapse's database on Amazon RDS for PostgreSQL (in `jitsi-matrix-<env>`): encrypted with the environment's key,
   * automated backups, deletion protection, reached only from the instances' group, the master password managed by
   * RDS in Secrets Manager and never in a state. Synapse uses it where `matrix.database` is `"rds"`.
   * @default true
   */
  enabled: z.boolean().optional(),
  /** @default `jitsi-matrix-<name>` */
  identifier: field.rdsIdentifier.optional(),
  /** A major upstream supports; RDS keeps its newest minor. @default "17" */
  engineVersion: field.postgresEngineVersion.default(SYNAPSE_DATABASE_DEFAULTS.engineVersion),
  /** @default "db.t4g.small" */
  instanceClass: field.rdsInstanceClass.default(SYNAPSE_DATABASE_DEFAULTS.instanceClass),
  /** @default 20 */
  allocatedStorageGiB: field.integer("storage in GiB", 20, 65536, "e.g. 20").default(SYNAPSE_DATABASE_DEFAULTS.allocatedStorageGiB),
  /** Storage autoscaling's ceiling, at least `allocatedStorageGiB`. @default 100 */
  maxAllocatedStorageGiB: field.integer("storage in GiB", 20, 65536, "e.g. 100").default(SYNAPSE_DATABASE_DEFAULTS.maxAllocatedStorageGiB),
  /** Days RDS keeps the automated backups (point-in-time restore within them), 1 to 35. @default 7 */
  backupRetentionDays: field.integer("number of days", 1, 35, "e.g. 7").default(SYNAPSE_DATABASE_DEFAULTS.backupRetentionDays),
  /** A standby in a second zone: about double the instance's bill. @default false */
  multiAz: z.boolean().default(SYNAPSE_DATABASE_DEFAULTS.multiAz),
  /** @default true */
  deletionProtection: z.boolean().default(true),
}).superRefine((value, ctx) => {
  if (value.maxAllocatedStorageGiB < value.allocatedStorageGiB) {
    ctx.addIssue({ code: "custom", path: ["maxAllocatedStorageGiB"], input: value.maxAllocatedStorageGiB, message: `${value.maxAllocatedStorageGiB} is below allocatedStorageGiB (${value.allocatedStorageGiB}); storage autoscaling grows up to it: raise it to at least ${value.allocatedStorageGiB}` });
  }
});

const databaseBackups = z.strictObject({
  /**
   * Logical backups of Synapse's database (in `jitsi-matrix-<env>`): on `schedule`, a one-off task `pg_dump`s it,
   * with Synapse's signing keys, to `/database-dumps/<env>` on the environment's EFS file system (an access point of
   * its own), where the file system's backups keep them too; a failed one reaches the alarm topic. A dump is
   * consistent where a snapshot of a live database's files is not. Restores: docs/database-backups.md.
   * @default true
   */
  enabled: z.boolean().optional(),
  /** When the dump starts, an EventBridge cron expression in UTC. @default "cron(30 2 * * ? *)" */
  schedule: field.eventBridgeSchedule.default(DATABASE_BACKUP_DEFAULTS.schedule),
  /** Days each dump is kept on the file system (its backups keep their own copies as long as they live). @default 14 */
  retentionDays: field.integer("number of days", 1, 3650, "e.g. 14").default(DATABASE_BACKUP_DEFAULTS.retentionDays),
});

const imageCache = z.strictObject({
  /**
   * An ECR pull-through cache for the Docker Hub images, which every task then pulls from the region's ECR:
   * authenticated pulls (Docker Hub limits anonymous ones per address), and images that stay reachable when Docker
   * Hub is not. Needs `credentialSecretArn`. ECR bills storage, about 0.10 USD per GB-month (the platform's images
   * are a few GB).
   * @default false
   */
  enabled: z.boolean().default(false),
  /**
   * The Secrets Manager secret, named `ecr-pullthroughcache/<anything>`, with the Docker Hub account's `username`
   * and `accessToken`, which the operator creates: no stack holds the token.
   */
  credentialSecretArn: field.pullThroughCacheSecretArn.optional(),
  /** The cache's repository prefix, unique in the account and region. @default `docker-hub-<name>` */
  repositoryPrefix: field.ecrRepositoryPrefix.optional(),
  /** Images kept per repository, newest first. @default 10 */
  keepImages: field.integer("number of images", 1, 1000, "e.g. 10").default(IMAGE_CACHE_DEFAULTS.keepImages),
  /** Days an untagged image is kept. @default 7 */
  untaggedDays: field.integer("number of days", 1, 3650, "e.g. 7").default(IMAGE_CACHE_DEFAULTS.untaggedDays),
}).superRefine((value, ctx) => {
  if (value.enabled && value.credentialSecretArn === undefined) {
    ctx.addIssue({ code: "custom", path: ["credentialSecretArn"], input: undefined, message: "is not set while the cache is on: ECR pulls from Docker Hub with it; create the secret ecr-pullthroughcache/docker-hub with the account's username and accessToken and give its ARN, or set enabled: false" });
  }
});

const smtp = z.strictObject({
  /** The SMTP relay Synapse sends its mail through (password resets, notifications), e.g. Amazon SES's endpoint. */
  host: field.dnsName,
  /** @default 587, submission with STARTTLS */
  port: field.hostPort.default(DEFAULT_SMTP_PORT),
  /** @default - no login */
  user: field.tagText("SMTP user", 256).optional(),
  /**
   * The SecureString parameter that holds the SMTP password, which the operator writes (the relay issues it):
   * the task reads it at start, no stack holds it. Needs `user`.
   * @default - no login
   */
  passwordParameter: field.ssmParameterName.optional(),
  /** The sender of Synapse's mail. */
  notifFrom: field.mailSender,
}).superRefine((value, ctx) => {
  if (value.passwordParameter !== undefined && value.user === undefined) {
    ctx.addIssue({ code: "custom", path: ["user"], input: value.user, message: "is not set, but passwordParameter is: a password logs in as a user; set user to the relay's SMTP user, or drop passwordParameter" });
  }
});

const circuitBreakers = z.strictObject({
  /**
   * ECS's deployment circuit breaker with rollback on every service: a deployment whose tasks keep failing to
   * start (a tag that does not exist, a container that exits) returns to the last revision that ran, and with
   * alarms on, the alarm topic gets ECS's deployment-failed event.
   * @default true
   */
  enabled: z.boolean().optional(),
});

const accessLogs = z.strictObject({
  /**
   * The load balancer's access logs, in a bucket of the environment's own (private, TLS only, SSE-S3: ALB access
   * logs support no other encryption), each log deleted after `retentionDays`. S3 bills the storage.
   * @default true
   */
  enabled: z.boolean().optional(),
  /** Days each access log is kept. @default 90 */
  retentionDays: field.integer("number of days", 1, 36500, "e.g. 90").default(DEFAULT_ACCESS_LOG_RETENTION_DAYS),
  /**
   * The log bucket's name, unique across all of S3.
   * @default `jitsi-matrix-<name>-logs-<account id>`
   */
  bucketName: field.bucketName.optional(),
});

const webAcl = z.strictObject({
  /**
   * A WAF web ACL in front of the load balancer: AWS's IP reputation list, Common Rule Set (its 8 KB body limit
   * only counted, since Matrix uploads are bigger) and Known Bad Inputs, a rate limit per client address, and the
   * blocked requests logged for `logs.retentionDays`. AWS bills about 9 USD a month (the ACL and four rules) and
   * 0.60 USD per million requests.
   * @default false
   */
  enabled: z.boolean().default(false),
  /** Requests one client address may make in five minutes before it is blocked. @default 2000 */
  rateLimitPer5Minutes: field.integer("requests per five minutes", 10, 2000000000, "2000 suits a few hundred users behind one NAT").default(DEFAULT_RATE_LIMIT_PER_5_MINUTES),
});

const encryptionKey = z.strictObject({
  /**
   * One customer-managed KMS key for the environment (`alias/jitsi-matrix-<name>`, in `networking-<name>`, rotated
   * yearly) that encrypts the SSM parameters, the log groups, the alarm topic and the backup vault, instead of
   * AWS-managed keys. `false` needs the `customer-managed-key` waiver. Switching it on in an existing environment
   * writes every password parameter anew, with a new value: a rotation (docs/operations-options.md).
   * @default true
   */
  enabled: z.boolean().optional(),
  /** Days KMS waits before it deletes the key once deletion is scheduled, 7 to 30. @default 30 */
  deletionWindowDays: field.integer("number of days", 7, 30, "30 gives the most time to cancel a deletion").default(DEFAULT_KEY_DELETION_WINDOW_DAYS),
});

/**
 * Settings that legacy environments keep until their operators change them,
 * because changing them is not part of a no-op adoption.
 */
const legacy = z.strictObject({
  /**
   * Value of the `Name` tag on the three security groups (the legacy modules tagged them `test`).
   * @default - each group's name
   */
  securityGroupNameTag: field.tagText("Name tag", 256).optional(),
  /**
   * CIDRs allowed to reach port 22 on the instances (legacy: `0.0.0.0/0`, "temp. ssh host access").
   * `0.0.0.0/0` needs the `admin-ports-closed` waiver.
   * @default - none: no SSH ingress
   */
  sshIngressCidrs: z.array(field.ingressCidr).default([]),
  /**
   * The legacy load balancer group also opened UDP 10000, which an ALB cannot carry.
   * Needs the `no-udp-to-load-balancer` waiver.
   * @default false
   */
  loadBalancerUdpMediaIngress: z.boolean().default(false),
  /** The legacy instance group let the load balancer group reach NFS (2049), which it never uses. @default false */
  instanceNfsIngressFromLoadBalancer: z.boolean().default(false),
  /**
   * Keep the Auto Scaling group without tag blocks, as the legacy state has it (`tag: []`), so its
   * instances carry none of the environment's tags (`default_tags` reach neither). Needs the
   * `autoscaling-tags` waiver; tagging the group later is an in-place update.
   * @default false
   */
  untaggedAutoScalingGroup: z.boolean().default(false),
  /**
   * The legacy load balancer group opened TCP 8448 (Matrix federation) to the internet, where no listener
   * answers. Needs the `ingress-has-listener` waiver.
   * @default false
   */
  federationPortIngress: z.boolean().default(false),
  /**
   * Let all traffic out of the three groups in one rule without description, as the legacy groups do, instead
   * of what each group needs. Needs the `egress-limited` and `rules-described` waivers.
   * @default false
   */
  allowAllEgress: z.boolean().default(false),
  /**
   * Keep every container's root filesystem writable, as the legacy tasks have it, instead of running postgres and
   * redis read-only (the images that allow it). Needs the `read-only-root-filesystems` waiver.
   * @default false
   */
  writableRootFilesystems: z.boolean().default(false),
});

/** The whole environment; unknown fields are refused, so a misspelt optional field cannot go unnoticed. */
export const environmentFields = z.strictObject({
  /** Short name: the stack suffix (`networking-<name>`) and part of state keys and parameter paths. */
  name: field.environmentName,
  /** AWS region of every resource (legacy `region`). */
  region: field.region,
  /** Tags on every resource through the provider's `default_tags` (legacy `default_tags`). */
  tags: field.tags,
  /**
   * Whether the environment serves users. Production load balancers must have
   * deletion protection (security baseline).
   * @default true - the stricter rules apply unless an environment says it is not production
   */
  production: z.boolean().default(true),
  /**
   * AWS account ID, used to scope IAM policies to this account's parameters.
   * @default - the account of the load balancer's certificate
   */
  accountId: field.accountId.optional(),
  network: z.strictObject({
    /** Existing VPC (legacy `aws_vpc_id`). */
    vpcId: field.vpcId,
    /**
     * The VPC's IPv4 range, when known; lets validation check that subnets lie inside it.
     * @default - not checked
     */
    vpcCidrBlock: field.vpcCidr.optional(),
    /** New subnets, one per availability zone the load balancer spans (legacy `subnet_values`). */
    subnets: z.array(
      z.strictObject({
        /** IPv4 CIDR, also the subnet's key in addresses (legacy `subnet_values[].cidr_block`). */
        cidrBlock: field.subnetCidr,
        /** Availability zone, e.g. `eu-west-1a` (legacy `az`). */
        availabilityZone: field.availabilityZone,
        /** Value of the `Name` tag (legacy `subnet_name`). */
        name: field.tagText("subnet Name tag", 256),
      }),
    ),
  }),
  /** Existing EFS file system holding all data (legacy `efs_id`). */
  efsFileSystemId: field.efsFileSystemId,
  securityGroups: z.strictObject({
    /** Group of the load balancer (legacy `alb_sg_values`). */
    loadBalancer: securityGroup,
    /** Group of the ECS container instances (legacy `ecs_sg_values`). */
    instances: securityGroup,
    /** Group of the EFS mount targets (legacy `efs_sg_values`). */
    efs: securityGroup,
  }),
  iam: z.strictObject({
    /** Role of the container instances (legacy `ecs_iam_role_name`). */
    instanceRoleName: field.iamRoleName,
    /** Instance profile of that role (legacy `ecs_iam_instance_profile_name`). */
    instanceProfileName: field.instanceProfileName,
    /**
     * Role ECS uses to start tasks and read their secrets.
     * @default `<cluster name>-task-execution`
     */
    taskExecutionRoleName: field.iamRoleName.optional(),
  }),
  capacity: z.strictObject({
    /** Auto Scaling group name (legacy `ecs_asg_name`). */
    autoScalingGroupName: field.autoScalingGroupName,
    /**
     * Launch the instances from a launch template (IMDSv2 required, encrypted gp3 root volume)
     * instead of a launch configuration, which AWS accounts created since 2024-10-01 cannot
     * create. `false` keeps a legacy environment's launch configuration; switching it on is
     * docs/launch-template-switch.md.
     * @default true
     */
    launchTemplate: z.boolean().optional(),
    /**
     * AMI of the container instances (legacy `ecs_lc_image_id`). Required with a launch configuration.
     * @default - the ECS-optimized Amazon Linux 2023 AMI, which AWS's public SSM parameter names at each launch
     */
    imageId: field.amiId.optional(),
    /** Instance type (legacy `ecs_lc_instance_type`). */
    instanceType: field.instanceType,
    /**
     * Memory of one instance of `instanceType` in MiB, for a type whose memory validation cannot
     * tell from its name (e.g. `c5n.large`: 5376); validation checks that the tasks fit into it.
     * @default - from the instance type's name; a type it does not know is an error (a warning for
     *   a legacy environment), since the tasks could then not be checked
     */
    instanceMemoryMiB: field
      .integer("instance memory in MiB", 512, 25165824, "give the instance type's memory from the EC2 documentation, e.g. 5376 for a c5n.large")
      .optional(),
    /**
     * EC2 key pair for SSH (legacy `ecs_lc_key`).
     * @default - no key pair
     */
    keyName: field.keyName.optional(),
    desiredCapacity: field.instanceCount,
    minSize: field.instanceCount,
    maxSize: field.instanceCount,
    /** @default 300 */
    healthCheckGracePeriod: field.seconds.default(DEFAULT_HEALTH_CHECK_GRACE_PERIOD),
    /** @default "EC2" */
    healthCheckType: z.enum(["EC2", "ELB"]).default(DEFAULT_HEALTH_CHECK_TYPE),
    /**
     * Require IMDSv2 (session tokens) for the instance metadata service. `false`
     * leaves out `metadata_options`, as the legacy launch configuration did, so
     * that the instances also accept IMDSv1; it needs the `imdsv2-required` waiver and a
     * launch configuration (`launchTemplate: false`): a launch template always requires IMDSv2.
     * @default true
     */
    requireImdsv2: z.boolean().optional(),
  }),
  cluster: z.strictObject({
    /** ECS cluster name (legacy `ecs_cluster_name`). */
    name: field.ecsName("cluster name", "jitsi-matrix-cluster-dev"),
  }),
  loadBalancer: z.strictObject({
    /** ALB name, at most 32 characters (legacy `lb_name`). */
    name: field.loadBalancerName,
    /** @default false */
    internal: z.boolean().default(false),
    /**
     * Protect the load balancer from deletion (legacy `lb_deletion_protection`).
     * A production environment with `false` needs the `production-deletion-protection` waiver.
     * @default true
     */
    deletionProtection: z.boolean().default(DEFAULT_DELETION_PROTECTION),
    /**
     * Drop HTTP header fields with invalid characters before they reach the services (request smuggling).
     * `false`, as the legacy load balancer has it, needs the `invalid-headers-dropped` waiver.
     * @default true
     */
    dropInvalidHeaderFields: z.boolean().default(true),
    /**
     * TLS policy of the HTTPS listener (legacy `lb_listener_ssl_policy`). A policy
     * that is not current needs the `current-tls-policy` waiver.
     * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
     */
    sslPolicy: field.sslPolicy.default(RECOMMENDED_TLS_POLICY),
    /** ACM certificate of the HTTPS listener (legacy `lb_listener_cert_arn`). */
    certificateArn: field.certificateArn,
    /**
     * The certificate's domain name as ACM lists it (`meet.example.org`, `*.example.org`): a Terraform `check`
     * looks the issued certificate up by it on every plan and warns unless it is `certificateArn`.
     * @default - `dns.hosts.jitsi`
     */
    certificateDomain: field.certificateDomain.optional(),
    /** Target group names, at most 32 characters each (legacy `lb_tg_name_*`). */
    targetGroupNames: z.strictObject({ jitsi: field.targetGroupName, element: field.targetGroupName, synapse: field.targetGroupName }),
    /** Priorities of the HTTPS listener's host rules, unique on the listener (1 to 50000, lower wins). */
    rulePriorities: z
      .strictObject({
        /** @default 99, as the legacy rule had it */
        element: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.element),
        /** @default 100, as the legacy rule had it */
        synapse: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.synapse),
        /** The rule that answers `/.well-known/matrix/server` (`wellKnown`); before the host rules. @default 10 */
        wellKnownServer: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.wellKnownServer),
        /** The rule that answers `/.well-known/matrix/client` (`wellKnown`). @default 11 */
        wellKnownClient: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.wellKnownClient),
        /** The rule that refuses `/_synapse/admin` (`synapseAdminBlock`). @default 9 */
        synapseAdmin: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.synapseAdmin),
        /** The rule that answers Element's `config.json` (`elementConfig`). @default 12 */
        elementConfig: field.rulePriority.default(DEFAULT_RULE_PRIORITIES.elementConfig),
      })
      .prefault({}),
  }),
  dns: z.strictObject({
    /** Route53 hosted zone of the records (legacy `route53_zone_id`). */
    hostedZoneId: field.hostedZoneId,
    /**
     * Domain of that zone, when known; lets validation check the host names.
     * @default - not checked
     */
    hostedZoneName: field.dnsName.optional(),
    /** Host names served by the load balancer (legacy `*_url`). */
    hosts: z.strictObject({ jitsi: field.dnsName, matrix: field.dnsName, element: field.dnsName, synapse: field.dnsName }),
  }),
  jitsi: z.strictObject({
    /** ECS service name (legacy `ecs_service_name_jitsi`). */
    serviceName: field.ecsName("service name", "jitsi-service-dev"),
    /** Task definition family (legacy `ecs_task_values_jitsi.ecs_task_name`). */
    taskFamily: field.ecsName("task definition family", "jitsi-meet-task-dev"),
    /** Tag of the four `jitsi/*` images, e.g. `stable-6865`. `latest` needs the `pinned-image-tags` waiver. */
    imageTag: field.jitsiImageTag,
    /**
     * Host port of the web container's HTTP port, the jitsi target group's port.
     * @default 8000
     */
    webHostPort: field.hostPort.default(JITSI_WEB_HOST_PORT),
    /**
     * Container path where the web container mounts `jitsi-images` (legacy staging: with a trailing slash).
     * @default "/usr/share/jitsi-meet/images"
     */
    webImagesPath: field.containerPath.default(JITSI_WEB_IMAGES_PATH),
    /** EFS volumes `jitsi-data` (prosody config) and `jitsi-images` (legacy `ecs_task_volumes_jitsi`). */
    volumes: z.array(efsVolume),
    /**
     * Public IPv4 address the JVB advertises for media (UDP 10000).
     * @default - the JVB discovers its public address through its STUN servers at start
     */
    jvbAdvertiseAddress: field.publicIpv4.optional(),
    /** Memory in MiB per container. */
    memory: z
      .strictObject({
        /** @default 256 */
        web: field.memory.default(JITSI_DEFAULT_MEMORY.web),
        /** @default 256 */
        prosody: field.memory.default(JITSI_DEFAULT_MEMORY.prosody),
        /** @default 256 */
        jicofo: field.memory.default(JITSI_DEFAULT_MEMORY.jicofo),
        /** @default 1024 */
        jvb: field.memory.default(JITSI_DEFAULT_MEMORY.jvb),
      })
      .prefault({}),
    /**
     * Environment variables per container (`web`, `prosody`, `jicofo`, `jvb`) over the construct's defaults.
     * @default - none
     */
    environment: field.jitsiEnvironment.default({}),
  }),
  matrix: z.strictObject({
    /** ECS service name (legacy `ecs_service_name_matrix`). */
    serviceName: field.ecsName("service name", "matrix-service-dev"),
    /** Task definition family (legacy `ecs_task_values_matrix.ecs_task_name`). */
    taskFamily: field.ecsName("task definition family", "matrix-task-dev"),
    /**
     * Image tags of the four containers, each optionally pinned to the digest of what it named (`latest@sha256:…`,
     * which runs exactly that image). `latest` without a digest needs the `pinned-image-tags` waiver, and the
     * adoption refuses it (docs/adopting-an-environment.md, "Pin what runs today").
     */
    imageTags: z.strictObject({ synapse: field.imageTag, element: field.imageTag, postgres: field.imageTag, redis: field.imageTag }),
    /**
     * Memory in MiB of each container.
     * @default 256
     */
    containerMemory: field.memory.default(MATRIX_DEFAULT_CONTAINER_MEMORY),
    /**
     * Memory in MiB of Synapse's container.
     * @default - 1024 for a new environment; `containerMemory` for an adopted one (the legacy task's)
     */
    synapseMemory: field.memory.optional(),
    /**
     * Host port of Synapse's HTTP port (8008 in the container), the synapse target group's port.
     * @default 8008
     */
    synapseHostPort: field.hostPort.default(SYNAPSE_PORT),
    /**
     * Host port of Element's HTTP port (80 in the container), the element target group's port.
     * @default 8080
     */
    elementHostPort: field.hostPort.default(ELEMENT_HOST_PORT),
    /** EFS volumes `matrix-synapse-data`, `matrix-postres-data`, and `matrix-element-data` where Element serves files on EFS (`elementConfig` off) (legacy `ecs_task_volumes_matrix`). */
    volumes: z.array(efsVolume),
    /**
     * Where Synapse's database is: `"rds"`, the `rds` instance (needs `rds.enabled`), or `"container"`, the postgres
     * container of the matrix task with its data on EFS, as the legacy deployment runs it. Moving from one to the
     * other is docs/moving-to-rds.md.
     * @default - "rds" for a new environment with rds on, else "container"
     */
    database: z.enum(["rds", "container"]).optional(),
  }),
  postgresUpgrade: z.strictObject({
    /**
     * Replace the matrix service by a one-container PostgreSQL task for a major upgrade
     * (legacy `postgresql_upgrade`). The cdktf context key `postgresUpgrade` overrides it for one run.
     */
    enabled: z.boolean(),
    /** A PostgreSQL that upstream supports (17 until November 2029). @default "17.7" */
    imageTag: field.imageTag.default(POSTGRES_UPGRADE_DEFAULTS.imageTag),
    /** @default "postgres-upgrade-task" */
    taskFamily: field.ecsName("task definition family", "postgres-upgrade-task").default(POSTGRES_UPGRADE_DEFAULTS.taskFamily),
    /** @default "postgres-upgrade-service" */
    serviceName: field.ecsName("service name", "postgres-upgrade-service").default(POSTGRES_UPGRADE_DEFAULTS.serviceName),
    /** @default 128 */
    memory: field.memory.default(POSTGRES_UPGRADE_DEFAULTS.memory),
  }),
  /**
   * CloudWatch logs of every container. A legacy environment sets `enabled: false` until its operators switch it on.
   * @default - on, 30 days of retention
   */
  logs: logs.prefault({}),
  /**
   * CloudWatch alarms and the SNS topic that mails them. On, it needs `emailAddresses`.
   * @default - on, with the thresholds' defaults
   */
  alarms: alarms.prefault({}),
  /**
   * Scaling of the container instances, an ECS capacity provider, and the JVB per instance.
   * @default - on: CPU scaling, one JVB on every instance
   */
  scaling: scaling.prefault({}),
  /**
   * Daily AWS Backup of the EFS file system (docs/backups.md).
   * @default - on, 7 days of retention
   */
  backups: backups.prefault({}),
  /**
   * Matrix server discovery by the load balancer (docs/operations-options.md).
   * @default - on, for `dns.hosts.matrix`
   */
  wellKnown: wellKnown.prefault({}),
  /**
   * Synapse's admin API kept from the internet (docs/operations-options.md).
   * @default - on
   */
  synapseAdminBlock: synapseAdminBlock.prefault({}),
  /**
   * Element's configuration from the stacks, its call button on the environment's Jitsi (docs/operations-options.md).
   * @default - on
   */
  elementConfig: elementConfig.prefault({}),
  /**
   * TURN for Jitsi and Matrix calls: prosody hands Jitsi's clients credentials for this server, and Synapse hands
   * them to Matrix clients (docs/operations-options.md).
   * @default - none: clients behind firewalls that block UDP get no media
   */
  turn: turn.optional(),
  /**
   * Synapse's database on RDS (docs/moving-to-rds.md).
   * @default - on
   */
  rds: rds.prefault({}),
  /**
   * Logical backups of Synapse's database on a schedule (docs/database-backups.md).
   * @default - on
   */
  databaseBackups: databaseBackups.prefault({}),
  /**
   * The ECR pull-through cache of the Docker Hub images (docs/operations-options.md).
   * @default - off
   */
  imageCache: imageCache.prefault({}),
  /**
   * SMTP for Synapse's mail (docs/operations-options.md).
   * @default - none: Synapse sends no mail, and users cannot reset a password by mail
   */
  smtp: smtp.optional(),
  /**
   * Deployments that roll back (docs/operations-options.md).
   * @default - on
   */
  circuitBreakers: circuitBreakers.prefault({}),
  /**
   * Access logs of the load balancer (docs/security-baseline.md, `access-logs`).
   * @default - on, 90 days
   */
  accessLogs: accessLogs.prefault({}),
  /**
   * The optional WAF web ACL of the load balancer (docs/operations-options.md).
   * @default - off
   */
  webAcl: webAcl.prefault({}),
  /**
   * The environment's own KMS key (docs/security-baseline.md, `customer-managed-key`).
   * @default - on
   */
  encryptionKey: encryptionKey.prefault({}),
  /**
   * Settings kept from the legacy deployment so that adopting it changes nothing; its presence
   * marks an environment adopted from the legacy deployment.
   * @default - none: new environments get the secure settings
   */
  legacy: legacy.optional(),
  /**
   * The version of each password's value in SSM (`secrets-<env>`). The passwords are in no
   * Terraform state: a parameter is written only when its version changes, so rotating a password
   * is raising its version by one and deploying `secrets-<env>` (README, "Rotating a password").
   * @default 1 for each
   */
  secretVersions: z
    .strictObject(Object.fromEntries(ALL_SECRETS.map((secret) => [secret, field.secretVersion.default(INITIAL_SECRET_VERSION)])) as Record<PlatformSecret, z.ZodDefault<typeof field.secretVersion>>)
    .prefault({}),
  /**
   * Security baseline rules this environment may break, each with the reason
   * it still does (`docs/security-baseline.md`). Validation refuses a setting
   * that breaks a rule without its waiver, and a waiver that excuses nothing.
   * @default - none: new environments keep every rule
   */
  waivers: field.waivers.default({}),
});

/** The environment as the rules read it: the defaults applied, the fields `schema.ts` resolves still as written. */
export type EnvironmentFields = z.output<typeof environmentFields>;

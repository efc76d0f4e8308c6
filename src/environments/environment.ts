/**
 * The typed description of one deployment of the platform. One file per
 * environment under `src/environments/` exports a value of this type; the
 * registry in `index.ts` lists them.
 *
 * Names follow AWS terms; the comment on each field says which legacy
 * variable (`test/fixtures/legacy/environments.json`) it replaces where there is one.
 *
 * `parseEnvironment` (`validate.ts`) checks a value of this type before any
 * stack is built; `docs/security-baseline.md` lists the rules an environment
 * may only break with a waiver.
 */
import type { Waivers } from "../baseline-rules";

/** A subnet created by `networking-<env>` in the existing VPC. */
export interface SubnetSpec {
  /** IPv4 CIDR, also the subnet's key in addresses (legacy `subnet_values[].cidr_block`). */
  readonly cidrBlock: string;
  /** Availability zone, e.g. `eu-west-1a` (legacy `az`). */
  readonly availabilityZone: string;
  /** Value of the `Name` tag (legacy `subnet_name`). */
  readonly name: string;
}

/** Name and description of a security group (legacy `*_sg_values`). */
export interface SecurityGroupSpec {
  readonly name: string;
  readonly description: string;
}

/** An EFS access of a task: a named volume rooted at a directory of the file system. */
export interface EfsVolumeSpec {
  /** Volume name the containers mount (legacy `ecs_task_volumes_*[].name`). */
  readonly name: string;
  /** Absolute directory inside the file system (legacy `root_directory`). */
  readonly rootDirectory: string;
  /**
   * Encrypt NFS traffic between instance and EFS. `false` needs the `efs-transit-encryption` waiver.
   * @default true
   */
  readonly transitEncryption?: boolean;
}

/** Environment variables per container name, merged over a construct's defaults. */
export type ContainerEnvironmentOverrides = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * Settings that legacy environments keep until their operators change them,
 * because changing them is not part of a no-op adoption.
 */
export interface LegacyCompatibility {
  /** Value of the `Name` tag on the three security groups (the legacy modules tagged them `test`). */
  readonly securityGroupNameTag?: string;
  /**
   * CIDRs allowed to reach port 22 on the instances (legacy: `0.0.0.0/0`, "temp. ssh host access").
   * `0.0.0.0/0` needs the `admin-ports-closed` waiver.
   */
  readonly sshIngressCidrs?: readonly string[];
  /**
   * The legacy load balancer group also opened UDP 10000, which an ALB cannot carry.
   * Needs the `no-udp-to-load-balancer` waiver.
   */
  readonly loadBalancerUdpMediaIngress?: boolean;
  /** The legacy instance group let the load balancer group reach NFS (2049), which it never uses. */
  readonly instanceNfsIngressFromLoadBalancer?: boolean;
  /**
   * Keep the Auto Scaling group without tag blocks, as the legacy state has it (`tag: []`), so its
   * instances carry none of the environment's tags (`default_tags` reach neither). Needs the
   * `autoscaling-tags` waiver; tagging the group later is an in-place update.
   */
  readonly untaggedAutoScalingGroup?: boolean;
}

/**
 * The operations options (`logs`, `alarms`, `scaling`, `backups`) are on for a new environment
 * when left out; a legacy environment sets each `enabled: false` (validation insists, so that
 * adopting it stays a no-op) and switches them on one at a time (docs/operations-options.md).
 */
export interface LogsOptions {
  /**
   * A CloudWatch log group per service and the `awslogs` driver on every container.
   * `false` leaves the logs on the instance, as the legacy tasks have them.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Days CloudWatch keeps each log event: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
   * 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.
   * @default 30
   */
  readonly retentionDays?: number;
}

/** When the alarms fire. */
export interface AlarmThresholds {
  /** Average CPU of the instances, percent. @default 75 */
  readonly instanceCpuPercent?: number;
  /** Minutes above it, a multiple of 5 (EC2's basic monitoring period). @default 5 */
  readonly instanceCpuMinutes?: number;
  /** Minutes a service may run no task before its alarm fires. @default 5 */
  readonly taskCountMinutes?: number;
  /** Minutes a target may stay unhealthy. @default 5 */
  readonly unhealthyTargetMinutes?: number;
  /** 5xx responses the load balancer itself generates per window. @default 10 */
  readonly loadBalancer5xxCount?: number;
  /** The window of `loadBalancer5xxCount`, in minutes. @default 5 */
  readonly loadBalancer5xxMinutes?: number;
  /** EFS burst credits, in GiB, below which the alarm fires. @default 1024 */
  readonly efsBurstCreditBalanceGiB?: number;
}

export interface AlarmsOptions {
  /**
   * An SNS topic and alarms on instance CPU, each service's running tasks, unhealthy targets,
   * the load balancer's own 5xx and EFS burst credits.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Addresses that get every alarm and every recovery by e-mail; each confirms AWS's
   * subscription mail first. At least one while alarms are on.
   * @default - none, which validation refuses while alarms are on
   */
  readonly emailAddresses?: readonly string[];
  /** @default `jitsi-matrix-<name>-alarms` */
  readonly topicName?: string;
  /** @default - see `AlarmThresholds` */
  readonly thresholds?: AlarmThresholds;
  /**
   * The EFS burst credit alarm; turn it off for a file system in Elastic or Provisioned
   * throughput mode, where burst credits mean nothing.
   * @default true
   */
  readonly efsBurstCredits?: boolean;
  /**
   * ECS Container Insights on the cluster (a paid CloudWatch feature), so that each service's
   * alarm compares its running tasks with its desired count (one missing JVB of several too);
   * off, the alarm sees only a service with no task at all. Independent of `enabled`.
   * @default true
   */
  readonly containerInsights?: boolean;
}

export interface ScalingOptions {
  /**
   * Let the Auto Scaling group change its size between `capacity.minSize` and `maxSize`,
   * through an ECS capacity provider, and let scale-in take the newest instance first (the
   * stateful services usually run on the oldest).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * - `"cpu"`: one instance more above `scaleOutCpuPercent`, one fewer below `scaleInCpuPercent`
   *   (the legacy production rule); the instances the stateful services start on are protected
   *   from scale-in, and ECS drains an instance before it goes.
   * - `"ecs-managed"`: ECS sizes the group for the tasks that need room, and never scales in an
   *   instance that runs a task; it does not scale out for daemon tasks, so no `jvbPerInstance`.
   * @default "cpu"
   */
  readonly mode?: "cpu" | "ecs-managed";
  /** Mode `"cpu"` only. @default 75 */
  readonly scaleOutCpuPercent?: number;
  /** Mode `"cpu"` only; below `scaleOutCpuPercent`. @default 25 */
  readonly scaleInCpuPercent?: number;
  /** Mode `"ecs-managed"` only: percent of the instances the tasks should need. @default 100 */
  readonly targetCapacityPercent?: number;
  /**
   * Run the JVB as its own daemon service, one on every instance, each advertising its own
   * instance's public address and joining prosody through an internal network load balancer,
   * so that conference capacity grows with the group. Needs mode `"cpu"`.
   * @default - true with `enabled` and mode `"cpu"`, else false
   */
  readonly jvbPerInstance?: boolean;
  /**
   * Name of the internal network load balancer (and its target group) the JVBs reach prosody through, at most 32 characters.
   * @default `jitsi-xmpp-<name>`
   */
  readonly xmppLoadBalancerName?: string;
}

export interface BackupsOptions {
  /** A daily AWS Backup of the EFS file system. @default true */
  readonly enabled?: boolean;
  /** Days each daily recovery point is kept. @default 7 */
  readonly retentionDays?: number;
  /** When the daily backup starts, an AWS Backup cron expression in UTC. @default "cron(0 3 * * ? *)" */
  readonly schedule?: string;
}

export interface Environment {
  /** Short name: the stack suffix (`networking-<name>`) and part of state keys and parameter paths. */
  readonly name: string;
  /** AWS region of every resource (legacy `region`). */
  readonly region: string;
  /** Tags on every resource through the provider's `default_tags` (legacy `default_tags`). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Whether the environment serves users. Production load balancers must have
   * deletion protection (security baseline).
   * @default true - the stricter rules apply unless an environment says it is not production
   */
  readonly production?: boolean;
  /**
   * AWS account ID, used to scope IAM policies to this account's parameters.
   * @default - the IAM policies name the parameters with any account (`*`)
   */
  readonly accountId?: string;

  readonly network: {
    /** Existing VPC (legacy `aws_vpc_id`). */
    readonly vpcId: string;
    /**
     * The VPC's IPv4 range, when known; lets validation check that subnets lie inside it.
     * @default - not checked
     */
    readonly vpcCidrBlock?: string;
    /** New subnets, one per availability zone the load balancer spans (legacy `subnet_values`). */
    readonly subnets: readonly SubnetSpec[];
  };

  /** Existing EFS file system holding all data (legacy `efs_id`). */
  readonly efsFileSystemId: string;

  readonly securityGroups: {
    /** Group of the load balancer (legacy `alb_sg_values`). */
    readonly loadBalancer: SecurityGroupSpec;
    /** Group of the ECS container instances (legacy `ecs_sg_values`). */
    readonly instances: SecurityGroupSpec;
    /** Group of the EFS mount targets (legacy `efs_sg_values`). */
    readonly efs: SecurityGroupSpec;
  };

  readonly iam: {
    /** Role of the container instances (legacy `ecs_iam_role_name`). */
    readonly instanceRoleName: string;
    /** Instance profile of that role (legacy `ecs_iam_instance_profile_name`). */
    readonly instanceProfileName: string;
    /**
     * Role ECS uses to start tasks and read their secrets.
     * @default `<cluster name>-task-execution`
     */
    readonly taskExecutionRoleName?: string;
  };

  readonly capacity: {
    /** Auto Scaling group name (legacy `ecs_asg_name`). */
    readonly autoScalingGroupName: string;
    /**
     * Launch the instances from a launch template (IMDSv2 required, encrypted gp3 root volume)
     * instead of a launch configuration, which AWS accounts created since 2024-10-01 cannot
     * create. `false` keeps a legacy environment's launch configuration; switching it on is
     * docs/launch-template-switch.md.
     * @default true
     */
    readonly launchTemplate?: boolean;
    /**
     * AMI of the container instances (legacy `ecs_lc_image_id`). Required with a launch configuration.
     * @default - the ECS-optimized Amazon Linux 2023 AMI, which AWS's public SSM parameter names at each launch
     */
    readonly imageId?: string;
    /** Instance type (legacy `ecs_lc_instance_type`). */
    readonly instanceType: string;
    /**
     * Memory of one instance of `instanceType` in MiB, for a type whose memory validation cannot
     * tell from its name (e.g. `c5n.large`: 5376); validation checks that the tasks fit into it.
     * @default - from the instance type's name; a type it does not know is an error (a warning for
     *   a legacy environment), since the tasks could then not be checked
     */
    readonly instanceMemoryMiB?: number;
    /**
     * EC2 key pair for SSH (legacy `ecs_lc_key`).
     * @default - no key pair
     */
    readonly keyName?: string;
    readonly desiredCapacity: number;
    readonly minSize: number;
    readonly maxSize: number;
    /** @default 300 */
    readonly healthCheckGracePeriod?: number;
    /** @default "EC2" */
    readonly healthCheckType?: "EC2" | "ELB";
    /**
     * Require IMDSv2 (session tokens) for the instance metadata service. `false`
     * leaves out `metadata_options`, as the legacy launch configuration did, so
     * that the instances also accept IMDSv1; it needs the `imdsv2-required` waiver and a
     * launch configuration (`launchTemplate: false`): a launch template always requires IMDSv2.
     * @default true
     */
    readonly requireImdsv2?: boolean;
  };

  readonly cluster: {
    /** ECS cluster name (legacy `ecs_cluster_name`). */
    readonly name: string;
  };

  readonly loadBalancer: {
    /** ALB name, at most 32 characters (legacy `lb_name`). */
    readonly name: string;
    /** @default false */
    readonly internal?: boolean;
    /**
     * Protect the load balancer from deletion (legacy `lb_deletion_protection`).
     * A production environment with `false` needs the `production-deletion-protection` waiver.
     * @default true
     */
    readonly deletionProtection?: boolean;
    /**
     * TLS policy of the HTTPS listener (legacy `lb_listener_ssl_policy`). A policy
     * that is not current needs the `current-tls-policy` waiver.
     * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
     */
    readonly sslPolicy?: string;
    /** ACM certificate of the HTTPS listener (legacy `lb_listener_cert_arn`). */
    readonly certificateArn: string;
    /** Target group names, at most 32 characters each (legacy `lb_tg_name_*`). */
    readonly targetGroupNames: {
      readonly jitsi: string;
      readonly element: string;
      readonly synapse: string;
    };
    /**
     * Priorities of the HTTPS listener's host rules, unique on the listener (1 to 50000, lower wins).
     * @default - element 99, synapse 100, as the legacy rules had them
     */
    readonly rulePriorities?: {
      readonly element?: number;
      readonly synapse?: number;
    };
  };

  readonly dns: {
    /** Route53 hosted zone of the records (legacy `route53_zone_id`). */
    readonly hostedZoneId: string;
    /**
     * Domain of that zone, when known; lets validation check the host names.
     * @default - not checked
     */
    readonly hostedZoneName?: string;
    /** Host names served by the load balancer (legacy `*_url`). */
    readonly hosts: {
      readonly jitsi: string;
      readonly matrix: string;
      readonly element: string;
      readonly synapse: string;
    };
  };

  readonly jitsi: {
    /** ECS service name (legacy `ecs_service_name_jitsi`). */
    readonly serviceName: string;
    /** Task definition family (legacy `ecs_task_values_jitsi.ecs_task_name`). */
    readonly taskFamily: string;
    /** Tag of the four `jitsi/*` images, e.g. `stable-6865`. `latest` needs the `pinned-image-tags` waiver. */
    readonly imageTag: string;
    /**
     * Host port of the web container's HTTP port, the jitsi target group's port.
     * @default 8000
     */
    readonly webHostPort?: number;
    /**
     * Container path where the web container mounts `jitsi-images` (legacy staging: with a trailing slash).
     * @default "/usr/share/jitsi-meet/images"
     */
    readonly webImagesPath?: string;
    /** EFS volumes `jitsi-data` (prosody config) and `jitsi-images` (legacy `ecs_task_volumes_jitsi`). */
    readonly volumes: readonly EfsVolumeSpec[];
    /**
     * Public IPv4 address the JVB advertises for media (UDP 10000).
     * @default - the JVB discovers its public address through its STUN servers at start
     */
    readonly jvbAdvertiseAddress?: string;
    /**
     * Memory in MiB per container, over the construct's defaults.
     * @default - see `JITSI_DEFAULT_MEMORY`
     */
    readonly memory?: Readonly<Partial<Record<"web" | "prosody" | "jicofo" | "jvb", number>>>;
    /**
     * Environment variables per container (`web`, `prosody`, `jicofo`, `jvb`) over the construct's defaults.
     * @default - none
     */
    readonly environment?: ContainerEnvironmentOverrides;
  };

  readonly matrix: {
    /** ECS service name (legacy `ecs_service_name_matrix`). */
    readonly serviceName: string;
    /** Task definition family (legacy `ecs_task_values_matrix.ecs_task_name`). */
    readonly taskFamily: string;
    /** Image tags of the four containers. `latest` needs the `pinned-image-tags` waiver. */
    readonly imageTags: {
      readonly synapse: string;
      readonly element: string;
      readonly postgres: string;
      readonly redis: string;
    };
    /**
     * Memory in MiB of each container.
     * @default 256
     */
    readonly containerMemory?: number;
    /**
     * Host port of Synapse's HTTP port (8008 in the container), the synapse target group's port.
     * @default 8008
     */
    readonly synapseHostPort?: number;
    /**
     * Host port of Element's HTTP port (80 in the container), the element target group's port.
     * @default 8080
     */
    readonly elementHostPort?: number;
    /** EFS volumes `matrix-synapse-data`, `matrix-postres-data`, `matrix-element-data` (legacy `ecs_task_volumes_matrix`). */
    readonly volumes: readonly EfsVolumeSpec[];
  };

  readonly postgresUpgrade: {
    /**
     * Replace the matrix service by a one-container PostgreSQL task for a major upgrade
     * (legacy `postgresql_upgrade`). The cdktf context key `postgresUpgrade` overrides it for one run.
     */
    readonly enabled: boolean;
    /** @default "14.2" */
    readonly imageTag?: string;
    /** @default "postgres-upgrade-task" */
    readonly taskFamily?: string;
    /** @default "postgres-upgrade-service" */
    readonly serviceName?: string;
    /** @default 128 */
    readonly memory?: number;
  };

  /**
   * CloudWatch logs of every container. A legacy environment sets `enabled: false` until its operators switch it on.
   * @default - on, 30 days of retention
   */
  readonly logs?: LogsOptions;

  /**
   * CloudWatch alarms and the SNS topic that mails them. On, it needs `emailAddresses`.
   * @default - on, with the thresholds of `AlarmThresholds`
   */
  readonly alarms?: AlarmsOptions;

  /**
   * Scaling of the container instances, an ECS capacity provider, and the JVB per instance.
   * @default - on: CPU scaling, one JVB on every instance
   */
  readonly scaling?: ScalingOptions;

  /**
   * Daily AWS Backup of the EFS file system (docs/backups.md).
   * @default - on, 7 days of retention
   */
  readonly backups?: BackupsOptions;

  /**
   * Settings kept from the legacy deployment so that adopting it changes nothing.
   * @default - none: new environments get the secure settings
   */
  readonly legacy?: LegacyCompatibility;

  /**
   * Security baseline rules this environment may break, each with the reason
   * it still does (`docs/security-baseline.md`). Validation refuses a setting
   * that breaks a rule without its waiver, and a waiver that excuses nothing.
   * @default - none: new environments keep every rule
   */
  readonly waivers?: Waivers;
}

import { EnvironmentInput } from "./environment";

/**
 * Staging, adopted from the legacy HCL deployment (`config/staging.tfvars`).
 *
 * Lines marked `// legacy` keep a legacy value where a new environment gets a
 * secure default or an operations option that is on; `waived` ones break a
 * rule of the security baseline and have their reason in `waivers`. A new
 * environment starts from `dev.ts`, which has none of them (README, "Adding an
 * environment").
 */
export const staging: EnvironmentInput = {
  name: "staging",
  region: "eu-west-1",
  tags: {
    Environment: "Staging",
    Info: "Terraform",
    Owner: "NOI",
    Project: "ECS Cluster",
    Responsible: "Ebcont",
  },
  production: false,
  network: {
    vpcId: "vpc-f57aea91",
    subnets: [
      { cidrBlock: "172.31.48.0/28", availabilityZone: "eu-west-1a", name: "jitsi-matrix-subnet-1-staging" },
      { cidrBlock: "172.31.48.16/28", availabilityZone: "eu-west-1b", name: "jitsi-matrix-subnet-2-staging" },
    ],
  },
  efsFileSystemId: "fs-bce67e88",
  securityGroups: {
    loadBalancer: { name: "jitsi-matrix-alb-sg-staging", description: "jitsi matrix alb sg staging" },
    instances: { name: "jitsi-matrix-ecs-sg-staging", description: "jitsi matrix ecs sg staging" },
    efs: { name: "jitsi-matrix-efs-sg-staging", description: "jitsi matrix efs sg staging" },
  },
  iam: {
    instanceRoleName: "jitsi-matrix-agent-staging",
    instanceProfileName: "jitsi-matrix-agent-staging",
  },
  capacity: {
    autoScalingGroupName: "jitsi-matrix-asg-staging",
    launchTemplate: false, // legacy (docs/launch-template-switch.md)
    imageId: "ami-06bb94c46ddc47feb",
    instanceType: "c5a.large",
    keyName: "jitsi-cluster-key",
    desiredCapacity: 1,
    minSize: 1,
    maxSize: 1,
    healthCheckGracePeriod: 300,
    healthCheckType: "EC2",
    requireImdsv2: false, // legacy, waived
  },
  cluster: { name: "jitsi-matrix-cluster-staging" },
  loadBalancer: {
    name: "jitsi-matrix-alb-staging",
    internal: false,
    deletionProtection: false, // legacy
    dropInvalidHeaderFields: false, // legacy
    sslPolicy: "ELBSecurityPolicy-2016-08", // legacy, waived
    certificateArn: "arn:aws:acm:eu-west-1:755952719952:certificate/f96dc200-2a69-4a5d-bcaa-c57dfa5367ea",
    targetGroupNames: {
      jitsi: "jitsi-http-target-staging",
      element: "element-http-target-staging",
      synapse: "synapse-http-target-staging",
    },
  },
  dns: {
    hostedZoneId: "Z3R834M85QA828",
    hosts: {
      jitsi: "jitsi.virtual.software.testingmachine.eu",
      matrix: "matrix.virtual.software.testingmachine.eu",
      element: "element.virtual.software.testingmachine.eu",
      synapse: "synapse.virtual.software.testingmachine.eu",
    },
  },
  jitsi: {
    serviceName: "jitsi-service-staging",
    taskFamily: "jitsi-meet-task-staging",
    imageTag: "stable-6865",
    webImagesPath: "/usr/share/jitsi-meet/images/", // legacy: the staging task's spelling
    volumes: [
      {
        name: "jitsi-data",
        rootDirectory: "/prosody/config",
        transitEncryption: false, // legacy, waived
      },
      {
        name: "jitsi-images",
        rootDirectory: "/jitsi/jitsi-meet/images",
        transitEncryption: false, // legacy, waived
      },
    ],
    memory: { web: 256, prosody: 256, jicofo: 256, jvb: 1024 },
    environment: {
      web: { DISABLE_HTTPS: "1", ENABLE_COLIBRI_WEBSOCKET: "0" },
      jvb: { ENABLE_COLIBRI_WEBSOCKET: "0", JVB_TCP_HARVESTER_DISABLED: "false" },
    },
  },
  matrix: {
    serviceName: "matrix-service-staging",
    taskFamily: "matrix-task-staging",
    imageTags: { synapse: "v1.53.0", element: "v1.10.6", postgres: "14.2", redis: "6.2.6" },
    containerMemory: 128,
    volumes: [
      {
        name: "matrix-synapse-data",
        rootDirectory: "/matrix/synapse",
        transitEncryption: false, // legacy, waived
      },
      {
        name: "matrix-postres-data",
        rootDirectory: "/matrix/postgres/data",
        transitEncryption: false, // legacy, waived
      },
      {
        name: "matrix-element-data",
        rootDirectory: "/matrix/element",
        transitEncryption: false, // legacy, waived
      },
    ],
  },
  // legacy: the legacy upgrade task's image, so that a state taken mid-upgrade adopts onto the same server; docs/maintenance.md sets the target
  postgresUpgrade: { enabled: false, imageTag: "14.2" },
  // Operations options, each off until its operators switch it on (docs/operations-options.md).
  logs: { enabled: false }, // legacy
  alarms: { enabled: false, containerInsights: false }, // legacy
  scaling: { enabled: false }, // legacy
  backups: { enabled: false }, // legacy
  encryptionKey: { enabled: false }, // legacy, waived (customer-managed-key)
  accessLogs: { enabled: false }, // legacy, waived (access-logs)
  circuitBreakers: { enabled: false }, // legacy
  wellKnown: { enabled: false }, // legacy
  rds: { enabled: false }, // legacy: Synapse's database stays in its container until docs/moving-to-rds.md
  databaseBackups: { enabled: false }, // legacy: switched on with its operators (docs/database-backups.md)
  synapseAdminBlock: { enabled: false }, // legacy
  elementConfig: { enabled: false }, // legacy
  legacy: {
    securityGroupNameTag: "test",
    sshIngressCidrs: ["0.0.0.0/0"],
    loadBalancerUdpMediaIngress: true,
    federationPortIngress: true,
    instanceNfsIngressFromLoadBalancer: true,
    untaggedAutoScalingGroup: true,
    allowAllEgress: true,
    writableRootFilesystems: true,
  },
  // Rules of docs/security-baseline.md that staging breaks until its operators change the legacy settings.
  waivers: {
    "invalid-headers-dropped":
      "The legacy load balancer passes header fields with invalid characters through; dropping them is an in-place update of the load balancer, planned after adoption once the services are checked against it.",
    "access-logs":
      "The legacy load balancer writes no access logs; switching them on creates the log bucket and updates the load balancer in place, planned after adoption (docs/operations-options.md).",
    "read-only-root-filesystems":
      "The legacy postgres and redis containers write to their root filesystems; running them read-only is a new task revision and a restart of Matrix, planned after adoption (docs/operations-options.md).",
    "customer-managed-key":
      "The legacy parameters are under AWS's managed key; moving them to the environment's key writes each anew with a new value, so it is done with the next password rotation (docs/operations-options.md).",
    "egress-limited":
      "The legacy groups let all traffic out; limiting each to what it needs is an in-place update of the three groups, planned once the services are watched through it (docs/security-baseline.md, egress-limited).",
    "rules-described":
      "The legacy groups' egress rule has no description; the limited egress rules that replace it have one each.",
    "ingress-has-listener":
      "The legacy load balancer group opens TCP 8448 (Matrix federation) with no listener behind it; removing the rule is an in-place update of the group, planned with the federation delegation through 443.",
    "admin-ports-closed":
      "The legacy instance group lets anyone reach SSH (\"temp. ssh host access\"); close it once the operators reach the instances through SSM Session Manager or a fixed admin network.",
    "no-udp-to-load-balancer":
      "The legacy load balancer group opens UDP 10000, which an ALB cannot carry; removing the rule is an in-place update of the group, planned after adoption.",
    "current-tls-policy":
      "The legacy HTTPS listener uses ELBSecurityPolicy-2016-08; moving to ELBSecurityPolicy-TLS13-1-2-2021-06 drops TLS 1.0 and 1.1 clients, to be announced first.",
    "efs-transit-encryption":
      "The legacy tasks mount EFS without TLS; enabling it is a new task revision and a restart of the services, planned after adoption.",
    "container-metadata-blocked":
      "The legacy launch configuration lets every container reach the instance metadata service (IMDSv1, the legacy user data); the launch template switch (docs/launch-template-switch.md) brings hop limit 1 and the ECS host rule, planned after adoption.",
    "imdsv2-required":
      "The legacy launch configuration has no metadata_options; adding them replaces the launch configuration, which a no-op adoption must not do.",
    "autoscaling-tags":
      "The legacy Auto Scaling group has no tag blocks, so its instances carry none of the environment's tags; adding them is an in-place update of the group, planned after adoption.",
  },
};

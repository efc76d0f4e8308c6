import { EnvironmentInput } from "./environment";

/**
 * Production, adopted from the legacy HCL deployment (`config/production.tfvars`).
 * Its certificate ARN and hosted zone ID were empty in the legacy files: the
 * values here are placeholders to replace before the first deploy.
 */
export const production: EnvironmentInput = {
  name: "production",
  region: "eu-west-1",
  tags: {
    Environment: "Production",
    Info: "Terraform",
    Owner: "NOI",
    Project: "ECS Cluster",
    Responsible: "Ebcont",
  },
  production: true,
  network: {
    vpcId: "vpc-f57aea91",
    subnets: [
      { cidrBlock: "172.31.48.32/28", availabilityZone: "eu-west-1a", name: "jitsi-matrix-subnet-1-production" },
      { cidrBlock: "172.31.48.48/28", availabilityZone: "eu-west-1b", name: "jitsi-matrix-subnet-2-production" },
    ],
  },
  efsFileSystemId: "fs-b61d8482",
  securityGroups: {
    loadBalancer: { name: "jitsi-matrix-alb-sg-production", description: "jitsi matrix alb sg production" },
    instances: { name: "jitsi-matrix-ecs-sg-production", description: "jitsi matrix ecs sg production" },
    efs: { name: "jitsi-matrix-efs-sg-production", description: "jitsi matrix efs sg production" },
  },
  iam: {
    instanceRoleName: "jitsi-matrix-agent-production",
    instanceProfileName: "jitsi-matrix-agent-production",
  },
  capacity: {
    autoScalingGroupName: "jitsi-matrix-asg-production",
    launchTemplate: false, // legacy (docs/launch-template-switch.md)
    imageId: "ami-06bb94c46ddc47feb",
    instanceType: "c5.large",
    keyName: "jitsi-cluster-key",
    desiredCapacity: 1,
    minSize: 1,
    maxSize: 2,
    healthCheckGracePeriod: 300,
    healthCheckType: "EC2",
    requireImdsv2: false, // legacy, waived
  },
  cluster: { name: "jitsi-matrix-cluster-production" },
  loadBalancer: {
    name: "jitsi-matrix-alb-production",
    internal: false,
    deletionProtection: false, // legacy, waived
    dropInvalidHeaderFields: false, // legacy
    sslPolicy: "ELBSecurityPolicy-2016-08", // legacy, waived
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001",
    targetGroupNames: {
      jitsi: "jitsi-http-target-production",
      element: "element-http-target-production",
      synapse: "synapse-http-target-production",
    },
  },
  dns: {
    hostedZoneId: "Z0FIXTUREPROD01",
    hosts: {
      jitsi: "jitsi.virtual.software.bz.it",
      matrix: "matrix.virtual.software.bz.it",
      element: "element.virtual.software.bz.it",
      synapse: "synapse.virtual.software.bz.it",
    },
  },
  jitsi: {
    serviceName: "jitsi-service-production",
    taskFamily: "jitsi-meet-task-production",
    imageTag: "stable-6173",
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
    memory: { web: 512, prosody: 256, jicofo: 256, jvb: 2048 },
    environment: {
      jvb: { JVB_TCP_HARVESTER_DISABLED: "true" },
    },
  },
  matrix: {
    serviceName: "matrix-service-production",
    taskFamily: "matrix-task-production",
    // legacy, waived (pinned-image-tags): pin each latest to the digest running today before the adoption, which refuses
    // them until then (npm run adopt -- production --running-images; docs/adopting-an-environment.md, "Pin what runs today")
    imageTags: { synapse: "latest", element: "latest", postgres: "9.6", redis: "latest" },
    containerMemory: 256,
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
  // Rules of docs/security-baseline.md that production breaks until its operators change the legacy settings.
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
    "production-deletion-protection":
      "The legacy load balancer has no deletion protection; turning it on is an in-place update, planned right after adoption.",
    "pinned-image-tags":
      "The legacy production tasks run synapse, element and redis at latest; pin each to the digest running today (npm run adopt -- production --running-images) before the adoption, which refuses them until then.",
  },
};

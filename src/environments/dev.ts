import { EnvironmentInput } from "./environment";

/**
 * Dev, the example of a new environment and the one to copy for another (README, "Adding an
 * environment"): every operations option at its default, so on (logs kept 30 days, alarms,
 * CPU scaling with a JVB on every instance, daily EFS backups kept 7 days, a launch template
 * with the ECS-optimized AMI AWS names at each launch), no `legacy` block and no waiver.
 *
 * It has never been deployed: the VPC, EFS file system, account, certificate, hosted zone and
 * alarm address are placeholders (`PLACEHOLDER`) to replace with the new account's before the
 * first deploy. Its subnets take a range of the VPC's own, clear of any other environment.
 */
export const dev: EnvironmentInput = {
  name: "dev",
  region: "eu-west-1",
  tags: {
    Environment: "Dev",
    Info: "Terraform",
    Owner: "NOI",
    Project: "ECS Cluster",
    Responsible: "Ebcont",
  },
  accountId: "123456789012", // PLACEHOLDER
  network: {
    vpcId: "vpc-00000000000000de0", // PLACEHOLDER
    vpcCidrBlock: "10.40.0.0/16", // PLACEHOLDER: the VPC's range
    subnets: [
      { cidrBlock: "10.40.0.0/24", availabilityZone: "eu-west-1a", name: "jitsi-matrix-subnet-1-dev" },
      { cidrBlock: "10.40.1.0/24", availabilityZone: "eu-west-1b", name: "jitsi-matrix-subnet-2-dev" },
    ],
  },
  efsFileSystemId: "fs-00000000000000de0", // PLACEHOLDER
  securityGroups: {
    loadBalancer: { name: "jitsi-matrix-alb-sg-dev", description: "jitsi matrix alb sg dev" },
    instances: { name: "jitsi-matrix-ecs-sg-dev", description: "jitsi matrix ecs sg dev" },
    efs: { name: "jitsi-matrix-efs-sg-dev", description: "jitsi matrix efs sg dev" },
  },
  iam: {
    instanceRoleName: "jitsi-matrix-agent-dev",
    instanceProfileName: "jitsi-matrix-agent-dev",
  },
  capacity: {
    autoScalingGroupName: "jitsi-matrix-asg-dev",
    instanceType: "c5a.large",
    desiredCapacity: 1,
    minSize: 1,
    // Room for CPU scaling to add instances, each with a JVB of its own.
    maxSize: 3,
  },
  cluster: { name: "jitsi-matrix-cluster-dev" },
  loadBalancer: {
    name: "jitsi-matrix-alb-dev",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-0000000000de", // PLACEHOLDER
    targetGroupNames: {
      jitsi: "jitsi-http-target-dev",
      element: "element-http-target-dev",
      synapse: "synapse-http-target-dev",
    },
  },
  dns: {
    hostedZoneId: "Z00000000000000000DE0", // PLACEHOLDER
    hostedZoneName: "dev.example.com", // PLACEHOLDER
    hosts: {
      jitsi: "jitsi.dev.example.com",
      matrix: "matrix.dev.example.com",
      element: "element.dev.example.com",
      synapse: "synapse.dev.example.com",
    },
  },
  jitsi: {
    serviceName: "jitsi-service-dev",
    taskFamily: "jitsi-meet-task-dev",
    // docker-jitsi-meet's stable release of 2026 (its git tags); bridge channels are SCTP data channels since stable-9584, the colibri websocket gone.
    imageTag: "stable-11146-2",
    volumes: [
      { name: "jitsi-data", rootDirectory: "/prosody/config" },
      { name: "jitsi-images", rootDirectory: "/jitsi/jitsi-meet/images" },
    ],
    environment: {
      // TLS ends at the load balancer.
      web: { DISABLE_HTTPS: "1" },
    },
  },
  matrix: {
    serviceName: "matrix-service-dev",
    taskFamily: "matrix-task-dev",
    // Current releases: Synapse supports PostgreSQL 14 and later (RDS runs 17); Element serves its image's files (elementConfig) as a non-root nginx on port 80.
    imageTags: { synapse: "v1.162.0", element: "v1.12.30", postgres: "17.7", redis: "7.4.7" },
    volumes: [
      { name: "matrix-synapse-data", rootDirectory: "/matrix/synapse" },
      { name: "matrix-postres-data", rootDirectory: "/matrix/postgres/data" },
    ],
  },
  postgresUpgrade: { enabled: false },
  // Clients behind firewalls that block UDP reach the JVB's media through TURN: coturn on every instance (turn.coturn, on by default),
  // behind a load balancer the name points at, with the shared secret /jitsi-matrix/dev/TURN_SHARED_SECRET. The certificate must name it.
  turn: { host: "turn.dev.example.com" }, // PLACEHOLDER: in the hosted zone
  smtp: {
    host: "email-smtp.eu-west-1.amazonaws.com",
    user: "ses-smtp-user", // PLACEHOLDER: the SES SMTP credentials' user name
    // Written by the operator from SES's SMTP credentials, as a SecureString under alias/jitsi-matrix-dev.
    passwordParameter: "/jitsi-matrix/dev/SMTP_PASSWORD",
    notifFrom: "Matrix <noreply@dev.example.com>", // PLACEHOLDER
  },
  alarms: {
    emailAddresses: ["jitsi-matrix-ops@example.com"], // PLACEHOLDER: who gets the alarms
  },
};

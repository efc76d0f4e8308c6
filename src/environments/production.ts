import { Environment } from "./environment";

/**
 * Production, adopted from the legacy HCL deployment (`config/production.tfvars`).
 * Its certificate ARN and hosted zone ID were empty in the legacy files: the
 * values here are placeholders to replace before the first deploy.
 */
export const production: Environment = {
  name: "production",
  region: "eu-west-1",
  tags: {
    Environment: "Production",
    Info: "Terraform",
    Owner: "NOI",
    Project: "ECS Cluster",
    Responsible: "Ebcont",
  },
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
    imageId: "ami-06bb94c46ddc47feb",
    instanceType: "c5.large",
    keyName: "jitsi-cluster-key",
    desiredCapacity: 1,
    minSize: 1,
    maxSize: 2,
    healthCheckGracePeriod: 300,
    healthCheckType: "EC2",
  },
  cluster: { name: "jitsi-matrix-cluster-production" },
  loadBalancer: {
    name: "jitsi-matrix-alb-production",
    internal: false,
    deletionProtection: false,
    sslPolicy: "ELBSecurityPolicy-2016-08",
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
      { name: "jitsi-data", rootDirectory: "/prosody/config", transitEncryption: false },
      { name: "jitsi-images", rootDirectory: "/jitsi/jitsi-meet/images", transitEncryption: false },
    ],
    memory: { web: 512, prosody: 256, jicofo: 256, jvb: 2048 },
    environment: {
      jvb: { JVB_TCP_HARVESTER_DISABLED: "true" },
    },
  },
  matrix: {
    serviceName: "matrix-service-production",
    taskFamily: "matrix-task-production",
    imageTags: { synapse: "latest", element: "latest", postgres: "9.6", redis: "latest" },
    containerMemory: 256,
    volumes: [
      { name: "matrix-synapse-data", rootDirectory: "/matrix/synapse", transitEncryption: false },
      { name: "matrix-postres-data", rootDirectory: "/matrix/postgres/data", transitEncryption: false },
      { name: "matrix-element-data", rootDirectory: "/matrix/element", transitEncryption: false },
    ],
  },
  postgresUpgrade: { enabled: false },
  legacy: {
    securityGroupNameTag: "test",
    sshIngressCidrs: ["0.0.0.0/0"],
    loadBalancerUdpMediaIngress: true,
    instanceNfsIngressFromLoadBalancer: true,
  },
};

import type { EnvironmentInput } from "../../src/environments";

/** A writable copy of a readonly type, for tests that break one field at a time. */
export type Draft<T> = T extends readonly (infer E)[]
  ? Draft<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Draft<T[K]> }
    : T;

/**
 * A new environment as the README's recipe makes one: no `legacy` block, no
 * waivers, no legacy values, every operations option at its default (on), so
 * with the one field the defaults need, the alarms' addresses. It also gives
 * the VPC range and the zone's name, so that the rules that need them run. A
 * fresh object on every call.
 */
export function newEnvironment(): Draft<EnvironmentInput> {
  return {
    name: "dev",
    region: "eu-west-1",
    tags: { Environment: "Dev", Info: "Terraform", Owner: "NOI", Project: "ECS Cluster", Responsible: "Ebcont" },
    production: false,
    accountId: "123456789012",
    network: {
      vpcId: "vpc-0123456789abcdef0",
      vpcCidrBlock: "10.20.0.0/16",
      subnets: [
        { cidrBlock: "10.20.1.0/28", availabilityZone: "eu-west-1a", name: "jitsi-matrix-subnet-1-dev" },
        { cidrBlock: "10.20.1.16/28", availabilityZone: "eu-west-1b", name: "jitsi-matrix-subnet-2-dev" },
      ],
    },
    efsFileSystemId: "fs-0123456789abcdef0",
    securityGroups: {
      loadBalancer: { name: "jitsi-matrix-alb-sg-dev", description: "jitsi matrix alb sg dev" },
      instances: { name: "jitsi-matrix-ecs-sg-dev", description: "jitsi matrix ecs sg dev" },
      efs: { name: "jitsi-matrix-efs-sg-dev", description: "jitsi matrix efs sg dev" },
    },
    iam: { instanceRoleName: "jitsi-matrix-agent-dev", instanceProfileName: "jitsi-matrix-agent-dev" },
    capacity: {
      autoScalingGroupName: "jitsi-matrix-asg-dev",
      imageId: "ami-0123456789abcdef0",
      instanceType: "c5a.large",
      keyName: "jitsi-cluster-key",
      desiredCapacity: 1,
      minSize: 1,
      maxSize: 1,
      healthCheckGracePeriod: 300,
      healthCheckType: "EC2",
    },
    cluster: { name: "jitsi-matrix-cluster-dev" },
    loadBalancer: {
      name: "jitsi-matrix-alb-dev",
      internal: false,
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000002",
      targetGroupNames: { jitsi: "jitsi-http-target-dev", element: "element-http-target-dev", synapse: "synapse-http-target-dev" },
    },
    dns: {
      hostedZoneId: "Z0DEVZONE000001",
      hostedZoneName: "dev.example.org",
      hosts: {
        jitsi: "jitsi.dev.example.org",
        matrix: "matrix.dev.example.org",
        element: "element.dev.example.org",
        synapse: "synapse.dev.example.org",
      },
    },
    jitsi: {
      serviceName: "jitsi-service-dev",
      taskFamily: "jitsi-meet-task-dev",
      imageTag: "stable-6865",
      volumes: [
        { name: "jitsi-data", rootDirectory: "/dev/prosody/config" },
        { name: "jitsi-images", rootDirectory: "/dev/jitsi/jitsi-meet/images" },
      ],
      memory: { web: 256, prosody: 256, jicofo: 256, jvb: 1024 },
      environment: { jvb: { JVB_TCP_HARVESTER_DISABLED: "false" } },
    },
    matrix: {
      serviceName: "matrix-service-dev",
      taskFamily: "matrix-task-dev",
      imageTags: { synapse: "v1.53.0", element: "v1.10.6", postgres: "17.7", redis: "6.2.6" },
      containerMemory: 128,
      volumes: [
        { name: "matrix-synapse-data", rootDirectory: "/dev/matrix/synapse" },
        { name: "matrix-postres-data", rootDirectory: "/dev/matrix/postgres/data" },
      ],
    },
    postgresUpgrade: { enabled: false },
    alarms: { emailAddresses: ["ops@dev.example.org"] },
  };
}

/** Moves `environment` to another AWS account: its `accountId` and its certificate's account. */
export function inAccount(environment: Draft<EnvironmentInput>, accountId: string): void {
  environment.accountId = accountId;
  environment.loadBalancer.certificateArn = environment.loadBalancer.certificateArn.replace(/:\d{12}:certificate\//, `:${accountId}:certificate/`);
}

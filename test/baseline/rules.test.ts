import { readFileSync } from "fs";
import * as path from "path";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SecurityGroupRule as AwsSecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { S3Backend, Testing } from "cdktf";
import { Construct } from "constructs";
import {
  BASELINE_CHECKS,
  BASELINE_RULE_IDS,
  BASELINE_RULES,
  BaselineContext,
  BaselineRuleId,
  checkBaseline,
  findViolations,
  formatBaselineReport,
  imageTag,
  isCurrentTlsPolicy,
  TerraformJson,
} from "../../tools/baseline";
import { AccessLogBucket } from "../../src/modules/access-log-bucket";
import { AutoscalingCapacity } from "../../src/modules/autoscaling-capacity";
import { ContainerDefinition, renderContainerDefinitions } from "../../src/modules/container-definition";
import { EcsService } from "../../src/modules/ecs-service";
import { LEGACY_ALLOW_ALL_EGRESS, SecurityGroup } from "../../src/modules/security-group";
import { ALL_SECRETS, PlatformSecret } from "../../src/modules/platform-secrets";
import { SecretParameters } from "../../src/modules/secret-parameters";
import { AddressedStack } from "../../src/stacks/addressed-stack";
import { fakeSecret } from "../support/fake-secret";

const TAGS = { Environment: "Test", Owner: "Ops" };
const ENVIRONMENT = { name: "test", tags: TAGS, production: false };
const STATE_BUCKET = "terraform-state-bucket";

/** A stack built with real provider constructs, tagged with TAGS unless the build says otherwise. */
function stack(build: (scope: Construct) => void, options: { provider?: boolean; tags?: Record<string, string> } = {}): TerraformJson {
  const app = Testing.app();
  const scope = new AddressedStack(app, "test");
  if (options.provider ?? true) new AwsProvider(scope, "aws", { region: "eu-west-1", defaultTags: [{ tags: options.tags ?? TAGS }] });
  build(scope);
  return JSON.parse(Testing.synth(scope)) as TerraformJson;
}

/** The rules a stack breaks, each with its addresses. */
function broken(json: TerraformJson, context: BaselineContext = { environment: ENVIRONMENT }): Partial<Record<BaselineRuleId, string[]>> {
  const result: Partial<Record<BaselineRuleId, string[]>> = {};
  for (const finding of findViolations({ name: "test", json }, context)) {
    result[finding.rule] = [...(result[finding.rule] ?? []), `${finding.address}: ${finding.message}`];
  }
  return result;
}

const group = (scope: Construct, id: string, ingress: ConstructorParameters<typeof SecurityGroup>[2]["ingress"]) =>
  new SecurityGroup(scope, id, { vpcId: "vpc-1", name: id, description: id, ingress, egress: {} });

const alb = (scope: Construct, securityGroupId: string, props: Partial<ConstructorParameters<typeof Lb>[2]> = {}) =>
  new Lb(scope, "lb", { name: "lb", loadBalancerType: "application", subnets: ["subnet-a"], securityGroups: [securityGroupId], ...props });

/** A stack of one AutoscalingCapacity with small valid settings, over `props`. */
const capacityStack = (props: Partial<ConstructorParameters<typeof AutoscalingCapacity>[2]> = {}) =>
  stack((scope) =>
    new AutoscalingCapacity(scope, "capacity", {
      clusterName: "c",
      autoScalingGroupName: "asg",
      imageId: "ami-0123456789abcdef0",
      instanceType: "t3.small",
      instanceProfileName: "p",
      securityGroupIds: ["sg-1"],
      subnetIds: ["subnet-a"],
      desiredCapacity: 1,
      minSize: 1,
      maxSize: 1,
      ...props,
    }),
  );

const task = (scope: Construct, containers: ContainerDefinition[]) =>
  new EcsTaskDefinition(scope, "task", { family: "task", containerDefinitions: renderContainerDefinitions(containers) });

const container = (props: Partial<ContainerDefinition>): ContainerDefinition => ({ name: "app", image: "example/app:1.0", memory: 128, ...props });

describe("the security baseline", () => {
  it("has a check and a section in docs/security-baseline.md for every rule", () => {
    expect(Object.keys(BASELINE_CHECKS).sort()).toEqual([...BASELINE_RULE_IDS].sort());
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "security-baseline.md"), "utf8");
    for (const rule of BASELINE_RULE_IDS) {
      expect(doc).toContain(`### \`${rule}\``);
      expect(doc).toContain(BASELINE_RULES[rule].waivable ? `\`${rule}\` may be waived` : `\`${rule}\` cannot be waived`);
    }
  });

  it("finds nothing in a stack that keeps every rule", () => {
    const json = stack((scope) => {
      const sg = group(scope, "alb_sg", { https: { protocol: "tcp", fromPort: 443, cidrBlocks: ["0.0.0.0/0"] } });
      const logs = new AccessLogBucket(scope, "access_logs", { bucketName: "lb-logs", region: "eu-west-1", deliveries: [{ from: "loadBalancer", prefix: "lb" }] });
      const lb = alb(scope, sg.securityGroupId, { enableDeletionProtection: true, dropInvalidHeaderFields: true, accessLogs: { bucket: logs.bucketName, enabled: true } });
      new LbListener(scope, "https", {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
      });
    });
    expect(broken(json, { environment: { ...ENVIRONMENT, production: true } })).toEqual({});
  });

  describe("admin-ports-closed", () => {
    it("fails on SSH open to the internet, inline, as a standalone rule, and on all traffic from ::/0", () => {
      const json = stack((scope) => {
        const sg = group(scope, "instance_sg", { ssh: { protocol: "tcp", fromPort: 22, cidrBlocks: ["0.0.0.0/0"] } });
        new AwsSecurityGroupRule(scope, "all_v6", {
          type: "ingress",
          securityGroupId: sg.securityGroupId,
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          ipv6CidrBlocks: ["::/0"],
        });
        new VpcSecurityGroupIngressRule(scope, "rdp_range", {
          securityGroupId: sg.securityGroupId,
          ipProtocol: "tcp",
          fromPort: 3380,
          toPort: 3390,
          cidrIpv4: "0.0.0.0/0",
        });
      });
      const findings = broken(json)["admin-ports-closed"]!;
      expect(findings).toContainEqual(expect.stringMatching(/^aws_security_group.instance_sg: ingress "ssh" lets 0.0.0.0\/0 reach port 22 \(SSH\)/));
      expect(findings).toContainEqual(expect.stringMatching(/^aws_security_group_rule.all_v6: .*::\/0 reach port 22/));
      expect(findings).toContainEqual(expect.stringMatching(/^aws_vpc_security_group_ingress_rule.rdp_range: .*port 3389 \(RDP\)/));
    });

    it("lets SSH in from an admin network and UDP media from anywhere", () => {
      const json = stack((scope) =>
        group(scope, "instance_sg", {
          ssh: { protocol: "tcp", fromPort: 22, cidrBlocks: ["10.0.0.0/8"] },
          media: { protocol: "udp", fromPort: 10000, cidrBlocks: ["0.0.0.0/0"] },
        }),
      );
      expect(broken(json)["admin-ports-closed"]).toBeUndefined();
    });
  });

  describe("no-udp-to-load-balancer", () => {
    it("fails on a UDP rule, or an all-traffic rule, of an application load balancer's group", () => {
      const json = stack((scope) => {
        const sg = group(scope, "alb_sg", { "jvb udp test": { protocol: "udp", fromPort: 10000, cidrBlocks: ["0.0.0.0/0"] } });
        new AwsSecurityGroupRule(scope, "everything", {
          type: "ingress",
          securityGroupId: sg.securityGroupId,
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["10.0.0.0/8"],
        });
        alb(scope, sg.securityGroupId);
      });
      expect(broken(json)["no-udp-to-load-balancer"]).toEqual([
        expect.stringMatching(/^aws_security_group.alb_sg: ingress "jvb udp test" lets UDP reach the group of aws_lb.lb; an ALB carries only HTTP\(S\)/),
        expect.stringMatching(/^aws_security_group_rule.everything: an ingress rule lets all traffic, UDP included, reach/),
      ]);
    });

    it("leaves UDP alone on a network load balancer and on groups of no load balancer", () => {
      const json = stack((scope) => {
        const sg = group(scope, "nlb_sg", { media: { protocol: "udp", fromPort: 10000, cidrBlocks: ["0.0.0.0/0"] } });
        alb(scope, sg.securityGroupId, { loadBalancerType: "network" });
        group(scope, "instance_sg", { media: { protocol: "udp", fromPort: 10000, cidrBlocks: ["0.0.0.0/0"] } });
      });
      expect(broken(json)["no-udp-to-load-balancer"]).toBeUndefined();
    });
  });

  describe("current-tls-policy", () => {
    const listener = (sslPolicy?: string) =>
      stack((scope) =>
        new LbListener(scope, "https", {
          loadBalancerArn: "arn:lb",
          port: 443,
          protocol: "HTTPS",
          sslPolicy,
          certificateArn: "arn:cert",
          defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
        }),
      );

    it("fails on an HTTPS listener with an old policy or none", () => {
      expect(broken(listener("ELBSecurityPolicy-2016-08"))["current-tls-policy"]).toEqual([
        expect.stringMatching(/ssl_policy "ELBSecurityPolicy-2016-08" is not a current policy .*; use ELBSecurityPolicy-TLS13-1-2-2021-06/),
      ]);
      expect(broken(listener(undefined))["current-tls-policy"]).toEqual([expect.stringMatching(/no ssl_policy: AWS applies ELBSecurityPolicy-2016-08/)]);
      expect(broken(listener("ELBSecurityPolicy-TLS13-1-1-2021-06"))["current-tls-policy"]).toHaveLength(1);
    });

    it("fails on a policy given as a Terraform expression, which it cannot check", () => {
      expect(broken(listener("${var.ssl_policy}"))["current-tls-policy"]).toEqual([
        expect.stringMatching(/^aws_lb_listener.https: ssl_policy "\$\{var.ssl_policy\}" is a Terraform expression, so the policy it names cannot be checked; give the policy's name as a literal/),
      ]);
    });

    it("accepts the TLS 1.3 policies with TLS 1.2 at least", () => {
      expect(broken(listener("ELBSecurityPolicy-TLS13-1-2-2021-06"))["current-tls-policy"]).toBeUndefined();
      for (const policy of ["ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"]) {
        expect(isCurrentTlsPolicy(policy)).toBe(true);
      }
      expect(isCurrentTlsPolicy("ELBSecurityPolicy-TLS-1-2-2017-01")).toBe(false);
    });
  });

  describe("efs-transit-encryption", () => {
    const service = (transitEncryption: boolean) =>
      stack((scope) =>
        new EcsService(scope, "app", {
          clusterArn: "arn:cluster",
          serviceName: "app",
          family: "app",
          containers: [container({ mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] })],
          volumes: [{ name: "data", fileSystemId: "fs-1", rootDirectory: "/data", transitEncryption }],
        }),
      );

    it("fails on an EFS volume without transit encryption", () => {
      expect(broken(service(false))["efs-transit-encryption"]).toEqual([
        expect.stringMatching(/^aws_ecs_task_definition.app_task_definition: EFS volume "data" has transit_encryption "DISABLED"; set it to "ENABLED"/),
      ]);
      expect(broken(service(true))["efs-transit-encryption"]).toBeUndefined();
    });
  });

  describe("imdsv2-required", () => {
    const capacity = (requireImdsv2?: boolean) =>
      stack((scope) =>
        new AutoscalingCapacity(scope, "capacity", {
          clusterName: "c",
          autoScalingGroupName: "asg",
          imageId: "ami-1",
          instanceType: "t3.small",
          instanceProfileName: "p",
          securityGroupIds: [],
          subnetIds: ["subnet-a"],
          desiredCapacity: 1,
          minSize: 1,
          maxSize: 1,
          requireImdsv2,
        }),
      );

    it("fails on a launch configuration without metadata options, and on a launch template with optional tokens", () => {
      expect(broken(capacity(false))["imdsv2-required"]).toEqual([
        expect.stringMatching(/^aws_launch_configuration.capacity_launch_configuration: no metadata_options: instances accept IMDSv1/),
      ]);
      const template = stack((scope) => new LaunchTemplate(scope, "template", { metadataOptions: { httpTokens: "optional" } }));
      expect(broken(template)["imdsv2-required"]).toEqual([expect.stringMatching(/metadata_options.http_tokens is "optional"; set it to "required"/)]);
    });

    it("passes the capacity construct's default", () => {
      expect(broken(capacity())["imdsv2-required"]).toBeUndefined();
    });
  });

  describe("container-metadata-blocked", () => {
    const capacity = (launchTemplate: boolean) => capacityStack({ launchTemplate, requireImdsv2: launchTemplate });

    it("fails on a hop limit above 1, on user data without the host rule, and on a launch configuration without either", () => {
      const loose = stack((scope) => new LaunchTemplate(scope, "template", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 }, userData: "echo" }));
      expect(broken(loose)["container-metadata-blocked"]).toEqual([
        expect.stringMatching(/^aws_launch_template.template: metadata_options.http_put_response_hop_limit is 2 .*; set it to 1/),
        expect.stringMatching(/^aws_launch_template.template: the user data does not drop container traffic to 169.254.169.254/),
      ]);
      expect(broken(capacity(false))["container-metadata-blocked"]).toEqual([
        expect.stringMatching(/^aws_launch_configuration.capacity_launch_configuration: no metadata_options: containers reach the metadata service/),
        expect.stringMatching(/^aws_launch_configuration.capacity_launch_configuration: the user data does not drop container traffic/),
      ]);
    });

    it("passes the capacity construct's launch template", () => {
      expect(broken(capacity(true))["container-metadata-blocked"]).toBeUndefined();
    });
  });

  describe("no-literal-secrets", () => {
    it("fails on a password in a container's environment and on a literal SecureString", () => {
      const json = stack((scope) => {
        task(scope, [container({ environment: { POSTGRES_PASSWORD: fakeSecret("password"), POSTGRES_USER: "synapse" } })]);
        new SsmParameter(scope, "password", { name: "/x/PASSWORD", type: "SecureString", value: fakeSecret("password") });
      });
      expect(broken(json)["no-literal-secrets"]).toEqual([
        expect.stringMatching(/^aws_ecs_task_definition.task: container "app" has POSTGRES_PASSWORD as a literal in its environment; pass it through "secrets"/),
        expect.stringMatching(/^aws_ssm_parameter.password: a SecureString parameter with a literal value/),
      ]);
    });

    it("fails on a literal in a String parameter named as a platform secret or whose name says it is one", () => {
      const json = stack((scope) => {
        new SsmParameter(scope, "platform", { name: "/jitsi-matrix/test/JVB_AUTH_PASSWORD", type: "String", value: fakeSecret("password") });
        new SsmParameter(scope, "api_key", { name: "/x/STRIPE_API_KEY", type: "StringList", value: "sk_live_1,sk_live_2" });
        new SsmParameter(scope, "insecure", { name: "/x/DB_PASSWORD", type: "String", insecureValue: fakeSecret("password") });
      });
      expect(broken(json)["no-literal-secrets"]).toEqual([
        expect.stringMatching(/^aws_ssm_parameter.api_key: a "StringList" parameter whose name "\/x\/STRIPE_API_KEY" says it holds a secret with a literal value/),
        expect.stringMatching(/^aws_ssm_parameter.insecure: a "String" parameter whose name "\/x\/DB_PASSWORD" says/),
        expect.stringMatching(/^aws_ssm_parameter.platform: a "String" parameter named as the platform secret JVB_AUTH_PASSWORD with a literal value .*; make it a SecureString, generate it/),
      ]);
    });

    it("leaves plain String parameters of settings alone, and String secrets with a generated value", () => {
      const json = stack((scope) => {
        new RandomProvider(scope, "random");
        new SsmParameter(scope, "setting", { name: "/x/LOG_LEVEL", type: "String", value: "info" });
        const value = new Password(scope, "value", { length: 32 });
        new SsmParameter(scope, "generated", { name: "/x/POSTGRES_PASSWORD", type: "String", value: value.result });
      });
      expect(broken(json)["no-literal-secrets"]).toBeUndefined();
    });

    it("accepts secrets from SSM and generated parameter values", () => {
      const json = stack((scope) => {
        new RandomProvider(scope, "random");
        task(scope, [container({ secrets: { POSTGRES_PASSWORD: "/x/PASSWORD" }, environment: { JWT_APP_SECRET: "" } })]);
        const value = new Password(scope, "value", { length: 32 });
        new SsmParameter(scope, "password", { name: "/x/PASSWORD", type: "SecureString", value: value.result });
      });
      expect(broken(json)["no-literal-secrets"]).toBeUndefined();
    });
  });

  describe("no-secret-in-state", () => {
    it("fails on a random_password resource and on a SecureString parameter with a value, generated or not", () => {
      const json = stack((scope) => {
        new RandomProvider(scope, "random");
        const value = new Password(scope, "value", { length: 32 });
        new SsmParameter(scope, "password", { name: "/x/PASSWORD", type: "SecureString", value: value.result });
      });
      expect(broken(json)["no-secret-in-state"]).toEqual([
        expect.stringMatching(/^random_password.value: a random_password resource keeps its result in the state .*ephemeral random_password/),
        expect.stringMatching(/^aws_ssm_parameter.password: a SecureString parameter with value keeps the secret in the state; write it through value_wo/),
      ]);
    });

    it("passes the secrets construct: ephemeral passwords written through value_wo", () => {
      const versions = Object.fromEntries(ALL_SECRETS.map((secret) => [secret, 1])) as Record<PlatformSecret, number>;
      const json = stack((scope) => new SecretParameters(scope, "secret", { environmentName: "dev", versions }));
      expect(broken(json)["no-secret-in-state"]).toBeUndefined();
      expect(broken(json)["no-literal-secrets"]).toBeUndefined();
    });
  });

  describe("state-bucket-protected", () => {
    const bucketStack = (complete: boolean, bucket = STATE_BUCKET) =>
      stack((scope) => {
        const state = new S3Bucket(scope, "state_bucket", { bucket });
        if (!complete) return;
        new S3BucketVersioningA(scope, "versioning", { bucket: state.id, versioningConfiguration: { status: "Enabled" } });
        new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", {
          bucket: state.id,
          rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        });
        new S3BucketPublicAccessBlock(scope, "public_access_block", {
          bucket: state.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
        new S3BucketLifecycleConfiguration(scope, "lifecycle", {
          bucket: state.id,
          rule: [{ id: "expire", status: "Enabled", filter: [{}], noncurrentVersionExpiration: [{ noncurrentDays: 90 }] }],
        });
      });

    it("fails on a state bucket that is not versioned, encrypted and private", () => {
      expect(broken(bucketStack(false), { environment: ENVIRONMENT, stateBucket: STATE_BUCKET })["state-bucket-protected"]).toEqual([
        expect.stringMatching(/^aws_s3_bucket.state_bucket: state bucket terraform-state-bucket: not versioned/),
        expect.stringMatching(/no default encryption/),
        expect.stringMatching(/public access not blocked/),
        expect.stringMatching(/old state versions are kept forever; add aws_s3_bucket_lifecycle_configuration with noncurrent_version_expiration/),
      ]);
    });

    it("fails on a lock table beside the state bucket without point-in-time recovery", () => {
      const json = stack((scope) => {
        new S3Bucket(scope, "state_bucket", { bucket: STATE_BUCKET });
        new DynamodbTable(scope, "lock_table", { name: "locks", hashKey: "LockID", billingMode: "PAY_PER_REQUEST", attribute: [{ name: "LockID", type: "S" }] });
      });
      expect(broken(json, { environment: ENVIRONMENT, stateBucket: STATE_BUCKET })["state-bucket-protected"]).toContainEqual(
        expect.stringMatching(/^aws_dynamodb_table.lock_table: lock table without point-in-time recovery/),
      );
    });

    it("fails on a state bucket with a public ACL, even when everything else protects it", () => {
      const json = stack((scope) => {
        const state = new S3Bucket(scope, "state_bucket", { bucket: STATE_BUCKET, acl: "public-read" });
        new S3BucketVersioningA(scope, "versioning", { bucket: state.id, versioningConfiguration: { status: "Enabled" } });
        new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", { bucket: state.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
        new S3BucketPublicAccessBlock(scope, "public_access_block", {
          bucket: state.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
      });
      expect(broken(json, { environment: ENVIRONMENT, stateBucket: STATE_BUCKET })["state-bucket-protected"]).toContainEqual(
        expect.stringMatching(/^aws_s3_bucket.state_bucket: state bucket terraform-state-bucket: acl "public-read" makes it public; remove the ACL/),
      );
    });

    it("accepts the state bucket with versioning, default encryption and a public access block, and ignores other buckets", () => {
      expect(broken(bucketStack(true), { environment: ENVIRONMENT, stateBucket: STATE_BUCKET })["state-bucket-protected"]).toBeUndefined();
      expect(broken(bucketStack(false, "some-logs"), { environment: ENVIRONMENT, stateBucket: STATE_BUCKET })["state-bucket-protected"]).toBeUndefined();
    });

    it("fails on an S3 backend that does not encrypt state, and finds the bucket through the backend", () => {
      const json = stack((scope) => {
        new S3Backend(scope, { bucket: STATE_BUCKET, key: "x.tfstate", region: "eu-west-1", encrypt: false });
        new S3Bucket(scope, "state_bucket", { bucket: STATE_BUCKET });
      });
      const findings = broken(json)["state-bucket-protected"]!;
      expect(findings[0]).toMatch(/^terraform.backend.s3: encrypt is false; set "encrypt": true in backend.tf.json/);
      expect(findings.slice(1)).toHaveLength(4);
    });
  });

  describe("production-deletion-protection", () => {
    const json = stack((scope) => alb(scope, "sg-1"));

    it("fails on a production load balancer without deletion protection, and only in production", () => {
      expect(broken(json, { environment: { ...ENVIRONMENT, production: true } })["production-deletion-protection"]).toEqual([
        expect.stringMatching(/^aws_lb.lb: enable_deletion_protection is false in production environment test/),
      ]);
      expect(broken(json)["production-deletion-protection"]).toBeUndefined();
    });

    it("fails on a production database without deletion protection", () => {
      const database = (deletionProtection: boolean) =>
        stack((scope) => new DbInstance(scope, "db", { instanceClass: "db.t4g.micro", engine: "postgres", allocatedStorage: 20, deletionProtection }));
      const production = { environment: { ...ENVIRONMENT, production: true } };
      expect(broken(database(false), production)["production-deletion-protection"]).toEqual([
        expect.stringMatching(/^aws_db_instance.db: deletion_protection is false in production environment test; set the environment's rds.deletionProtection to true/),
      ]);
      expect(broken(database(true), production)["production-deletion-protection"]).toBeUndefined();
    });
  });

  describe("environment-tags", () => {
    it("fails when the provider's default tags are not the environment's", () => {
      const json = stack((scope) => new S3Bucket(scope, "b", { bucket: "b" }), { tags: { Environment: "Other" } });
      expect(broken(json)["environment-tags"]).toEqual([expect.stringMatching(/^provider.aws: default_tags .* differ from the environment's tags/)]);
    });

    it("fails when a resource overrides an environment tag, also through an autoscaling group's tag block", () => {
      const json = stack((scope) => {
        new S3Bucket(scope, "b", { bucket: "b", tags: { Owner: "someone else", Name: "b" } });
        new AutoscalingGroup(scope, "asg", { maxSize: 1, minSize: 1, tag: [{ key: "Environment", value: "Prod", propagateAtLaunch: true }] });
      });
      expect(broken(json)["environment-tags"]).toEqual([
        expect.stringMatching(/^aws_autoscaling_group.asg: tag Environment="Prod" overrides the environment's Environment="Test"/),
        expect.stringMatching(/^aws_s3_bucket.b: tag Owner="someone else" overrides the environment's Owner="Ops"/),
      ]);
    });

    it("fails when AWS resources have no provider tags at all", () => {
      const json = stack((scope) => new S3Bucket(scope, "b", { bucket: "b" }), { provider: false });
      expect(broken(json)["environment-tags"]).toEqual([expect.stringMatching(/^provider.aws: no aws provider block, so no default_tags/)]);
      expect(broken(json, {})["environment-tags"]).toHaveLength(1);
    });
  });

  describe("autoscaling-tags", () => {
    const capacity = capacityStack;

    it("fails on a group without the environment's tags, which default_tags do not give it", () => {
      expect(broken(capacity())["autoscaling-tags"]).toEqual([
        expect.stringMatching(/^aws_autoscaling_group.capacity_group: no tag block with propagate_at_launch = true for Environment, Owner: default_tags reach neither the group nor its instances; give it a tag block per environment tag/),
      ]);
    });

    it("fails on a tag that is not propagated to the instances, and on a launch template that does not tag what it launches", () => {
      const json = stack((scope) => {
        new AutoscalingGroup(scope, "asg", {
          maxSize: 1,
          minSize: 1,
          tag: [
            { key: "Environment", value: "Test", propagateAtLaunch: true },
            { key: "Owner", value: "Ops", propagateAtLaunch: false },
          ],
        });
        new LaunchTemplate(scope, "template", { tagSpecifications: [{ resourceType: "instance", tags: TAGS }] });
      });
      expect(broken(json)["autoscaling-tags"]).toEqual([
        expect.stringMatching(/^aws_autoscaling_group.asg: no tag block with propagate_at_launch = true for Owner:/),
        expect.stringMatching(/^aws_launch_template.template: tag_specifications for volume lack Environment, Owner: default_tags do not reach what a launch template launches/),
      ]);
    });

    it("passes the capacity construct given the environment's tags: the group's propagated tag blocks, and the template's instance and volume tags", () => {
      const onConfiguration = capacity({ tags: TAGS, requireImdsv2: false });
      expect(broken(onConfiguration)["autoscaling-tags"]).toBeUndefined();
      const onTemplate = capacity({ tags: TAGS, launchTemplate: true, instanceTags: { Name: "asg" }, scaling: "cpu" });
      expect(broken(onTemplate)["autoscaling-tags"]).toBeUndefined();
      const resources = onTemplate.resource!;
      expect(resources.aws_autoscaling_group.capacity_group.tag).toEqual([
        { key: "Environment", value: "Test", propagate_at_launch: true },
        { key: "Owner", value: "Ops", propagate_at_launch: true },
        { key: "AmazonECSManaged", value: "true", propagate_at_launch: true },
      ]);
      expect(resources.aws_launch_template.capacity_launch_template.tag_specifications).toEqual([
        { resource_type: "instance", tags: { ...TAGS, Name: "asg" } },
        { resource_type: "volume", tags: { ...TAGS, Name: "asg" } },
      ]);
    });

    it("is excused for an environment that waives it, and the waiver is listed", () => {
      const report = checkBaseline([
        { name: "app-test", json: capacity({ requireImdsv2: false }), context: { environment: { ...ENVIRONMENT, waivers: { "autoscaling-tags": "legacy group", "imdsv2-required": "legacy", "container-metadata-blocked": "legacy" } } } },
      ]);
      expect(report.violations).toEqual([]);
      expect(report.waivers.find((waiver) => waiver.rule === "autoscaling-tags")?.findings).toHaveLength(1);
      expect(formatBaselineReport(report)).toContain("- test: autoscaling-tags (1 finding(s)): legacy group");
    });

    it("refuses a tag the construct sets itself", () => {
      expect(() => capacity({ tags: { AmazonECSManaged: "true" } })).toThrow(/tags: .* sets AmazonECSManaged, which ECS sets on a capacity provider's group; remove it/);
    });
  });

  describe("pinned-image-tags", () => {
    it("fails on an image without a tag and on latest, accepts versions and digests", () => {
      const json = stack((scope) =>
        task(scope, [
          container({ name: "none", image: "registry.example.org:5000/team/redis" }),
          container({ name: "latest", image: "redis:latest" }),
          container({ name: "version", image: "redis:6.2.6" }),
          container({ name: "digest", image: `redis@sha256:${"a".repeat(64)}` }),
        ]),
      );
      expect(broken(json)["pinned-image-tags"]).toEqual([
        expect.stringMatching(/container "none" runs "registry.example.org:5000\/team\/redis", which has no tag/),
        expect.stringMatching(/container "latest" runs "redis:latest", whose tag moves with every push; pin a version tag/),
      ]);
      expect(imageTag("registry.example.org:5000/redis")).toBeUndefined();
    });
  });
});

describe("checkBaseline", () => {
  const json = stack((scope) => {
    group(scope, "instance_sg", { ssh: { protocol: "tcp", fromPort: 22, cidrBlocks: ["0.0.0.0/0"] } });
    task(scope, [container({ environment: { DB_PASSWORD: "x" } })]);
  });

  it("excuses what an environment waives, lists the waiver with its findings, and fails the rest", () => {
    const report = checkBaseline([
      { name: "app-test", json, context: { environment: { ...ENVIRONMENT, waivers: { "admin-ports-closed": "until the bastion exists" } } } },
    ]);
    expect(report.waivers).toEqual([
      expect.objectContaining({ environment: "test", rule: "admin-ports-closed", reason: "until the bastion exists", findings: [expect.objectContaining({ address: "aws_security_group.instance_sg" })] }),
    ]);
    expect(report.violations.map((finding) => finding.rule)).toEqual(["no-literal-secrets"]);
    expect(report.passed).toBe(false);
    expect(formatBaselineReport(report)).toMatch(/waivers in force:\n {2}- test: admin-ports-closed \(1 finding\(s\)\): until the bastion exists/);
  });

  it("fails a waiver that excuses nothing, so none outlives its reason", () => {
    const report = checkBaseline([
      { name: "app-test", json: stack(() => undefined), context: { environment: { ...ENVIRONMENT, waivers: { "imdsv2-required": "legacy launch configuration" } } } },
    ]);
    expect(report.violations).toEqual([]);
    expect(report.unusedWaivers.map((waiver) => waiver.rule)).toEqual(["imdsv2-required"]);
    expect(report.passed).toBe(false);
    expect(formatBaselineReport(report)).toContain("FAIL waiver test: imdsv2-required excuses nothing");
  });

  it("never excuses a rule that cannot be waived", () => {
    const waivers = { "no-literal-secrets": "we promise" } as unknown as Record<string, string>;
    const report = checkBaseline([{ name: "app-test", json, context: { environment: { ...ENVIRONMENT, waivers } } }]);
    expect(report.violations.map((finding) => finding.rule)).toContain("no-literal-secrets");
  });
});

describe("invalid-headers-dropped and ingress-has-listener", () => {
  const build = (dropInvalidHeaderFields: boolean, extraPort?: number) =>
    stack((scope) => {
      const sg = new SecurityGroup(scope, "sg", {
        name: "alb",
        description: "alb",
        vpcId: "vpc-1",
        ingress: {
          https: { protocol: "tcp", fromPort: 443, cidrBlocks: ["0.0.0.0/0"] },
          ...(extraPort === undefined ? {} : { extra: { protocol: "tcp", fromPort: extraPort, cidrBlocks: ["0.0.0.0/0"] } }),
        },
        egress: {},
      });
      const lb = alb(scope, sg.securityGroupId, { dropInvalidHeaderFields });
      new LbListener(scope, "https", { loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }] });
    });

  it("fail on an ALB passing invalid header fields and on a port its group opens without a listener", () => {
    const findings = broken(build(false, 8448));
    expect(findings["invalid-headers-dropped"]).toEqual([expect.stringMatching(/^aws_lb.lb: drop_invalid_header_fields is false/)]);
    expect(findings["ingress-has-listener"]).toEqual([expect.stringMatching(/^aws_security_group.sg: ingress "extra" opens port 8448 of the group of aws_lb.lb, which has no listener there; remove the rule/)]);
  });

  it("pass an ALB that drops them and whose group opens only its listeners' ports", () => {
    const findings = broken(build(true));
    expect(findings["invalid-headers-dropped"]).toBeUndefined();
    expect(findings["ingress-has-listener"]).toBeUndefined();
  });
});

describe("egress-limited and rules-described", () => {
  const build = (egress: ConstructorParameters<typeof SecurityGroup>[2]["egress"], standalone?: { protocol: string; from: number; to: number; description?: string }) =>
    stack((scope) => {
      const sg = new SecurityGroup(scope, "sg", { name: "instances", description: "instances", vpcId: "vpc-1", ingress: {}, egress });
      if (standalone) {
        new VpcSecurityGroupEgressRule(scope, "out", {
          securityGroupId: sg.securityGroupId,
          ipProtocol: standalone.protocol,
          fromPort: standalone.from,
          toPort: standalone.to,
          cidrIpv4: "0.0.0.0/0",
          description: standalone.description,
        });
      }
    });

  it("fail on the legacy egress rule: all traffic to anywhere, without description", () => {
    const findings = broken(build(LEGACY_ALLOW_ALL_EGRESS));
    expect(findings["egress-limited"]).toEqual(["aws_security_group.sg: an egress rule lets all traffic out to 0.0.0.0/0; allow only the ports and destinations the group needs"]);
    expect(findings["rules-described"]).toEqual([expect.stringMatching(/^aws_security_group.sg: an egress rule \(-1 0\) has no description/)]);
  });

  it("fail on a standalone rule that opens every TCP port, and on its missing description", () => {
    const findings = broken(build({}, { protocol: "tcp", from: 0, to: 65535 }));
    expect(findings["egress-limited"]).toEqual([expect.stringMatching(/^aws_vpc_security_group_egress_rule.out: an egress rule lets every TCP port out to 0.0.0.0\/0/)]);
    expect(findings["rules-described"]).toEqual([expect.stringMatching(/^aws_vpc_security_group_egress_rule.out: an egress rule \(tcp 0-65535\) has no description/)]);
  });

  it("pass described rules for single ports, and UDP to every port (a media server's ICE checks)", () => {
    const findings = broken(
      build({ "https out": { protocol: "tcp", fromPort: 443, cidrBlocks: ["0.0.0.0/0"] }, "media out": { protocol: "udp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] } }, { protocol: "tcp", from: 8448, to: 8448, description: "federation" }),
    );
    expect(findings["egress-limited"]).toBeUndefined();
    expect(findings["rules-described"]).toBeUndefined();
  });
});

describe("customer-managed-key", () => {
  const build = (keyed: boolean) =>
    stack((scope) => {
      const keyId = keyed ? "alias/jitsi-matrix-test" : undefined;
      new SsmParameter(scope, "secure", { name: "/x/JVB_AUTH_PASSWORD", type: "SecureString", valueWo: "${ephemeral.random_password.p.result}", valueWoVersion: 1, keyId });
      new SsmParameter(scope, "plain", { name: "/x/setting", type: "String", value: "on" });
      new CloudwatchLogGroup(scope, "logs", { name: "/ecs/c/s", kmsKeyId: keyed ? "arn:aws:kms:eu-west-1:123456789012:key/k" : undefined });
      new SnsTopic(scope, "topic", { name: "t", kmsMasterKeyId: keyed ? "arn:aws:kms:eu-west-1:123456789012:key/k" : "alias/aws/sns" });
      new BackupVault(scope, "vault", { name: "v", kmsKeyArn: keyed ? "arn:aws:kms:eu-west-1:123456789012:key/k" : undefined });
      const databaseKey = keyed ? "arn:aws:kms:eu-west-1:123456789012:key/k" : undefined;
      new DbInstance(scope, "db", {
        engine: "postgres",
        instanceClass: "db.t4g.small",
        storageEncrypted: true,
        kmsKeyId: databaseKey,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: databaseKey,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: databaseKey,
      });
      new KmsKey(scope, "key", { enableKeyRotation: keyed });
    });

  it("fails on a SecureString, log group, topic, vault and database under AWS-managed keys, and a key that does not rotate", () => {
    const findings = broken(build(false))["customer-managed-key"] ?? [];
    expect(findings.map((finding) => finding.slice(0, finding.indexOf(":")))).toEqual([
      "aws_ssm_parameter.secure",
      "aws_cloudwatch_log_group.logs",
      "aws_sns_topic.topic",
      "aws_backup_vault.vault",
      "aws_db_instance.db",
      "aws_db_instance.db",
      "aws_db_instance.db",
      "aws_kms_key.key",
    ]);
    expect(findings[2]).toContain('kms_master_key_id is "alias/aws/sns"');
    expect(findings.slice(4, 7).map((finding) => finding.split(" ")[1])).toEqual(["kms_key_id", "master_user_secret_kms_key_id", "performance_insights_kms_key_id"]);
  });

  it("passes when each names a customer-managed key, and leaves plain String parameters alone", () => {
    expect(broken(build(true))["customer-managed-key"]).toBeUndefined();
  });
});

describe("access-logs", () => {
  const build = (logged: boolean, expiring = true) =>
    stack((scope) => {
      const logs = new S3Bucket(scope, "logs", { bucket: "logs-bucket" });
      new S3BucketLifecycleConfiguration(scope, "logs_lifecycle", {
        bucket: logs.id,
        rule: [{ id: "r", status: "Enabled", filter: [{}], ...(expiring ? { expiration: [{ days: 90 }] } : { abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }) }],
      });
      const sg = group(scope, "sg", {});
      alb(scope, sg.securityGroupId, { dropInvalidHeaderFields: true, accessLogs: logged ? { bucket: logs.bucket, enabled: true } : undefined });
    });

  it("fails on an ALB without access logs, and on logs into a bucket that keeps them forever", () => {
    expect(broken(build(false))["access-logs"]).toEqual([expect.stringMatching(/^aws_lb.lb: access_logs are not enabled/)]);
    expect(broken(build(true, false))["access-logs"]).toEqual([expect.stringMatching(/^aws_lb.lb: its log bucket aws_s3_bucket.logs has no lifecycle rule that expires the logs/)]);
  });

  it("passes an ALB logging into a bucket of the stack that expires its logs", () => {
    expect(broken(build(true))["access-logs"]).toBeUndefined();
  });
});

describe("read-only-root-filesystems", () => {
  const build = (readonlyRootFilesystem: boolean | undefined) =>
    stack((scope) => {
      const containers: ContainerDefinition[] = [
        { name: "postgres", image: "postgres:17.7", memory: 128, readonlyRootFilesystem },
        { name: "cache", image: "docker.io/library/redis:7.4", memory: 128, readonlyRootFilesystem },
        // Synapse writes its generated configuration at start: no rule holds it.
        { name: "synapse", image: "matrixdotorg/synapse:v1.53.0", memory: 128 },
      ];
      new EcsTaskDefinition(scope, "task", { family: "t", containerDefinitions: renderContainerDefinitions(containers) });
    });

  it("fails on postgres and redis with writable roots, whatever the registry spelling, and leaves other images alone", () => {
    expect(broken(build(undefined))["read-only-root-filesystems"]).toEqual([
      expect.stringMatching(/^aws_ecs_task_definition.task: container "postgres" runs "postgres:17.7" with a writable root filesystem/),
      expect.stringMatching(/^aws_ecs_task_definition.task: container "cache" runs "docker.io\/library\/redis:7.4" with a writable root filesystem/),
    ]);
  });

  it("passes them read-only", () => {
    expect(broken(build(true))["read-only-root-filesystems"]).toBeUndefined();
  });
});

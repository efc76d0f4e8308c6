import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../../src/environments";
import { ECS_OPTIMIZED_IMAGE } from "../../src/modules/ecs-launch-template";
import { stackNames, synthesizeTo } from "../../tools/synthesize";
import { parsed } from "../support/environments";
import { FAKE_KEY_ARN, writeNetworkingOutputs } from "../support/networking-outputs";
import { describeIfTerraform, PlanJson, ResourceChange, resourceChanges, TerraformWorkdir, validatedPlan } from "../support/terraform";
import { LEGACY_FIXTURES as LEGACY } from "../support/legacy-fixtures";

const readLegacy = (file: string) => JSON.parse(readFileSync(path.join(LEGACY, file), "utf8"));

/**
 * The legacy set, from an independent source: resource types and counts of the legacy staging
 * state (the legacy modules build the same set for every environment), plus exactly the
 * secrets wiring: the task execution role, its read-secrets policy and its policy attachment.
 */
function legacySetCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of readLegacy("staging.tfstate").resources as { mode: string; type: string; instances: unknown[] }[]) {
    if (resource.mode === "managed") counts[resource.type] = (counts[resource.type] ?? 0) + resource.instances.length;
  }
  for (const type of ["aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment"]) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Ports, health check paths and rule priorities of the legacy target groups and rules, by target group role, from the legacy state. */
function legacyRouting(): { targetGroups: Record<string, { port: number; path: string }>; priorities: Record<string, number> } {
  const resources = readLegacy("staging.tfstate").resources as { type: string; instances: { index_key?: string; attributes: any }[] }[];
  const role = (key: string) => key.split("-")[0];
  const targetGroups: Record<string, { port: number; path: string }> = {};
  const priorities: Record<string, number> = {};
  for (const resource of resources) {
    for (const instance of resource.instances) {
      if (resource.type === "aws_lb_target_group") {
        targetGroups[role(instance.index_key!)] = { port: instance.attributes.port, path: instance.attributes.health_check[0].path };
      }
      if (resource.type === "aws_lb_listener_rule") priorities[role(instance.index_key!)] = instance.attributes.priority;
    }
  }
  return { targetGroups, priorities };
}

/** A synthesized app in a temp dir, with an optional cdktf context. */
function synth(context?: Record<string, unknown>): string {
  const outdir = mkdtempSync(path.join(tmpdir(), "stacks-synth-"));
  const env = context ? { ...process.env, CDKTF_CONTEXT_JSON: JSON.stringify(context) } : process.env;
  const result = synthesizeTo(outdir, env);
  if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
  return outdir;
}

const stackDir = (outdir: string, stack: string) => path.join(outdir, "stacks", stack);

/** The state networking-<env> leaves after its first apply, with made-up IDs. */
const networkingOutputsState = (outdir: string, environmentName: string, file: string) =>
  writeNetworkingOutputs(JSON.parse(readFileSync(path.join(stackDir(outdir, `networking-${environmentName}`), "cdk.tf.json"), "utf8")), file);

const planStack = (dir: string, remoteState?: string): Promise<PlanJson> => validatedPlan(dir, { remoteState });

const createsOnly = (plan: PlanJson) => resourceChanges(plan).every((change) => change.actions.join() === "create");
const afterOf = (plan: PlanJson, address: string) => resourceChanges(plan).find((c) => c.address === address)?.after as Record<string, unknown>;
const countsByType = (changes: ResourceChange[]) => {
  const counts: Record<string, number> = {};
  for (const change of changes) counts[change.type] = (counts[change.type] ?? 0) + 1;
  return counts;
};
const aftersOf = (changes: ResourceChange[], type: string) => changes.filter((c) => c.type === type).map((c) => c.after as Record<string, any>);
const sorted = <T>(values: T[]) => [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/**
 * What networking-<env> and jitsi-matrix-<env> together plan, checked against the legacy
 * `environments.json` entry of the environment and the legacy staging state's routing.
 */
function expectLegacyPlatform(changes: ResourceChange[], legacy: Record<string, any>): void {
  const routing = legacyRouting();
  expect(sorted(aftersOf(changes, "aws_subnet").map((s) => ({ cidr_block: s.cidr_block, az: s.availability_zone, subnet_name: s.tags.Name })))).toEqual(
    sorted(legacy.subnet_values),
  );
  expect(aftersOf(changes, "aws_subnet").every((s) => s.vpc_id === legacy.aws_vpc_id)).toBe(true);
  expect(sorted(aftersOf(changes, "aws_security_group").map((g) => ({ name: g.name, description: g.description })))).toEqual(
    sorted([legacy.alb_sg_values, legacy.ecs_sg_values, legacy.efs_sg_values]),
  );
  expect(aftersOf(changes, "aws_efs_mount_target").map((m) => m.file_system_id)).toEqual([legacy.efs_id, legacy.efs_id]);
  expect(aftersOf(changes, "aws_lb")).toEqual([
    expect.objectContaining({
      name: legacy.lb_name,
      load_balancer_type: legacy.lb_type,
      internal: legacy.lb_internal,
      enable_deletion_protection: legacy.lb_deletion_protection,
      tags_all: legacy.default_tags,
    }),
  ]);
  const targetGroups = aftersOf(changes, "aws_lb_target_group").map((t) => ({ name: t.name, port: t.port, protocol: t.protocol, path: t.health_check[0].path }));
  expect(sorted(targetGroups)).toEqual(
    sorted(
      (["jitsi", "element", "synapse"] as const).map((role) => ({
        name: legacy[`lb_tg_name_${role}`],
        port: routing.targetGroups[role].port,
        protocol: "HTTP",
        path: routing.targetGroups[role].path,
      })),
    ),
  );
  const listeners = aftersOf(changes, "aws_lb_listener").map((l) => ({ port: l.port, protocol: l.protocol, certificate_arn: l.certificate_arn ?? null, ssl_policy: l.ssl_policy ?? null }));
  expect(sorted(listeners)).toEqual(
    sorted([
      { port: 80, protocol: "HTTP", certificate_arn: null, ssl_policy: null },
      { port: 443, protocol: "HTTPS", certificate_arn: legacy.lb_listener_cert_arn, ssl_policy: legacy.lb_listener_ssl_policy },
    ]),
  );
  const rules = aftersOf(changes, "aws_lb_listener_rule").map((r) => ({
    priority: r.priority,
    hosts: [...r.condition.flatMap((c: any) => c.host_header.flatMap((h: any) => h.values))].sort(),
  }));
  expect(sorted(rules)).toEqual(
    sorted([
      { priority: routing.priorities.element, hosts: [legacy.element_url] },
      { priority: routing.priorities.synapse, hosts: [legacy.matrix_url, legacy.synapse_url].sort() },
    ]),
  );
  expect(sorted(aftersOf(changes, "aws_route53_record").map((r) => ({ name: r.name, type: r.type, zone_id: r.zone_id, ttl: r.ttl })))).toEqual(
    sorted([legacy.jitsi_url, legacy.matrix_url, legacy.element_url, legacy.synapse_url].map((name) => ({ name, type: "CNAME", zone_id: legacy.route53_zone_id, ttl: 300 }))),
  );
  expect(aftersOf(changes, "aws_ecs_cluster").map((c) => c.name)).toEqual([legacy.ecs_cluster_name]);
  expect(aftersOf(changes, "aws_iam_instance_profile").map((p) => p.name)).toEqual([legacy.ecs_iam_instance_profile_name]);
  expect(aftersOf(changes, "aws_iam_role").map((r) => r.name)).toContain(legacy.ecs_iam_role_name);
  expect(aftersOf(changes, "aws_launch_configuration")).toEqual([
    expect.objectContaining({ image_id: legacy.ecs_lc_image_id, instance_type: legacy.ecs_lc_instance_type, key_name: legacy.ecs_lc_key }),
  ]);
  expect(aftersOf(changes, "aws_autoscaling_group")).toEqual([
    expect.objectContaining({
      name: legacy.ecs_asg_name,
      min_size: legacy.ecs_asg_min_size,
      max_size: legacy.ecs_asg_max_size,
      desired_capacity: legacy.ecs_asg_desired_capacity,
      health_check_type: legacy.ecs_asg_health_check_type,
      health_check_grace_period: legacy.ecs_asg_health_check_grace_period,
    }),
  ]);
}

/** Task definition families and service names the plan creates. */
const ecsNames = (changes: ResourceChange[]) => ({
  families: aftersOf(changes, "aws_ecs_task_definition").map((t) => t.family).sort(),
  services: aftersOf(changes, "aws_ecs_service").map((t) => t.name).sort(),
});

describeIfTerraform("every stack, validated and planned offline from an empty state", () => {
  let outdir: string;
  let scratch: string;
  beforeAll(() => {
    outdir = synth();
    scratch = mkdtempSync(path.join(tmpdir(), "stacks-scratch-"));
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("synthesizes the three stacks of every environment and the shared state-backend stack", () => {
    expect(stackNames(outdir)).toEqual(
      ["state-backend", ...ENVIRONMENTS.flatMap((e) => [`jitsi-matrix-${e.name}`, `networking-${e.name}`, `secrets-${e.name}`])].sort(),
    );
  });

  describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))("%s", (name, environment) => {
    let networkingPlan: PlanJson;
    it(`networking-${name} creates the subnets, and the environment's key where it has one`, async () => {
      const plan = (networkingPlan = await planStack(stackDir(outdir, `networking-${name}`)));
      expect(createsOnly(plan)).toBe(true);
      const changes = resourceChanges(plan);
      expect(changes.filter((c) => c.type === "aws_subnet").map((c) => (c.after as { cidr_block: string }).cidr_block)).toEqual(
        environment.network.subnets.map((s) => s.cidrBlock),
      );
      const { encryptionKey } = parsed(environment);
      const key = changes.find((c) => c.type === "aws_kms_key")?.after as { enable_key_rotation: boolean; deletion_window_in_days: number } | undefined;
      const alias = changes.find((c) => c.type === "aws_kms_alias")?.after as { name: string } | undefined;
      if (encryptionKey.enabled) {
        expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: encryptionKey.deletionWindowDays });
        expect(alias?.name).toBe(`alias/jitsi-matrix-${name}`);
      } else {
        expect([key, alias]).toEqual([undefined, undefined]);
      }
      expect(changes.map((c) => c.type).sort()).toEqual([...(encryptionKey.enabled ? ["aws_kms_alias", "aws_kms_key"] : []), ...environment.network.subnets.map(() => "aws_subnet")]);
    });

    let jitsiMatrixPlan: PlanJson;
    it(`jitsi-matrix-${name} plans against networking's outputs and creates the platform`, async () => {
      const networkingState = path.join(scratch, `networking-${name}.tfstate`);
      networkingOutputsState(outdir, name, networkingState);
      const plan = (jitsiMatrixPlan = await planStack(stackDir(outdir, `jitsi-matrix-${name}`), networkingState));
      expect(createsOnly(plan)).toBe(true);
      expect(afterOf(plan, "aws_autoscaling_group.capacity_group")).toMatchObject({
        name: environment.capacity.autoScalingGroupName,
        vpc_zone_identifier: ["subnet-00000000000000000", "subnet-00000000000000001"],
      });
      expect(plan.configuration).not.toHaveProperty("provider_config.random");
    });

    const legacy = readLegacy("environments.json")[name] as Record<string, any> | undefined;
    if (legacy !== undefined) {
      it(`networking-${name} and jitsi-matrix-${name} together plan the legacy set of environments.json's ${name}, plus the secrets wiring`, () => {
        const changes = [...resourceChanges(networkingPlan), ...resourceChanges(jitsiMatrixPlan)];
        expect(countsByType(changes)).toEqual(legacySetCounts());
        expectLegacyPlatform(changes, legacy);
        expect(ecsNames(changes)).toEqual({
          families: [legacy.ecs_task_values_jitsi.ecs_task_name, legacy.ecs_task_values_matrix.ecs_task_name].sort(),
          services: [legacy.ecs_service_name_jitsi, legacy.ecs_service_name_matrix].sort(),
        });
      });
    }

    // A new environment's defaults, as Terraform plans them: the operations options all on.
    if (environment.legacy === undefined) {
      it(`jitsi-matrix-${name}, with every operations default, plans the launch template, logs, alarms, scaling, the JVB and coturn daemons and backups`, () => {
        const plan = jitsiMatrixPlan;
        const ofType = (type: string) => resourceChanges(plan).filter((c) => c.type === type);
        expect(ofType("aws_launch_configuration")).toEqual([]);
        expect(afterOf(plan, "aws_launch_template.capacity_launch_template")).toMatchObject({
          image_id: ECS_OPTIMIZED_IMAGE,
          metadata_options: [expect.objectContaining({ http_tokens: "required" })],
        });
        // jitsi, matrix, jvb and coturn, and those AWS would create itself: Container Insights' and RDS's PostgreSQL log.
        const retentions = Object.fromEntries(ofType("aws_cloudwatch_log_group").map((c) => [(c.after as { name: string }).name, (c.after as { retention_in_days: number }).retention_in_days]));
        expect(retentions).toEqual({
          [`/ecs/${environment.cluster.name}/${environment.jitsi.serviceName}`]: 30,
          [`/ecs/${environment.cluster.name}/${environment.matrix.serviceName}`]: 30,
          [`/ecs/${environment.cluster.name}/jvb-service-${name}`]: 30,
          [`/ecs/${environment.cluster.name}/coturn-service-${name}`]: 30,
          [`/aws/ecs/containerinsights/${environment.cluster.name}/performance`]: 7,
          [`/aws/rds/instance/jitsi-matrix-${name}/postgresql`]: 30,
        });
        // The alarm topic's policy (its statements name the topic's ARN, known only after apply).
        expect(afterOf(plan, "aws_sns_topic_policy.alarm_topic_policy")).toBeDefined();
        expect(ofType("aws_sns_topic_subscription").map((c) => (c.after as { endpoint: string }).endpoint)).toEqual(environment.alarms?.emailAddresses);
        expect(afterOf(plan, "aws_ecs_capacity_provider.scaling_provider")).toMatchObject({ name: environment.capacity.autoScalingGroupName });
        expect(afterOf(plan, "aws_ecs_service.jvb_service")).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2" });
        expect(afterOf(plan, "aws_lb.xmpp")).toMatchObject({ load_balancer_type: "network", internal: true, subnets: expect.arrayContaining(["subnet-00000000000000000"]) });
        // The environment's own TURN server: coturn on every instance, behind a public load balancer, its host pointing there.
        expect(afterOf(plan, "aws_ecs_service.coturn_service")).toMatchObject({ scheduling_strategy: "DAEMON", launch_type: "EC2", name: `coturn-service-${name}` });
        expect(afterOf(plan, "aws_lb.turn")).toMatchObject({ load_balancer_type: "network", internal: false, name: `turn-${name}` });
        expect(afterOf(plan, "aws_lb_listener.turn_turns_listener")).toMatchObject({ port: 443, protocol: "TLS", certificate_arn: environment.loadBalancer.certificateArn });
        expect(ofType("aws_autoscaling_attachment").map((c) => (c.after as { autoscaling_group_name: string }).autoscaling_group_name)).toEqual([environment.capacity.autoScalingGroupName, environment.capacity.autoScalingGroupName]);
        expect(afterOf(plan, "aws_route53_record.turn_dns_turn")).toMatchObject({ name: environment.turn!.host, type: "CNAME" });
        // Synapse's database dumped nightly to the file system through an access point, a failure mailed.
        expect(afterOf(plan, "aws_cloudwatch_event_rule.database_backup_schedule")).toMatchObject({ name: `matrix-database-backup-${name}`, schedule_expression: "cron(30 2 * * ? *)" });
        expect(afterOf(plan, "aws_efs_access_point.database_backup_dumps")).toMatchObject({ file_system_id: environment.efsFileSystemId, root_directory: [expect.objectContaining({ path: `/database-dumps/${name}` })] });
        expect(afterOf(plan, "aws_cloudwatch_event_target.database_backup_failed_target")).toBeDefined();
        expect(afterOf(plan, "aws_backup_plan.backup_plan")).toMatchObject({ rule: [expect.objectContaining({ lifecycle: [expect.objectContaining({ delete_after: 7 })] })] });
        expect(afterOf(plan, "aws_lb.load_balancer")).toMatchObject({
          access_logs: [{ bucket: `jitsi-matrix-${name}-logs-${environment.accountId}`, prefix: "load-balancer", enabled: true }],
        });
        // Every service rolls back a deployment that cannot start, and a failed one reaches the alarm topic.
        expect(ofType("aws_ecs_service").map((c) => [c.address, (c.after as { deployment_circuit_breaker: unknown }).deployment_circuit_breaker])).toEqual(
          ofType("aws_ecs_service").map((c) => [c.address, [{ enable: true, rollback: true }]]),
        );
        expect(afterOf(plan, "aws_cloudwatch_event_rule.deployment_failed_rule")).toMatchObject({ name: `jitsi-matrix-${name}-deployment-failed` });
        // Everything that holds data is under the key networking hands over, and the task execution role may decrypt with it.
        expect(ofType("aws_cloudwatch_log_group").map((c) => (c.after as { kms_key_id: string }).kms_key_id)).toEqual(Object.keys(retentions).map(() => FAKE_KEY_ARN));
        expect(afterOf(plan, "aws_sns_topic.alarm_topic")).toMatchObject({ kms_master_key_id: FAKE_KEY_ARN });
        expect(afterOf(plan, "aws_backup_vault.backup")).toMatchObject({ kms_key_arn: FAKE_KEY_ARN });
        // Synapse's database too: its storage and the secret RDS keeps its master password in.
        expect(afterOf(plan, "aws_db_instance.synapse_database_instance")).toMatchObject({ kms_key_id: FAKE_KEY_ARN, master_user_secret_kms_key_id: FAKE_KEY_ARN, storage_encrypted: true });
        // The role's policy names that secret, whose ARN RDS gives only once the instance exists: the plan knows it after apply.
        const change = resourceChanges(plan).find((c) => c.address === "aws_iam_role_policy.task_execution_role_read_secrets")!;
        expect(change.afterUnknown).toMatchObject({ policy: true });
      });
    }
  });

  describe("with postgresUpgrade on", () => {
    let upgradeOutdir: string;
    beforeAll(() => {
      upgradeOutdir = synth({ postgresUpgrade: true });
    });
    afterAll(() => rmSync(upgradeOutdir, { recursive: true, force: true }));

    // The legacy README's names of the upgrade task and service (module.ecs_task_definitions_postgres_upgrade).
    it.each(["staging", "production"])("jitsi-matrix-%s plans the postgres-upgrade task and service instead of matrix's", async (name) => {
      const legacy = readLegacy("environments.json")[name];
      const networkingState = path.join(scratch, `networking-${name}-upgrade.tfstate`);
      networkingOutputsState(upgradeOutdir, name, networkingState);
      const changes = resourceChanges(await planStack(stackDir(upgradeOutdir, `jitsi-matrix-${name}`), networkingState));
      expect(ecsNames(changes)).toEqual({
        families: [legacy.ecs_task_values_jitsi.ecs_task_name, "postgres-upgrade-task"].sort(),
        services: [legacy.ecs_service_name_jitsi, "postgres-upgrade-service"].sort(),
      });
      expect(JSON.stringify(changes.map((c) => c.after))).not.toContain(legacy.ecs_service_name_matrix);
      expect(JSON.stringify(changes.map((c) => c.after))).not.toContain(legacy.ecs_task_values_matrix.ecs_task_name);
    });
  });
});

// Needs the random provider too: from the mirror, else the registry; describeIfTerraform prints why it skips.
describeIfTerraform(
  "the secrets stacks, validated by Terraform",
  () => {
    let outdir: string;
    beforeAll(() => {
      outdir = synth();
    });
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it.each(ENVIRONMENTS.map((e) => e.name))("secrets-%s is valid", async (name) => {
      const workdir = new TerraformWorkdir(stackDir(outdir, `secrets-${name}`));
      try {
        await workdir.init();
        await workdir.validate();
      } finally {
        workdir.dispose();
      }
    });
  },
  ["hashicorp/aws", "hashicorp/random"],
);

import { readFileSync } from "fs";
import * as path from "path";
import { extractLegacySecrets, keepVariable, keepWorkdir } from "../../tools/adoption/legacy-secrets";
import { LegacyStateError, rootOutputs, splitLegacyState, SynthesizedStack } from "../../tools/adoption/legacy-state";
import { instanceAddress, managedInstances, parseState, StateFile } from "../../tools/adoption/state-file";
import { legacyS3Location, overridden, parseBackendOverride } from "../../tools/adoption/state-store";
import { readBackendSettings } from "../../src/backend";
import { PLATFORM_SECRETS } from "../../src/modules/platform-secrets";
import { CHECKED_IN_OUTDIR } from "../../tools/synthesize";
import { literalPasswords, stagingLegacyState, withPostgresUpgrade, withSwappedSubnetIds } from "./fixtures";
import { staging } from "../support/environments";

const synth = (stack: string) => JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", stack, "cdk.tf.json"), "utf8")) as SynthesizedStack;
const networkingSynth = synth("networking-staging");
const split = (state: StateFile) => splitLegacyState(state, staging, networkingSynth);
const addresses = (state: StateFile) => managedInstances(state).map((i) => i.address);
const subnetId = (state: StateFile, cidr: string) =>
  String(state.resources.find((r) => r.type === "aws_subnet")!.instances.find((i) => i.index_key === cidr)!.attributes.id);

/** The problems a split reports, or [] when it succeeds. */
function problemsOf(state: StateFile): string[] {
  try {
    split(state);
    return [];
  } catch (error) {
    if (error instanceof LegacyStateError) return [...error.problems];
    throw error;
  }
}

describe("splitLegacyState", () => {
  it("puts the subnets into networking at their new addresses, with the outputs its first apply would record", () => {
    const legacy = stagingLegacyState();
    const { networking } = split(legacy);
    const [first, second] = staging.network.subnets.map((s) => subnetId(legacy, s.cidrBlock));
    expect(addresses(networking)).toEqual(["aws_subnet.subnet_172-31-48-0-28", "aws_subnet.subnet_172-31-48-16-28"]);
    expect(networking.resources.every((r) => r.instances.every((i) => i.index_key === undefined))).toBe(true);
    expect(networking.outputs).toEqual({
      "cross-stack-output-aws_subnet-subnet_172-31-48-0-28-id": { value: first, type: "string", sensitive: true },
      "cross-stack-output-aws_subnet-subnet_172-31-48-16-28-id": { value: second, type: "string", sensitive: true },
      subnet_ids: { value: [first, second], type: ["tuple", ["string", "string"]] },
    });
  });

  it("keeps everything else in jitsi-matrix at the legacy addresses, the mount targets keyed by their subnet's CIDR", () => {
    const legacy = stagingLegacyState();
    const { jitsiMatrix, instances } = split(legacy);
    expect(addresses(jitsiMatrix)).toHaveLength(27);
    expect(addresses(jitsiMatrix).filter((a) => a.includes("aws_subnet"))).toEqual([]);
    expect(addresses(jitsiMatrix).filter((a) => a.includes("efs_mount_targets"))).toEqual([
      'module.efs_mount_targets.aws_efs_mount_target.efs_mount_targets["172.31.48.0/28"]',
      'module.efs_mount_targets.aws_efs_mount_target.efs_mount_targets["172.31.48.16/28"]',
    ]);
    expect(instances).toHaveLength(29);
    expect(instances.find((i) => i.legacyAddress === "module.efs_mount_targets.aws_efs_mount_target.efs_mount_targets[0]")!.finalAddress).toBe(
      "aws_efs_mount_target.efs_mount_target_172-31-48-0-28",
    );
  });

  it("keys the mount targets by subnet, not by index, when the subnet IDs sort the other way", () => {
    const legacy = withSwappedSubnetIds(stagingLegacyState());
    const mountTargets = split(legacy).jitsiMatrix.resources.find((r) => r.type === "aws_efs_mount_target")!.instances;
    for (const target of mountTargets) expect(target.attributes.subnet_id).toBe(subnetId(legacy, String(target.index_key)));
    expect(legacy.resources.find((r) => r.type === "aws_efs_mount_target")!.instances.find((i) => i.index_key === 0)!.attributes.subnet_id).toBe(
      subnetId(legacy, "172.31.48.16/28"),
    );
  });

  it("gives both states lineages of their own and leaves the legacy state untouched", () => {
    const legacy = stagingLegacyState();
    const { networking, jitsiMatrix } = split(legacy);
    expect(new Set([legacy.lineage, networking.lineage, jitsiMatrix.lineage]).size).toBe(3);
    expect(legacy).toEqual(stagingLegacyState());
  });

  it.each([
    ["staging's", () => stagingLegacyState()],
    ["a switch-on", () => withPostgresUpgrade(stagingLegacyState(), staging)],
  ])("blanks the passwords of %s task definitions in the jitsi-matrix state, keeping valid JSON and every other value", (_name, state) => {
    const legacy = state();
    const passwords = literalPasswords(legacy);
    expect(passwords.size).toBe(PLATFORM_SECRETS.length);
    const { networking, jitsiMatrix } = split(legacy);
    for (const written of [networking, jitsiMatrix]) {
      const text = JSON.stringify(written);
      for (const [name, value] of passwords) expect({ name, written: text.includes(value) }).toEqual({ name, written: false });
    }
    const tasks = (s: StateFile) => managedInstances(s).filter(({ resource }) => resource.type === "aws_ecs_task_definition");
    const containers = (text: unknown) => JSON.parse(String(text)) as { environment?: { name: string; value: string }[] }[];
    const legacyTasks = new Map(tasks(legacy).map(({ address, instance }) => [address, instance.attributes]));
    expect(tasks(jitsiMatrix)).toHaveLength(legacyTasks.size);
    for (const { address, instance } of tasks(jitsiMatrix)) {
      const before = legacyTasks.get(address)!;
      // Only the password values differ; the legacy state itself still holds them, for the keep path.
      const restored = containers(instance.attributes.container_definitions).map((c) => ({
        ...c,
        environment: c.environment?.map((v) => (passwords.has(v.name) ? { ...v, value: passwords.get(v.name)! } : v)),
      }));
      expect(restored).toEqual(containers(before.container_definitions));
      expect({ ...instance.attributes, container_definitions: undefined }).toEqual({ ...before, container_definitions: undefined });
    }
    expect(legacy).toEqual(state());
    expect(extractLegacySecrets(legacy).secrets.map((s) => [s.name, s.value])).toEqual(PLATFORM_SECRETS.map((name) => [name, passwords.get(name)]));
  });

  it("refuses a task definition whose container_definitions is not JSON, naming it", () => {
    const legacy = stagingLegacyState();
    legacy.resources.find((r) => r.type === "aws_ecs_task_definition")!.instances[0].attributes.container_definitions = "[{";
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^module\.ecs_task_definitions_jitsi\.aws_ecs_task_definition\.ecs_task_definition: container_definitions is not JSON/)]);
  });

  it("recognizes a state taken with the PostgreSQL upgrade switch on", () => {
    const result = split(withPostgresUpgrade(stagingLegacyState(), staging));
    expect(result.postgresUpgrade).toBe(true);
    expect(split(stagingLegacyState()).postgresUpgrade).toBe(false);
  });

  it("leaves data sources behind, saying so", () => {
    const legacy = stagingLegacyState();
    legacy.resources.push({
      module: "module.ecs_task_definitions_jitsi",
      mode: "data",
      type: "aws_instance",
      name: "ecs_instance",
      provider: legacy.resources[0].provider,
      instances: [{ schema_version: 1, attributes: { id: "i-0123", public_ip: "54.0.0.10" } }],
    });
    const result = split(legacy);
    expect(result.notes).toEqual([expect.stringContaining("left out data source module.ecs_task_definitions_jitsi.data.aws_instance.ecs_instance")]);
    expect(result.jitsiMatrix.resources.filter((r) => r.mode === "data")).toEqual([]);
  });

  it("names an unexpected resource", () => {
    const legacy = stagingLegacyState();
    legacy.resources.push({ ...legacy.resources.find((r) => r.type === "aws_ecs_cluster")!, module: "module.ecs_cluster_old" });
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^unexpected resource module\.ecs_cluster_old\.aws_ecs_cluster\.ecs: /)]);
  });

  it("names a missing resource, and the switch's other pair when the matrix pair is missing", () => {
    const legacy = stagingLegacyState();
    legacy.resources = legacy.resources.filter((r) => r.module !== "module.ecs_task_definitions_matrix[0]" && r.type !== "aws_route53_record");
    const problems = problemsOf(legacy);
    expect(problems).toContainEqual(expect.stringMatching(/^missing resource module\.ecs_task_definitions_matrix\[0\]\.aws_ecs_service\.worker \(a state taken with the PostgreSQL upgrade switch on holds module\.ecs_task_definitions_postgres_upgrade\[0\]/));
    expect(problems).toContainEqual(expect.stringMatching(/^missing resource module\.route53_cname_record\["jitsi\.virtual\.software\.testingmachine\.eu"\]\.aws_route53_record\.cname_record/));
    expect(problems).toHaveLength(6);
  });

  it("names a missing mount target", () => {
    const legacy = stagingLegacyState();
    const mountTargets = legacy.resources.find((r) => r.type === "aws_efs_mount_target")!;
    mountTargets.instances = mountTargets.instances.slice(0, 1);
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^missing resource module\.efs_mount_targets\..* in the subnet 172\.31\.48\.16\/28/)]);
  });

  it("refuses a state holding both positions of the upgrade switch", () => {
    const legacy = stagingLegacyState();
    legacy.resources.push(...withPostgresUpgrade(stagingLegacyState(), staging).resources.filter((r) => r.module?.includes("postgres_upgrade")));
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^holds both .* the legacy switch postgresql_upgrade declares one pair or the other/)]);
  });

  it("refuses tainted objects, which an adoption would replace", () => {
    const legacy = stagingLegacyState();
    legacy.resources.find((r) => r.type === "aws_lb")!.instances[0].status = "tainted";
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^module\.ecs_lb\.aws_lb\.elb is tainted/)]);
  });

  it("refuses resources of another provider configuration", () => {
    const legacy = stagingLegacyState();
    legacy.resources.find((r) => r.type === "aws_lb")!.provider = 'provider["registry.terraform.io/hashicorp/aws"].us_east_1';
    expect(problemsOf(legacy)).toEqual([expect.stringMatching(/^module\.ecs_lb\.aws_lb\.elb uses the provider .*us_east_1/)]);
  });
});

describe("rootOutputs", () => {
  it("refuses an output expression it cannot compute, naming it", () => {
    const { networking } = split(stagingLegacyState());
    expect(() => rootOutputs({ output: { joined: { value: '${join(",", aws_subnet.subnet_172-31-48-0-28.*.id)}' } } }, networking, "networking-staging")).toThrow(
      /networking-staging output joined: .* is not a plain attribute reference/,
    );
  });
});

describe("parseState", () => {
  it("reads only version 4 states, saying how to get one", () => {
    expect(() => parseState(JSON.stringify({ version: 3, serial: 1, modules: [] }), "old.tfstate")).toThrow(/old\.tfstate: version 3 state; .* terraform state pull/);
    expect(() => parseState("not json", "x.tfstate")).toThrow(/x\.tfstate: not a Terraform state/);
  });

  it("gives instance addresses as Terraform writes them", () => {
    const legacy = stagingLegacyState();
    const rule = legacy.resources.find((r) => r.type === "aws_lb_listener_rule")!;
    expect(instanceAddress(rule, rule.instances[0])).toMatch(/^module\.ecs_lb\.aws_lb_listener_rule\.forwarding_rules\["[a-z-]+-staging"\]$/);
  });
});

describe("S3 locations", () => {
  it("take region and encryption from backend.tf.json, and never the lock table for a read", () => {
    expect(legacyS3Location("s3://terraform-state-bucket/legacy/staging.tfstate", { ...readBackendSettings() })).toEqual({
      backend: "s3",
      config: { bucket: "terraform-state-bucket", key: "legacy/staging.tfstate", region: "eu-west-1", encrypt: true },
    });
  });

  it("refuse a key with a leading slash, as Terraform would, and say how to get the object", () => {
    expect(() => legacyS3Location("s3://terraform-state-bucket//jitsi_matrix/staging/terraform.tfstate", {})).toThrow(
      /the key "\/jitsi_matrix\/staging\/terraform\.tfstate" starts or ends with "\/".*aws s3 cp/,
    );
  });

  it("become local files under --backend-override local:<dir>", () => {
    const location = legacyS3Location("s3://bucket/a/b.tfstate", { region: "eu-west-1" });
    expect(overridden(location, parseBackendOverride("local:/tmp/x"))).toEqual({ backend: "local", config: { path: "/tmp/x/bucket/a/b.tfstate" } });
    expect(() => parseBackendOverride("s3:/tmp/x")).toThrow(/use local:<dir>/);
  });
});

describe("the legacy passwords", () => {
  it("are found once each, with every container that had them", () => {
    const legacy = stagingLegacyState();
    const { secrets, conflicts, absent } = extractLegacySecrets(legacy);
    expect(conflicts).toEqual([]);
    expect(absent).toEqual([]);
    expect(secrets.map((s) => s.name)).toEqual([...PLATFORM_SECRETS]);
    expect(secrets.find((s) => s.name === "JVB_AUTH_PASSWORD")!.usedBy).toEqual(["jitsi-meet-task-staging/jvb", "jitsi-meet-task-staging/prosody"]);
    expect(secrets.find((s) => s.name === "POSTGRES_PASSWORD")!.usedBy).toEqual(["matrix-task-staging/postgres"]);
    const passwords = literalPasswords(legacy);
    for (const secret of secrets) expect(secret.value).toBe(passwords.get(secret.name));
  });

  it("cannot be kept when the containers sharing one disagree, and the message names the containers, never the values", () => {
    const legacy = stagingLegacyState();
    const jitsi = legacy.resources.find((r) => r.module === "module.ecs_task_definitions_jitsi" && r.type === "aws_ecs_task_definition")!.instances[0];
    const containers = JSON.parse(String(jitsi.attributes.container_definitions)) as { name: string; environment: { name: string; value: string }[] }[];
    containers.find((c) => c.name === "jvb")!.environment.find((e) => e.name === "JVB_AUTH_PASSWORD")!.value = "another-value";
    jitsi.attributes.container_definitions = JSON.stringify(containers);
    const found = extractLegacySecrets(legacy);
    expect(found.conflicts).toEqual([
      expect.stringMatching(/^JVB_AUTH_PASSWORD differs between the containers jitsi-meet-task-staging\/jvb, jitsi-meet-task-staging\/prosody \(2 values\)/),
    ]);
    expect(() => keepWorkdir(found, synth("secrets-staging"), "staging")).toThrow(/cannot be kept/);
    for (const value of [...literalPasswords(stagingLegacyState()).values(), "another-value"]) expect(found.conflicts.join()).not.toContain(value);
  });

  it("are written into each parameter of secrets-<env> from an ephemeral variable, at the stack's own value_wo_version", () => {
    const legacy = extractLegacySecrets(stagingLegacyState());
    const { config, values } = keepWorkdir(legacy, synth("secrets-staging"), "staging");
    const parameters = Object.values(config.resource!.aws_ssm_parameter) as { name: string; value_wo: string; value_wo_version: number }[];
    expect(parameters.map((p) => [p.name, p.value_wo, p.value_wo_version])).toEqual(
      expect.arrayContaining(PLATFORM_SECRETS.map((name) => [`/jitsi-matrix/staging/${name}`, `\${var.${keepVariable(name)}}`, 1])),
    );
    expect(parameters).toHaveLength(PLATFORM_SECRETS.length);
    const variables = (config as { variable?: Record<string, { ephemeral?: boolean; sensitive?: boolean }> }).variable!;
    for (const name of PLATFORM_SECRETS) expect(variables[keepVariable(name)]).toMatchObject({ ephemeral: true, sensitive: true });
    expect(values).toEqual(Object.fromEntries(legacy.secrets.map((secret) => [keepVariable(secret.name), secret.value])));
    // Nothing is generated there: no ephemeral random_password, and no random provider to install.
    expect((config as { ephemeral?: unknown }).ephemeral).toBeUndefined();
    expect(JSON.stringify(config)).not.toMatch(/random_password\.[\w]+\.result|hashicorp\/random/);
  });

  it("leave to secrets-<env> the parameters of passwords the legacy containers did not have", () => {
    const legacy = extractLegacySecrets(stagingLegacyState());
    const partial = { ...legacy, secrets: legacy.secrets.filter((secret) => secret.name !== "JIBRI_XMPP_PASSWORD") };
    const { config, values } = keepWorkdir(partial, synth("secrets-staging"), "staging");
    expect((Object.values(config.resource!.aws_ssm_parameter) as { name: string }[]).map((p) => p.name)).not.toContain("/jitsi-matrix/staging/JIBRI_XMPP_PASSWORD");
    expect(Object.keys(values)).not.toContain(keepVariable("JIBRI_XMPP_PASSWORD"));
  });
});

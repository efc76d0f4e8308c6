import { readBackendSettings } from "../../src/backend";
import { checkBaseline, formatBaselineReport, RECOMMENDED_TLS_POLICY, stacksUnderCheck, SynthesizedStack } from "../../tools/baseline";
import { Environment, parseEnvironment } from "../../src/environments";
import { operationsOf } from "../../src/environments/operations";
import { taskLayouts } from "../../src/environments/task-layout";
import { coturnLayoutInput, matrixTaskShapeOf } from "../../src/environments/defaults";
import { dev } from "../../src/environments/dev";
import { staging } from "../../src/environments/staging";
import { SYNAPSE_DEFAULT_MEMORY } from "../../src/modules/matrix";
import { newEnvironment } from "./fixtures";
import { containersOf, synthEnvironment } from "./synth-environment";

const jitsiMatrixOf = (stacks: SynthesizedStack[]) => stacks.find((stack) => stack.name.startsWith("jitsi-matrix-"))!;
const resources = (stack: SynthesizedStack, type: string) => stack.json.resource?.[type] ?? {};

describe("dev.ts as the recipe", () => {
  it("leaves production out, so it is true and the baseline checks deletion protection for the recipe too", () => {
    expect(dev).not.toHaveProperty("production");
    const stacks = synthEnvironment(parseEnvironment(structuredClone(dev)));
    // A load balancer that lost its protection (a hand edit of the synth) must be caught for dev.
    (jitsiMatrixOf(stacks).json.resource as any).aws_lb.load_balancer.enable_deletion_protection = false;
    const findings = checkBaseline(stacksUnderCheck(stacks, [parseEnvironment(dev)], readBackendSettings().bucket)).violations;
    expect(findings.filter((finding) => finding.rule === "production-deletion-protection").map((finding) => finding.address)).toEqual([
      "aws_lb.load_balancer",
    ]);
  });

  it("gives a current Synapse 1024 MiB, where an adopted environment keeps the legacy task's memory for it", () => {
    const synapseOf = (environment: Parameters<typeof parseEnvironment>[0]) =>
      containersOf(jitsiMatrixOf(synthEnvironment(parseEnvironment(environment))), "matrix_task_definition").find((container) => container.name === "synapse");
    expect(synapseOf(structuredClone(dev))).toMatchObject({ memory: SYNAPSE_DEFAULT_MEMORY });
    expect(SYNAPSE_DEFAULT_MEMORY).toBe(1024);
    expect(synapseOf(structuredClone(staging))).toMatchObject({ memory: staging.matrix.containerMemory });
  });

  it("hands Jitsi's and Matrix's clients the TURN server, and Synapse its mail relay, the secrets by parameter", () => {
    const environment = parseEnvironment(structuredClone(dev));
    const stacks = synthEnvironment(environment);
    const jitsiMatrix = jitsiMatrixOf(stacks);
    const task = (family: string) => JSON.parse(String(resources(jitsiMatrix, "aws_ecs_task_definition")[family].container_definitions)) as { name: string; environment: { name: string; value: string }[]; secrets?: { name: string; valueFrom: string }[]; command?: string[] }[];
    const prosody = task("jitsi_task_definition").find((c) => c.name === "prosody")!;
    expect(prosody.environment).toContainEqual({ name: "TURNS_HOST", value: environment.turn!.host });
    expect(prosody.secrets).toContainEqual({ name: "TURN_CREDENTIALS", valueFrom: "/jitsi-matrix/dev/TURN_SHARED_SECRET" });
    const writer = task("matrix_task_definition").find((c) => c.name === "synapse-settings")!;
    const settings = JSON.parse(writer.environment.find((v) => v.name === "SYNAPSE_STACK_SETTINGS")!.value) as { turn_uris: string[]; email: { smtp_host: string } };
    expect(settings.turn_uris).toContain(`turns:${environment.turn!.host}:443?transport=tcp`);
    expect(settings.email.smtp_host).toBe(environment.smtp!.host);
    expect(task("matrix_task_definition").find((c) => c.name === "synapse")!.command).toContain("/synapse-settings/stack.yaml");
    // secrets-dev generates the TURN secret with the others.
    const secrets = stacks.find((stack) => stack.name === "secrets-dev")!;
    expect(Object.keys(resources(secrets, "aws_ssm_parameter"))).toContain("secret_TURN_SHARED_SECRET");
  });

  it("runs its own coturn with the secret prosody and Synapse hand out, reached through its load balancer, relaying straight to the instances", () => {
    const environment = parseEnvironment(structuredClone(dev));
    const jitsiMatrix = jitsiMatrixOf(synthEnvironment(environment));
    const [coturn] = containersOf(jitsiMatrix, "coturn_task_definition") as { secrets: { name: string; valueFrom: string }[]; command: string[] }[];
    expect(coturn.secrets).toEqual([{ name: "TURN_SHARED_SECRET", valueFrom: "/jitsi-matrix/dev/TURN_SHARED_SECRET" }]);
    expect(coturn.command).toContain(`--realm=${environment.turn!.host}`);
    type Rule = { description: string; protocol: string; from_port: number; to_port: number; cidr_blocks: string[]; security_groups: string[] };
    const ingress = (resources(jitsiMatrix, "aws_security_group").instance_sg.ingress as Rule[]).filter((rule) => rule.description.startsWith("coturn"));
    expect(ingress.map((rule) => `${rule.protocol} ${rule.from_port}-${rule.to_port} ${rule.cidr_blocks.join(",") || rule.security_groups.join(",")}`).sort()).toEqual([
      "tcp 3478-3478 ${aws_security_group.turn_security_group.id}",
      "udp 3478-3478 ${aws_security_group.turn_security_group.id}",
      "udp 49160-49199 0.0.0.0/0",
    ]);
    expect(resources(jitsiMatrix, "aws_route53_record").turn_dns_turn).toMatchObject({ name: environment.turn!.host, records: ["${aws_lb.turn.dns_name}"] });
  });

  it("leaves the JVB's colibri websocket setting to the JVB daemon", () => {
    expect(dev.jitsi.environment?.jvb).toBeUndefined();
  });
});

// The recipe starts from dev.ts; the fixture is a second, independently written new environment with other values.
describe.each([
  ["dev.ts, the environment the README's recipe copies", () => structuredClone(dev)],
  ["a new environment made from the README's recipe (test fixture)", () => newEnvironment()],
])("%s", (_name, make) => {
  /** As the file writes it, and as the stacks get it. */
  const written = make();
  const environment = parseEnvironment(written);
  const stacks = synthEnvironment(environment);
  const jitsiMatrix = jitsiMatrixOf(stacks);

  it("has no legacy block and leaves every operations option at its default, so all of them on", () => {
    expect(written.legacy).toBeUndefined();
    for (const option of [written.logs, written.scaling, written.backups]) expect(option?.enabled).toBeUndefined();
    expect(written.alarms?.enabled).toBeUndefined();
    expect(written.capacity.launchTemplate).toBeUndefined();
    const ops = operationsOf(environment);
    expect(ops.logs?.retentionDays).toBe(30);
    expect(ops.backups?.retentionDays).toBe(7);
    expect(ops.scaling?.mode).toBe("cpu");
    expect(ops.jvbPerInstance).toBeDefined();
    expect(ops.alarms?.emailAddresses.length).toBeGreaterThan(0);
    expect(ops.launchTemplate).toBeTruthy();
  });

  it("has no waiver and passes the security baseline in every stack", () => {
    expect(written.waivers).toBeUndefined();
    const report = checkBaseline(stacksUnderCheck(stacks, [environment], readBackendSettings().bucket));
    expect(report.waivers).toEqual([]);
    expect(report.violations).toEqual([]);
    expect(formatBaselineReport(report)).toContain("no waivers in force");
  });

  it("passes it with the PostgreSQL upgrade switch on too", () => {
    const upgrade = synthEnvironment(environment, { postgresUpgrade: true });
    expect(resources(jitsiMatrixOf(upgrade), "aws_ecs_task_definition")).toHaveProperty("postgres_upgrade_task_definition");
    expect(checkBaseline(stacksUnderCheck(upgrade, [environment])).violations).toEqual([]);
  });

  it("gets the secure defaults: IMDSv2, a current TLS policy, deletion protection, EFS transit encryption", () => {
    expect(resources(jitsiMatrix, "aws_launch_configuration")).toEqual({});
    expect(resources(jitsiMatrix, "aws_launch_template").capacity_launch_template.metadata_options).toMatchObject({
      http_endpoint: "enabled",
      http_tokens: "required",
    });
    expect(resources(jitsiMatrix, "aws_lb_listener").load_balancer_https.ssl_policy).toBe(RECOMMENDED_TLS_POLICY);
    expect(resources(jitsiMatrix, "aws_lb").load_balancer.enable_deletion_protection).toBe(true);
    for (const task of Object.values(resources(jitsiMatrix, "aws_ecs_task_definition"))) {
      // The JVB daemon's task mounts nothing; a volume of the task alone (Synapse's settings) is no EFS.
      const efs = ((task.volume ?? []) as { efs_volume_configuration?: { transit_encryption: string } }[]).filter((volume) => volume.efs_volume_configuration);
      for (const volume of efs) {
        expect(volume.efs_volume_configuration!.transit_encryption).toBe("ENABLED");
      }
    }
  });

  it("opens neither SSH nor UDP on the load balancer, and leaves the Name tags to the resources", () => {
    const groups = resources(jitsiMatrix, "aws_security_group");
    const ingress = (group: string) => groups[group].ingress as { description: string; protocol: string; from_port: number }[];
    expect(ingress("instance_sg").map((rule) => rule.from_port)).not.toContain(22);
    // HTTP and HTTPS, where the listeners are; no 8448, where none would be (federation is delegated to 443).
    expect(ingress("alb_sg").map((rule) => `${rule.protocol} ${rule.from_port}`)).toEqual(["tcp 80", "tcp 443"]);
    expect(groups.alb_sg.tags).toEqual({ Name: environment.securityGroups.loadBalancer.name });
  });

  it("answers the Matrix server name's well-known documents itself, delegating federation to 443, and refuses the admin API", () => {
    const rules = resources(jitsiMatrix, "aws_lb_listener_rule");
    const answer = (key: string) => (rules[key].action as { fixed_response: { status_code: string; content_type: string; message_body: string } }[])[0].fixed_response;
    const { hosts } = environment.dns;
    expect(JSON.parse(answer("load_balancer_rule_well_known_server").message_body)).toEqual({ "m.server": `${hosts.synapse}:443` });
    expect(JSON.parse(answer("load_balancer_rule_well_known_client").message_body)).toEqual({ "m.homeserver": { base_url: `https://${hosts.synapse}` } });
    expect(answer("load_balancer_rule_well_known_client").content_type).toBe("application/json");
    expect(rules.load_balancer_rule_well_known_server.condition).toEqual([{ host_header: { values: [hosts.matrix] } }, { path_pattern: { values: ["/.well-known/matrix/server"] } }]);
    expect(answer("load_balancer_rule_synapse_admin").status_code).toBe("403");
    expect(rules.load_balancer_rule_synapse_admin.condition).toEqual([
      { host_header: { values: [hosts.matrix, hosts.synapse] } },
      { path_pattern: { values: ["/_synapse/admin", "/_synapse/admin/*"] } },
    ]);
    // Before the host rules that would forward them to Synapse.
    expect(Number(rules.load_balancer_rule_synapse_admin.priority)).toBeLessThan(Number(rules.load_balancer_rule_synapse.priority));
  });

  it("answers Element's configuration itself, its calls on the environment's own Jitsi, and Element serves its image's files", () => {
    const rules = resources(jitsiMatrix, "aws_lb_listener_rule");
    const { hosts } = environment.dns;
    const rule = rules.load_balancer_rule_element_config;
    const answer = (rule.action as { fixed_response: { content_type: string; message_body: string } }[])[0].fixed_response;
    expect(answer.content_type).toBe("application/json");
    const config = JSON.parse(answer.message_body) as { jitsi: { preferred_domain: string }; default_server_config: { "m.homeserver": { base_url: string; server_name: string } } };
    expect(config.jitsi.preferred_domain).toBe(hosts.jitsi);
    expect(config.default_server_config["m.homeserver"]).toEqual({ base_url: `https://${hosts.synapse}`, server_name: environment.wellKnown.serverName });
    // Element asks for config.<its host>.json before config.json; both are answered, before the rule that forwards Element's host.
    expect(rule.condition).toEqual([{ host_header: { values: [hosts.element] } }, { path_pattern: { values: [`/config.${hosts.element}.json`, "/config.json"] } }]);
    expect(Number(rule.priority)).toBeLessThan(Number(rules.load_balancer_rule_element.priority));
    const element = containersOf(jitsiMatrix, "matrix_task_definition").find((container) => container.name === "element")!;
    expect(element.mountPoints).toEqual([]);
    const volumes = (resources(jitsiMatrix, "aws_ecs_task_definition").matrix_task_definition.volume as { name: string }[]).map((volume) => volume.name);
    expect(volumes).not.toContain("matrix-element-data");
  });

  it("lets out of each group only what it needs, every rule described", () => {
    const groups = resources(jitsiMatrix, "aws_security_group");
    type Rule = { description: string; protocol: string; from_port: number; to_port: number; cidr_blocks: string[]; security_groups: string[] };
    const egress = (group: string) => (groups[group].egress as Rule[]).map((rule) => `${rule.protocol} ${rule.from_port}-${rule.to_port} ${rule.cidr_blocks.length > 0 ? rule.cidr_blocks.join(",") : "groups"}`);
    const subnets = environment.network.subnets.map((subnet) => subnet.cidrBlock).join(",");
    const ports = [environment.jitsi.webHostPort, environment.matrix.elementHostPort, environment.matrix.synapseHostPort];
    // The target groups' ports, to the subnets the instances are in.
    expect(egress("alb_sg").sort()).toEqual(ports.map((port) => `tcp ${port}-${port} ${subnets}`).sort());
    expect(egress("instance_sg").sort()).toEqual([`tcp 2049-2049 ${subnets}`, "tcp 443-443 0.0.0.0/0", "tcp 5222-5222 groups", "tcp 8448-8448 0.0.0.0/0", "udp 0-65535 0.0.0.0/0", ...(environment.rds.enabled ? [`tcp 5432-5432 ${subnets}`] : []), ...(environment.smtp ? [`tcp ${environment.smtp.port}-${environment.smtp.port} 0.0.0.0/0`] : [])].sort());
    expect(egress("efs_sg")).toEqual([]);
    for (const group of Object.values(groups)) {
      for (const rule of [...((group.ingress ?? []) as Rule[]), ...((group.egress ?? []) as Rule[])]) expect(rule.description).not.toBe("");
    }
  });
});

describe("host ports and listener rule priorities an environment sets", () => {
  const draft = newEnvironment();
  draft.jitsi.webHostPort = 9000;
  draft.matrix.synapseHostPort = 9008;
  draft.matrix.elementHostPort = 9080;
  draft.loadBalancer.rulePriorities = { element: 30, synapse: 40 };
  const environment: Environment = parseEnvironment(draft);
  const jitsiMatrix = jitsiMatrixOf(synthEnvironment(environment));

  it("reach the target groups, the instances' security group rules and the listener rules", () => {
    const groups = resources(jitsiMatrix, "aws_lb_target_group");
    expect([groups.load_balancer_jitsi.port, groups.load_balancer_synapse.port, groups.load_balancer_element.port]).toEqual([9000, 9008, 9080]);
    const rules = resources(jitsiMatrix, "aws_security_group").instance_sg.ingress as { description: string; from_port: number }[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ description: "jitsi http port", from_port: 9000 }),
        expect.objectContaining({ description: "synapse http port", from_port: 9008 }),
        expect.objectContaining({ description: "element http port", from_port: 9080 }),
      ]),
    );
    const listenerRules = resources(jitsiMatrix, "aws_lb_listener_rule");
    expect([listenerRules.load_balancer_rule_element.priority, listenerRules.load_balancer_rule_synapse.priority]).toEqual([30, 40]);
  });

  it("are what validation reasons about: the task layout equals the synthesized containers", () => {
    const hostPorts = (task: string) =>
      containersOf(jitsiMatrix, task)
        .flatMap((container) =>
          (container.portMappings as { hostPort: number; protocol: string }[]).map(
            (mapping) => `${String(container.name)} ${mapping.hostPort}/${mapping.protocol}`,
          ),
        )
        .sort();
    const reserved = (task: string) =>
      containersOf(jitsiMatrix, task)
        .map((container) => `${String(container.name)} ${Number(container.memory ?? container.memoryReservation)}`)
        .sort();
    const [jitsi, matrix, , jvb] = taskLayouts({ ...environment, jvbPerInstance: environment.scaling.jvbPerInstance, ...matrixTaskShapeOf(environment) });
    const modelPorts = (layout: typeof jitsi) => layout.hostPorts.map((use) => `${use.container} ${use.port}/${use.protocol}`).sort();
    const modelMemory = (layout: typeof jitsi) => layout.memory.map((use) => `${use.container} ${use.mib}`).sort();
    expect(modelPorts(jitsi)).toEqual(hostPorts("jitsi_task_definition"));
    expect(modelPorts(matrix)).toEqual(hostPorts("matrix_task_definition"));
    expect(modelMemory(jitsi)).toEqual(reserved("jitsi_task_definition"));
    expect(modelMemory(matrix)).toEqual(reserved("matrix_task_definition"));
    // The defaults run the JVB as a daemon task of its own: the jitsi task publishes prosody's port instead.
    expect(modelPorts(jvb)).toEqual(hostPorts("jvb_task_definition"));
    expect(modelMemory(jvb)).toEqual(reserved("jvb_task_definition"));
  });

  it("model coturn's daemon task, where the environment runs it", () => {
    const withCoturn = parseEnvironment({ ...draft, turn: { host: "turn.dev.example.org", port: 3479, coturn: { relayPorts: { min: 49160, max: 49163 }, memory: 192 } } });
    const coturn = taskLayouts({ ...withCoturn, jvbPerInstance: withCoturn.scaling.jvbPerInstance, ...matrixTaskShapeOf(withCoturn), coturn: coturnLayoutInput(withCoturn.turn) }).find((layout) => layout.task === "coturn")!;
    const [container] = containersOf(jitsiMatrixOf(synthEnvironment(withCoturn)), "coturn_task_definition");
    expect(coturn.hostPorts.map((use) => `${use.port}/${use.protocol}`).sort()).toEqual(
      (container.portMappings as { hostPort: number; protocol: string }[]).map((m) => `${m.hostPort}/${m.protocol}`).sort(),
    );
    expect(coturn.memory).toEqual([{ container: "coturn", mib: Number(container.memory) }]);
    expect(coturn.hostPorts).toHaveLength(6);
  });

  it("model the jitsi task with its own JVB when the JVB does not run per instance", () => {
    const withJvb = parseEnvironment({ ...draft, scaling: { jvbPerInstance: false } });
    const [jitsi, , , daemon] = taskLayouts({ ...withJvb, jvbPerInstance: withJvb.scaling.jvbPerInstance, ...matrixTaskShapeOf(withJvb) });
    const containers = containersOf(jitsiMatrixOf(synthEnvironment(withJvb)), "jitsi_task_definition");
    expect(daemon).toBeUndefined();
    expect(jitsi.hostPorts.map((use) => `${use.container} ${use.port}/${use.protocol}`).sort()).toEqual(
      containers.flatMap((c) => (c.portMappings as { hostPort: number; protocol: string }[]).map((m) => `${String(c.name)} ${m.hostPort}/${m.protocol}`)).sort(),
    );
  });

  it("model the postgres-upgrade task too", () => {
    const upgrade = jitsiMatrixOf(synthEnvironment(environment, { postgresUpgrade: true }));
    const [, , postgresUpgrade] = taskLayouts({ ...environment, jvbPerInstance: environment.scaling.jvbPerInstance, ...matrixTaskShapeOf(environment) });
    const containers = containersOf(upgrade, "postgres_upgrade_task_definition");
    expect(containers.map((c) => `${String(c.name)} ${Number(c.memory)}`)).toEqual(postgresUpgrade.memory.map((m) => `${m.container} ${m.mib}`));
    expect(containers.flatMap((c) => (c.portMappings as { hostPort: number }[]).map((m) => m.hostPort))).toEqual(
      postgresUpgrade.hostPorts.map((use) => use.port),
    );
  });
});

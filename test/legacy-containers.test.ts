import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { operationsOf } from "../src/environments/operations";
import { PARSED_ENVIRONMENTS as ENVIRONMENTS } from "./support/environments";
import { compareContainerDefinitions, LEGACY_CONTAINER_EXCEPTIONS, LegacyComparisonContext } from "../tools/adoption/legacy-containers";
import { STACK_FILE, synthesizeTo } from "../tools/synthesize";
import { LEGACY_CONTAINER_DEFINITIONS as LEGACY_DEFINITIONS } from "./support/legacy-fixtures";

const readLegacy = (file: string) => JSON.parse(readFileSync(path.join(LEGACY_DEFINITIONS, file), "utf8")) as Record<string, unknown>[];

/** The legacy file of a task: staging's have a `-staging` suffix, production's none; both share the upgrade task's. */
function legacyFileOf(environmentName: string, family: string): string {
  if (family.startsWith("postgres-upgrade")) return "postgres_upgrade.json";
  const base = family.startsWith("jitsi-meet-task") ? "jitsi-meet-task" : family.startsWith("matrix-task") ? "matrix-task" : undefined;
  if (!base) throw new Error(`task family ${family} has no legacy definition`);
  return environmentName === "staging" ? `${base}-staging.json` : `${base}.json`;
}

const LEGACY_ENVIRONMENTS = ENVIRONMENTS.filter((e) => e.name === "staging" || e.name === "production");

/** The synthesized task definitions of jitsi-matrix-<env>: family to containers. */
function taskDefinitions(outdir: string, environmentName: string): Map<string, Record<string, unknown>[]> {
  const json = JSON.parse(readFileSync(path.join(outdir, "stacks", `jitsi-matrix-${environmentName}`, STACK_FILE), "utf8"));
  const tasks = Object.values(json.resource.aws_ecs_task_definition as Record<string, { family: string; container_definitions: string }>);
  return new Map(tasks.map((task) => [task.family, JSON.parse(task.container_definitions)]));
}

describe("the synthesized containers of the legacy environments match the legacy task definitions", () => {
  let switchOff: string;
  let switchOn: string;
  beforeAll(() => {
    switchOff = mkdtempSync(path.join(tmpdir(), "legacy-containers-"));
    switchOn = mkdtempSync(path.join(tmpdir(), "legacy-containers-upgrade-"));
    for (const [outdir, env] of [
      [switchOff, process.env],
      [switchOn, { ...process.env, CDKTF_CONTEXT_JSON: JSON.stringify({ postgresUpgrade: true }) }],
    ] as const) {
      const result = synthesizeTo(outdir, env);
      if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
    }
  });
  afterAll(() => {
    rmSync(switchOff, { recursive: true, force: true });
    rmSync(switchOn, { recursive: true, force: true });
  });

  it("covers staging and production", () => {
    expect(LEGACY_ENVIRONMENTS.map((e) => e.name).sort()).toEqual(["production", "staging"]);
  });

  describe.each(LEGACY_ENVIRONMENTS.map((e) => [e.name, e] as const))("%s", (name, environment) => {
    const context = (): LegacyComparisonContext => ({
      environmentName: name,
      jvbAdvertiseAddress: environment.jitsi.jvbAdvertiseAddress,
      logsEnabled: operationsOf(environment).logs !== undefined,
    });

    it("with the switch off: the jitsi and matrix tasks, every container, only the documented exceptions", () => {
      const tasks = taskDefinitions(switchOff, name);
      expect([...tasks.keys()].sort()).toEqual([environment.jitsi.taskFamily, environment.matrix.taskFamily].sort());
      const problems = [...tasks].flatMap(([family, containers]) =>
        compareContainerDefinitions(family, containers, readLegacy(legacyFileOf(name, family)), context()),
      );
      expect(problems).toEqual([]);
    });

    it("with the switch on: the postgres-upgrade task matches postgres_upgrade.json, and jitsi still matches", () => {
      const tasks = taskDefinitions(switchOn, name);
      const upgrade = [...tasks.keys()].filter((family) => family.startsWith("postgres-upgrade"));
      expect(upgrade).toHaveLength(1);
      expect(tasks.has(environment.matrix.taskFamily)).toBe(false);
      const problems = [...tasks].flatMap(([family, containers]) =>
        compareContainerDefinitions(family, containers, readLegacy(legacyFileOf(name, family)), context()),
      );
      expect(problems).toEqual([]);
    });
  });
});

describe("compareContainerDefinitions", () => {
  const context: LegacyComparisonContext = { environmentName: "staging" };
  const legacyWeb = () => ({
    name: "web",
    image: "jitsi/web:stable-6865",
    cpu: 0,
    memory: 256,
    essential: true,
    links: ["prosody:xmpp.meet.jitsi"],
    command: [],
    entryPoint: [],
    linuxParameters: { capabilities: {} },
    privileged: false,
    portMappings: [{ containerPort: 80, hostPort: 8000, protocol: "tcp" }],
    mountPoints: [{ sourceVolume: "jitsi-images", containerPath: "/usr/share/jitsi-meet/images/" }],
    environment: [
      { name: "TZ", value: "UTC" },
      { name: "ETHERPAD_URL_BASE", value: "" },
      { name: "JICOFO_AUTH_PASSWORD", value: ["fixture", "only"].join("-") },
    ],
  });
  const synthesizedWeb = () => ({
    name: "web",
    image: "jitsi/web:stable-6865",
    cpu: 0,
    memory: 256,
    essential: true,
    links: ["prosody:xmpp.meet.jitsi"],
    portMappings: [{ containerPort: 80, hostPort: 8000, protocol: "tcp" }],
    mountPoints: [{ sourceVolume: "jitsi-images", containerPath: "/usr/share/jitsi-meet/images/", readOnly: false }],
    volumesFrom: [],
    environment: [{ name: "TZ", value: "UTC" }],
    secrets: [{ name: "JICOFO_AUTH_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:755952719952:parameter/jitsi-matrix/staging/JICOFO_AUTH_PASSWORD" }],
  });

  it("accepts the documented exceptions: defaults, empty variables, passwords from SSM by ARN or path", () => {
    expect(compareContainerDefinitions("t", [synthesizedWeb()], [legacyWeb()], context)).toEqual([]);
    const byPath = { ...synthesizedWeb(), secrets: [{ name: "JICOFO_AUTH_PASSWORD", valueFrom: "/jitsi-matrix/staging/JICOFO_AUTH_PASSWORD" }] };
    expect(compareContainerDefinitions("t", [byPath], [legacyWeb()], context)).toEqual([]);
  });

  it("names the container and field of an extra variable and of a changed mount path", () => {
    const web = synthesizedWeb();
    web.environment.push({ name: "XMPP_INTERNAL_MUC_DOMAIN", value: "internal-muc.meet.jitsi" });
    web.mountPoints[0].containerPath = "/usr/share/jitsi-meet/images";
    expect(compareContainerDefinitions("jitsi-meet-task-staging", [web], [legacyWeb()], context)).toEqual([
      'jitsi-meet-task-staging: container "web": environment.XMPP_INTERNAL_MUC_DOMAIN: synthesized "internal-muc.meet.jitsi", legacy none',
      'jitsi-meet-task-staging: container "web": mountPoints: synthesized [{"sourceVolume":"jitsi-images","containerPath":"/usr/share/jitsi-meet/images"}], ' +
        'legacy [{"sourceVolume":"jitsi-images","containerPath":"/usr/share/jitsi-meet/images/"}]',
    ]);
  });

  it("refuses a password left in the environment, a secret from another environment's parameter and a missing one", () => {
    const leaked = { ...synthesizedWeb(), environment: [{ name: "TZ", value: "UTC" }, { name: "JICOFO_AUTH_PASSWORD", value: "x" }], secrets: [] };
    expect(compareContainerDefinitions("t", [leaked], [legacyWeb()], context)).toEqual([
      't: container "web": environment.JICOFO_AUTH_PASSWORD: synthesized "x", legacy none',
      't: container "web": secrets.JICOFO_AUTH_PASSWORD: synthesized none, legacy "/jitsi-matrix/staging/JICOFO_AUTH_PASSWORD"',
    ]);
    const otherEnvironment = { ...synthesizedWeb(), secrets: [{ name: "JICOFO_AUTH_PASSWORD", valueFrom: "/jitsi-matrix/production/JICOFO_AUTH_PASSWORD" }] };
    expect(compareContainerDefinitions("t", [otherEnvironment], [legacyWeb()], context)).toHaveLength(1);
  });

  it("drops the docker host placeholder only without an advertised address", () => {
    const legacy = { ...legacyWeb(), environment: [{ name: "TZ", value: "UTC" }, { name: "DOCKER_HOST_ADDRESS", value: "${docker_host_address}" }] };
    const synthesized = { ...synthesizedWeb(), environment: [{ name: "TZ", value: "UTC" }], secrets: [] };
    expect(compareContainerDefinitions("t", [synthesized], [legacy], context)).toEqual([]);
    expect(compareContainerDefinitions("t", [synthesized], [legacy], { ...context, jvbAdvertiseAddress: "203.0.113.7" })).toEqual([
      't: container "web": environment.DOCKER_HOST_ADDRESS: synthesized none, legacy "203.0.113.7"',
    ]);
  });

  it("allows a logConfiguration only when the logs option is on, and requires it then", () => {
    const logged = { ...synthesizedWeb(), logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g" } } };
    expect(compareContainerDefinitions("t", [logged], [legacyWeb()], context)).toEqual([
      't: container "web": logConfiguration: synthesized {"logDriver":"awslogs","options":{"awslogs-group":"g"}}, legacy none',
    ]);
    expect(compareContainerDefinitions("t", [logged], [legacyWeb()], { ...context, logsEnabled: true })).toEqual([]);
    expect(compareContainerDefinitions("t", [synthesizedWeb()], [legacyWeb()], { ...context, logsEnabled: true })).toEqual([
      't: container "web": logConfiguration: missing although the logs option is on',
    ]);
  });

  it("reports a missing and an extra container, and a non-default field such as readOnly or privileged", () => {
    const extra = { ...synthesizedWeb(), name: "sidecar" };
    expect(compareContainerDefinitions("t", [extra], [legacyWeb()], context)).toEqual([
      't: container "web" of the legacy task is missing',
      't: container "sidecar" is not in the legacy task',
    ]);
    const privileged = { ...synthesizedWeb(), privileged: true };
    expect(compareContainerDefinitions("t", [privileged], [legacyWeb()], context)).toEqual(['t: container "web": privileged: synthesized true, legacy none']);
  });

  it("keeps the exception list in one place with a reason for each", () => {
    expect(LEGACY_CONTAINER_EXCEPTIONS.map((e) => e.id)).toEqual(["ecs-defaults", "empty-variables", "passwords-from-ssm", "docker-host-address", "log-configuration"]);
    for (const exception of LEGACY_CONTAINER_EXCEPTIONS) expect(exception.why.length).toBeGreaterThan(10);
  });
});

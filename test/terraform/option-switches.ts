/**
 * What an operator sees when switching each operations option on for an adopted
 * legacy environment: staging's legacy state, split by the adoption's own
 * `splitLegacyState` (as `npm run adopt` writes it), planned offline by real
 * Terraform with each option on, one at a time, in one workdir.
 *
 * The adopted state still carries the adoption's own first apply (the secrets
 * wiring, the new task revisions), so each option's changes are what its plan does
 * differently from the plan with every option off: what the operator sees once the
 * adoption has been applied. The expected changes are the table of
 * docs/operations-options.md, read from the doc itself.
 *
 * The rows are planned by three test files, a part each (`OPTION_PARTS`), which jest runs on both workers at once:
 * together they are the longest run of plans in the suite.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { splitLegacyState } from "../../tools/adoption/legacy-state";
import { formatState, parseState } from "../../tools/adoption/state-file";
import { Environment, EnvironmentInput, parseEnvironment } from "../../src/environments";
import { parsed } from "../support/environments";
import { staging } from "../../src/environments/staging";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE } from "../../tools/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { FAKE_KEY_ARN } from "../support/networking-outputs";
import { Changes, KINDS, planDifference, readChangesTable } from "../support/option-plans";
import { describeIfTerraform, PlanJson, resourceChanges, TerraformWorkdir } from "../support/terraform";
import { LEGACY_STAGING_STATE } from "../support/legacy-fixtures";

export const DOC = path.join(PROJECT_ROOT, "docs", "operations-options.md");
const TABLE_HEADING = "## What switching an option on plans for staging";

/** One option switched on, as the operator writes it in `src/environments/staging.ts`. */
interface OptionSwitch {
  /** The option's row in the doc's table (first column). */
  readonly option: string;
  /** The setting, as the doc's second column shows it. */
  readonly setting: string;
  readonly switchOn: (env: EnvironmentInput) => EnvironmentInput;
  /** The option also changes `networking-staging`, whose plan the row's changes include. @default false */
  readonly networking?: boolean;
}

/** The waivers but one, which the switched setting no longer needs. */
const without = (waivers: EnvironmentInput["waivers"], rule: string) => Object.fromEntries(Object.entries(waivers ?? {}).filter(([key]) => key !== rule));

const withoutImdsv1 = (env: EnvironmentInput): EnvironmentInput => {
  const { requireImdsv2: _imdsv1, ...capacity } = env.capacity;
  const { "imdsv2-required": _waiver, "container-metadata-blocked": _metadata, ...waivers } = env.waivers ?? {};
  return { ...env, capacity: { ...capacity, launchTemplate: true }, waivers };
};

const SWITCHES: readonly OptionSwitch[] = [
  { option: "logs", setting: "logs: { enabled: true, retentionDays: 7 }", switchOn: (e) => ({ ...e, logs: { enabled: true, retentionDays: 7 } }) },
  {
    option: "alarms",
    setting: 'alarms: { enabled: true, emailAddresses: ["ops@example.org"], containerInsights: true }',
    switchOn: (e) => ({ ...e, alarms: { enabled: true, emailAddresses: ["ops@example.org"], containerInsights: true } }),
  },
  {
    option: "alarms without Container Insights",
    setting: 'alarms: { enabled: true, emailAddresses: ["ops@example.org"], containerInsights: false }',
    switchOn: (e) => ({ ...e, alarms: { enabled: true, emailAddresses: ["ops@example.org"], containerInsights: false } }),
  },
  { option: "scaling", setting: "scaling: { enabled: true }", switchOn: (e) => ({ ...e, scaling: { enabled: true } }) },
  {
    option: "scaling without the JVB per instance",
    setting: "scaling: { enabled: true, jvbPerInstance: false }",
    switchOn: (e) => ({ ...e, scaling: { enabled: true, jvbPerInstance: false } }),
  },
  {
    option: "scaling by ECS",
    setting: 'scaling: { enabled: true, mode: "ecs-managed" }',
    switchOn: (e) => ({ ...e, scaling: { enabled: true, mode: "ecs-managed" } }),
  },
  { option: "backups", setting: "backups: { enabled: true }", switchOn: (e) => ({ ...e, backups: { enabled: true } }) },
  { option: "launch template", setting: "capacity.launchTemplate: true", switchOn: withoutImdsv1 },
  {
    option: "invalid header fields dropped",
    setting: "loadBalancer.dropInvalidHeaderFields: true",
    switchOn: (e) => ({ ...e, loadBalancer: { ...e.loadBalancer, dropInvalidHeaderFields: true }, waivers: without(e.waivers, "invalid-headers-dropped") }),
  },
  {
    option: "federation port closed",
    setting: "legacy.federationPortIngress: false",
    switchOn: (e) => ({ ...e, legacy: { ...e.legacy, federationPortIngress: false }, waivers: without(e.waivers, "ingress-has-listener") }),
  },
  {
    option: "encryption key",
    setting: "encryptionKey: { enabled: true }",
    switchOn: (e) => ({ ...e, encryptionKey: { enabled: true }, waivers: without(e.waivers, "customer-managed-key") }),
    networking: true,
  },
  {
    option: "access logs",
    setting: "accessLogs: { enabled: true }",
    switchOn: (e) => ({ ...e, accessLogs: { enabled: true }, waivers: without(e.waivers, "access-logs") }),
  },
  { option: "circuit breakers", setting: "circuitBreakers: { enabled: true }", switchOn: (e) => ({ ...e, circuitBreakers: { enabled: true } }) },
  { option: "well-known documents", setting: "wellKnown: { enabled: true }", switchOn: (e) => ({ ...e, wellKnown: { enabled: true } }) },
  { option: "Synapse admin API blocked", setting: "synapseAdminBlock: { enabled: true }", switchOn: (e) => ({ ...e, synapseAdminBlock: { enabled: true } }) },
  { option: "Element's configuration", setting: "elementConfig: { enabled: true }", switchOn: (e) => ({ ...e, elementConfig: { enabled: true } }) },
  { option: "web ACL", setting: "webAcl: { enabled: true }", switchOn: (e) => ({ ...e, webAcl: { enabled: true } }) },
  { option: "RDS for Synapse's database", setting: "rds: { enabled: true }", switchOn: (e) => ({ ...e, rds: { enabled: true } }) },
  { option: "database backups", setting: "databaseBackups: { enabled: true }", switchOn: (e) => ({ ...e, databaseBackups: { enabled: true } }) },
  {
    option: "ECR pull-through cache",
    setting: 'imageCache: { enabled: true, credentialSecretArn: "arn:aws:secretsmanager:eu-west-1:755952719952:secret:ecr-pullthroughcache/docker-hub-AbCdEf" }',
    switchOn: (e) => ({ ...e, imageCache: { enabled: true, credentialSecretArn: "arn:aws:secretsmanager:eu-west-1:755952719952:secret:ecr-pullthroughcache/docker-hub-AbCdEf" } }),
  },
  {
    option: "TURN",
    setting: 'turn: { host: "turn.virtual.software.testingmachine.eu" }',
    switchOn: (e) => ({ ...e, turn: { host: "turn.virtual.software.testingmachine.eu" } }),
  },
  {
    option: "TURN from a server of the operator's",
    setting: 'turn: { host: "turn.example.org", coturn: { enabled: false } }',
    switchOn: (e) => ({ ...e, turn: { host: "turn.example.org", coturn: { enabled: false } } }),
  },
  {
    option: "SMTP",
    setting: 'smtp: { host: "smtp.example.org", user: "mailer", passwordParameter: "/mail/SMTP_PASSWORD", notifFrom: "noreply@example.org" }',
    switchOn: (e) => ({ ...e, smtp: { host: "smtp.example.org", user: "mailer", passwordParameter: "/mail/SMTP_PASSWORD", notifFrom: "noreply@example.org" } }),
  },
  {
    option: "read-only root filesystems",
    setting: "legacy.writableRootFilesystems: false",
    switchOn: (e) => ({ ...e, legacy: { ...e.legacy, writableRootFilesystems: false }, waivers: without(e.waivers, "read-only-root-filesystems") }),
  },
  {
    option: "egress limited",
    setting: "legacy.allowAllEgress: false",
    switchOn: (e) => ({ ...e, legacy: { ...e.legacy, allowAllEgress: false }, waivers: without(without(e.waivers, "egress-limited"), "rules-described") }),
  },
];

/** Where options meet (logs and alarms of the JVB daemon, the XMPP load balancer's alarm), only all of them together shows it. */
const EVERYTHING: OptionSwitch = {
  option: "everything on",
  setting: "the settings of logs, alarms, scaling, backups and launch template together",
  switchOn: (e) => ["logs", "alarms", "scaling", "backups", "launch template"].reduce((env, option) => SWITCHES.find((s) => s.option === option)!.switchOn(env), e),
};
export const ALL_SWITCHES: readonly OptionSwitch[] = [...SWITCHES, EVERYTHING];

/** The rows each test file plans, by what they switch: together every row of the doc's table, once. */
export const OPTION_PARTS = {
  operations: ["logs", "alarms", "alarms without Container Insights", "scaling", "scaling without the JVB per instance", "scaling by ECS", "backups", "launch template", "everything on"],
  security: [
    "invalid header fields dropped",
    "federation port closed",
    "encryption key",
    "access logs",
    "circuit breakers",
    "read-only root filesystems",
    "egress limited",
    "web ACL",
    "Synapse admin API blocked",
  ],
  services: ["well-known documents", "Element's configuration", "RDS for Synapse's database", "database backups", "ECR pull-through cache", "TURN", "TURN from a server of the operator's", "SMTP"],
} as const;
/** Rows whose plan destroys the launch configuration: the documented launch template switch. */
const SWITCHING_THE_LAUNCH_TEMPLATE = ["launch template", "everything on"];

/** The root output through which networking-staging hands the environment's key to jitsi-matrix-staging, with a made-up ARN. */
function keyOutput(): Record<string, { value: string; type: string; sensitive: boolean }> {
  const withKey = parseEnvironment({ ...staging, encryptionKey: { enabled: true }, waivers: without(staging.waivers, "customer-managed-key") }, { onWarning: () => undefined });
  const networking = synthEnvironment(withKey).find((stack) => stack.name === "networking-staging")!.json as { output: Record<string, { value: string }> };
  const [name] = Object.entries(networking.output).find(([, output]) => /aws_kms_key\./.test(output.value))!;
  return { [name]: { value: FAKE_KEY_ARN, type: "string", sensitive: true } };
}

/** The changes of two stacks' plans as one row lists them. */
const merged = (first: Changes, second: Changes): Changes =>
  Object.fromEntries(KINDS.map((kind) => [kind, [...first[kind], ...second[kind]].sort()])) as Changes;

/** The doc's table: one row per option, keyed by the option; the second cell is its setting. */
export const readDocTable = () => readChangesTable(DOC, TABLE_HEADING, 2);

/** Plans the rows of `part` against adopted staging, each against the plan with every option off. */
export function describeOptionSwitches(part: keyof typeof OPTION_PARTS): void {
describeIfTerraform(`switching each operations option on for adopted staging, planned by real Terraform: ${part}`, () => {
  const table = readDocTable();
  let scratch: string;
  let workdir: TerraformWorkdir;
  let networkingWorkdir: TerraformWorkdir;
  let baseline: PlanJson;
  let networkingBaseline: PlanJson;

  /** Plans `environment`'s jitsi-matrix stack in the shared workdir, against the adopted state. */
  async function planFor(environment: Environment): Promise<PlanJson> {
    const jitsiMatrix = synthEnvironment(environment).find((stack) => stack.name === "jitsi-matrix-staging")!;
    writeFileSync(path.join(workdir.dir, STACK_FILE), JSON.stringify(jitsiMatrix.json));
    return workdir.plan();
  }

  /** Plans `environment`'s networking stack against the adopted networking state. */
  async function planNetworkingFor(environment: Environment): Promise<PlanJson> {
    const networking = synthEnvironment(environment).find((stack) => stack.name === "networking-staging")!;
    writeFileSync(path.join(networkingWorkdir.dir, STACK_FILE), JSON.stringify(networking.json));
    return networkingWorkdir.plan();
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "operations-options-"));
    const legacy = parseState(readFileSync(LEGACY_STAGING_STATE, "utf8"), LEGACY_STAGING_STATE);
    const networkingSynth = JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", "networking-staging", STACK_FILE), "utf8"));
    const split = splitLegacyState(legacy, parsed(staging), networkingSynth);
    const networkingState = path.join(scratch, "networking.tfstate");
    const jitsiMatrixState = path.join(scratch, "jitsi-matrix.tfstate");
    writeFileSync(networkingState, formatState(split.networking));
    writeFileSync(jitsiMatrixState, formatState(split.jitsiMatrix));
    // What jitsi-matrix reads of networking once the key's row is applied; the other rows read none of it.
    const remoteState = path.join(scratch, "networking-with-key.tfstate");
    writeFileSync(remoteState, formatState({ ...split.networking, outputs: { ...split.networking.outputs, ...keyOutput() } }));
    workdir = new TerraformWorkdir(path.join(CHECKED_IN_OUTDIR, "stacks", "jitsi-matrix-staging"), {
      statePath: jitsiMatrixState,
      remoteState,
    });
    networkingWorkdir = new TerraformWorkdir(path.join(CHECKED_IN_OUTDIR, "stacks", "networking-staging"), { statePath: networkingState });
    await workdir.init();
    await networkingWorkdir.init();
    baseline = await planFor(parsed(staging));
    networkingBaseline = await planNetworkingFor(parsed(staging));
  });
  afterAll(() => {
    workdir?.dispose();
    networkingWorkdir?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("plans, with every option off, only the adoption's own changes: the staging file keeps adoption a no-op", () => {
    const changed = resourceChanges(baseline).filter((change) => change.actions.join() !== "no-op");
    expect(changed.map((change) => `${change.actions.join()} ${change.address}`).sort()).toEqual([
      "create aws_iam_role.task_execution_role",
      "create aws_iam_role_policy.task_execution_role_read_secrets",
      "create aws_iam_role_policy_attachment.task_execution_role_ecs_task_execution",
      "delete,create aws_ecs_task_definition.jitsi_task_definition",
      "delete,create aws_ecs_task_definition.matrix_task_definition",
      "update aws_ecs_service.jitsi_service",
      "update aws_ecs_service.matrix_service",
    ]);
  });

  const switches = ALL_SWITCHES.filter((s) => (OPTION_PARTS[part] as readonly string[]).includes(s.option));
  describe.each(switches.map((s) => [s.option, s] as const))("%s", (option, optionSwitch) => {
    let changes: Changes;
    beforeAll(async () => {
      // The switched environment must itself be valid: the setting is what an operator can write.
      const environment = parseEnvironment(optionSwitch.switchOn(staging), { onWarning: () => undefined });
      changes = planDifference(baseline, await planFor(environment));
      if (optionSwitch.networking) changes = merged(planDifference(networkingBaseline, await planNetworkingFor(environment)), changes);
    });

    it(`is switched on in the doc as ${optionSwitch.setting}`, () => {
      expect(table.get(option)?.keys[1]).toContain(optionSwitch === EVERYTHING ? optionSwitch.setting : `\`${optionSwitch.setting}\``);
    });

    it("plans exactly the changes the doc's table lists", () => {
      expect(changes).toEqual(table.get(option)?.changes);
    });

    it(
      SWITCHING_THE_LAUNCH_TEMPLATE.includes(option)
        ? "creates the template, updates the group in place and destroys only the launch configuration (the documented switch)"
        : "creates and updates in place only, and replaces nothing but task definitions (new revisions)",
      () => {
        expect(changes.replaced.filter((address) => !address.startsWith("aws_ecs_task_definition."))).toEqual([]);
        expect(changes.destroyed).toEqual(SWITCHING_THE_LAUNCH_TEMPLATE.includes(option) ? ["aws_launch_configuration.capacity_launch_configuration"] : []);
        expect(changes.created.length + changes["updated in place"].length).toBeGreaterThan(0);
      },
    );
  });
});
}

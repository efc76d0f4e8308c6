/**
 * The passwords of an adopted environment. The legacy task definitions held
 * them literally in their container definitions, so the legacy state has them.
 * Keeping them means writing them into the parameters of `secrets-<env>` from a
 * working directory that passes them as ephemeral variables; rotating means
 * letting that stack generate new ones. The values never go to the repository
 * or to any state: only to a working directory the operator names outside it.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import * as path from "path";
import { PLATFORM_SECRETS, PlatformSecret, secretParameterName } from "../../src/modules/platform-secrets";
import { SynthesizedStack } from "./legacy-state";
import { managedInstances, StateFile } from "./state-file";

/** One password as the legacy containers had it. */
export interface LegacySecret {
  readonly name: PlatformSecret;
  readonly value: string;
  /** `<task family>/<container>` of every container that had it. */
  readonly usedBy: readonly string[];
}

export interface LegacySecrets {
  /** The platform's passwords found, with one value each. */
  readonly secrets: readonly LegacySecret[];
  /** Passwords whose containers disagree; a keep is impossible for them. Values are never part of the message. */
  readonly conflicts: readonly string[];
  /** Platform passwords no legacy container had: the secrets stack generates them either way. */
  readonly absent: readonly PlatformSecret[];
}

interface ContainerDefinition {
  name?: string;
  environment?: { name?: string; value?: string }[];
}

/** Reads the platform's passwords out of the legacy task definitions of `state`. */
export function extractLegacySecrets(state: StateFile): LegacySecrets {
  const found = new Map<PlatformSecret, { value: string; usedBy: string }[]>();
  for (const { address, resource, instance } of managedInstances(state)) {
    if (resource.type !== "aws_ecs_task_definition") continue;
    const family = String(instance.attributes.family ?? address);
    let containers: ContainerDefinition[];
    try {
      containers = JSON.parse(String(instance.attributes.container_definitions)) as ContainerDefinition[];
    } catch (error) {
      throw new Error(`${address}: container_definitions is not JSON (${(error as Error).message}); the state is damaged.`);
    }
    for (const container of containers) {
      for (const variable of container.environment ?? []) {
        const name = variable.name as PlatformSecret;
        if (!(PLATFORM_SECRETS as readonly string[]).includes(name) || !variable.value) continue;
        found.set(name, [...(found.get(name) ?? []), { value: variable.value, usedBy: `${family}/${container.name}` }]);
      }
    }
  }
  const secrets: LegacySecret[] = [];
  const conflicts: string[] = [];
  for (const name of PLATFORM_SECRETS) {
    const uses = found.get(name);
    if (uses === undefined) continue;
    const values = new Set(uses.map((use) => use.value));
    if (values.size > 1) {
      conflicts.push(
        `${name} differs between the containers ${uses.map((use) => use.usedBy).join(", ")} (${values.size} values); ` +
          "the new stacks give every container one value: rotate it, or keep it after deciding which value is right.",
      );
      continue;
    }
    secrets.push({ name, value: uses[0].value, usedBy: uses.map((use) => use.usedBy) });
  }
  return { secrets, conflicts, absent: PLATFORM_SECRETS.filter((name) => !found.has(name)) };
}

/**
 * The keep working directory's configuration: `secrets-<env>` with the parameter of each kept
 * password written from an ephemeral input variable instead of an ephemeral `random_password`,
 * and the values in a private variables file beside it. Write-only values and ephemeral variables
 * reach neither the plan nor the state, so applying it puts the legacy values into SSM and records
 * only each parameter's `value_wo_version`, the one `secrets-<env>` has: its next plan writes nothing.
 * Parameters of passwords the legacy containers did not have are left to `secrets-<env>`.
 */
export interface KeepWorkdir {
  readonly config: SynthesizedStack;
  /** Variable name to legacy value: the contents of `KEEP_VALUES_FILE`. */
  readonly values: Readonly<Record<string, string>>;
}

/** The ephemeral input variable that carries a kept password. */
export const keepVariable = (secret: PlatformSecret) => `legacy_${secret}`;

export function keepWorkdir(legacy: LegacySecrets, secretsSynth: SynthesizedStack, environmentName: string): KeepWorkdir {
  if (legacy.conflicts.length > 0) {
    throw new Error(`the legacy passwords cannot be kept as they are:\n  - ${legacy.conflicts.join("\n  - ")}`);
  }
  const config = JSON.parse(JSON.stringify(secretsSynth)) as SynthesizedStack & {
    ephemeral?: unknown;
    variable?: Record<string, unknown>;
    provider?: Record<string, unknown>;
    terraform?: { required_providers?: Record<string, unknown> };
  };
  const parameters = (config.resource?.aws_ssm_parameter ?? {}) as Record<string, Record<string, unknown>>;
  const kept = new Map(legacy.secrets.map((secret) => [secretParameterName(environmentName, secret.name), secret]));
  const values: Record<string, string> = {};
  const variables: Record<string, unknown> = {};
  for (const [key, parameter] of Object.entries(parameters)) {
    const secret = kept.get(String(parameter.name));
    if (secret === undefined) {
      delete parameters[key];
      continue;
    }
    if (typeof parameter.value_wo !== "string") {
      throw new Error(`secrets-${environmentName}: aws_ssm_parameter.${key} has no write-only value; synthesize again (npm run synth) or give --synth-dir.`);
    }
    parameter.value_wo = `\${var.${keepVariable(secret.name)}}`;
    variables[keepVariable(secret.name)] = { type: "string", ephemeral: true, sensitive: true, description: `${secret.name} as the legacy containers had it` };
    values[keepVariable(secret.name)] = secret.value;
  }
  const missing = legacy.secrets.filter((secret) => values[keepVariable(secret.name)] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `secrets-${environmentName}: no aws_ssm_parameter named ${missing.map((secret) => secretParameterName(environmentName, secret.name)).join(", ")}; ` +
        "synthesize again (npm run synth) or give --synth-dir.",
    );
  }
  // Nothing is generated here, so the random provider, which offline machines cannot install, is not needed.
  delete config.ephemeral;
  delete config.provider?.random;
  delete config.terraform?.required_providers?.random;
  config.variable = { ...config.variable, ...variables };
  return { config, values };
}

/** The file of the keep working directory that holds the legacy passwords, as variable values. */
export const KEEP_VALUES_FILE = "legacy_passwords.auto.tfvars.json";

/**
 * Fails unless `dir` can become the keep working directory: new or empty,
 * and outside `repository`, since it will hold the legacy passwords.
 */
export function assertKeepWorkdirUsable(dir: string, repository: string): void {
  const target = path.resolve(dir);
  const relative = path.relative(path.resolve(repository), target);
  if (relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))) {
    throw new Error(
      `--keep-secrets ${dir}: inside the repository (${repository}); the directory will hold the legacy passwords: ` +
        "name a directory outside it, e.g. ~/jitsi-matrix-keep-secrets.",
    );
  }
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`--keep-secrets ${dir}: not empty; name a new or empty directory.`);
  }
}

/**
 * Writes the keep working directory into `dir`: `keepWorkdir`'s configuration, its backend the
 * stack's, and `KEEP_VALUES_FILE`. Files are private to their owner. `extraFiles` are written too
 * (a local backend under `--backend-override`).
 */
export function writeKeepWorkdir(dir: string, repository: string, workdir: KeepWorkdir, extraFiles: Readonly<Record<string, string>> = {}): void {
  assertKeepWorkdirUsable(dir, repository);
  const target = path.resolve(dir);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chmodSync(target, 0o700);
  const write = (name: string, text: string) => writeFileSync(path.join(target, name), text, { mode: 0o600 });
  write("cdk.tf.json", `${JSON.stringify(workdir.config, null, 2)}\n`);
  write(KEEP_VALUES_FILE, `${JSON.stringify(workdir.values, null, 2)}\n`);
  for (const [name, text] of Object.entries(extraFiles)) write(name, text);
}

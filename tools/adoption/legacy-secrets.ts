/**
 * The passwords of an adopted environment. The legacy task definitions held
 * them literally in their container definitions, so the legacy state has them.
 * Keeping them means importing them as the `random_password` values of
 * `secrets-<env>`; rotating means letting that stack generate new ones. The
 * values never go to the repository: only to a working directory the operator
 * names outside it, and to the secrets state.
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
        if (!PLATFORM_SECRETS.includes(name) || !variable.value) continue;
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

/** An `import` block in Terraform's JSON syntax. */
export interface ImportBlock {
  readonly to: string;
  readonly id: string;
}

/**
 * The `random_password` address of each secret in the synthesized
 * `secrets-<env>`, found through the parameter that stores it, so the import
 * follows the stack's addresses wherever they go.
 */
export function passwordAddresses(secretsSynth: SynthesizedStack, environmentName: string): Map<PlatformSecret, string> {
  const parameters = secretsSynth.resource?.aws_ssm_parameter ?? {};
  const addresses = new Map<PlatformSecret, string>();
  for (const secret of PLATFORM_SECRETS) {
    const parameter = Object.values(parameters).find((p) => p.name === secretParameterName(environmentName, secret));
    const match = typeof parameter?.value === "string" ? /^\$\{(random_password\.[A-Za-z0-9_-]+)\.result\}$/.exec(parameter.value) : null;
    if (match) addresses.set(secret, match[1]);
  }
  return addresses;
}

/** Import blocks that make the legacy values the `random_password` results of `secrets-<env>`. */
export function keepImports(legacy: LegacySecrets, secretsSynth: SynthesizedStack, environmentName: string): ImportBlock[] {
  if (legacy.conflicts.length > 0) {
    throw new Error(`the legacy passwords cannot be kept as they are:\n  - ${legacy.conflicts.join("\n  - ")}`);
  }
  const addresses = passwordAddresses(secretsSynth, environmentName);
  return legacy.secrets.map((secret) => {
    const to = addresses.get(secret.name);
    if (to === undefined) {
      throw new Error(
        `secrets-${environmentName}: no aws_ssm_parameter named ${secretParameterName(environmentName, secret.name)} ` +
          "with a random_password value; synthesize again (npm run synth) or give --synth-dir.",
      );
    }
    return { to, id: secret.value };
  });
}

/** The file of the keep working directory that holds the import blocks, and the passwords. */
export const KEEP_IMPORTS_FILE = "legacy_passwords_import.tf.json";

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
 * Writes a working copy of `secrets-<env>` into `dir`, its backend the
 * stack's, plus `KEEP_IMPORTS_FILE`: its plan imports the legacy values.
 * Files are private to their owner. `extraFiles` are written too (a local
 * backend under `--backend-override`).
 */
export function writeKeepWorkdir(
  dir: string,
  repository: string,
  secretsSynthText: string,
  imports: readonly ImportBlock[],
  extraFiles: Readonly<Record<string, string>> = {},
): void {
  assertKeepWorkdirUsable(dir, repository);
  const target = path.resolve(dir);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chmodSync(target, 0o700);
  const write = (name: string, text: string) => writeFileSync(path.join(target, name), text, { mode: 0o600 });
  write("cdk.tf.json", secretsSynthText);
  write(KEEP_IMPORTS_FILE, `${JSON.stringify({ import: imports }, null, 2)}\n`);
  for (const [name, text] of Object.entries(extraFiles)) write(name, text);
}

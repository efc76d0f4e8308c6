/**
 * The adoption of a legacy environment: its one state becomes the states of
 * `networking-<env>` (the subnets) and `jitsi-matrix-<env>` (everything else,
 * at legacy addresses the stack's `moved` blocks take on). No AWS resource is
 * touched; only states are read and written, through Terraform.
 *
 * Safe to repeat: a target that already holds the adopted resources is left
 * alone, a target holding anything else stops the run before any write.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { homedir } from "os";
import * as path from "path";
import { S3BackendSettings, StackKind } from "../../src/backend";
import { Environment } from "../../src/environments/environment";
import { floatingImageFields } from "../../src/environments/images";
import { CHECKED_IN_OUTDIR, PROJECT_ROOT, STACK_FILE } from "../synthesize";
import { AdoptedInstance, AdoptionStates, splitLegacyState, SynthesizedStack } from "./legacy-state";
import { assertKeepWorkdirUsable, extractLegacySecrets, KeepWorkdir, keepWorkdir, LegacySecrets, writeKeepWorkdir } from "./legacy-secrets";
import { cloudId, formatState, managedInstances, parseState, StateFile } from "./state-file";
import { BackendOverride, describeLocation, legacyS3Location, overridden, readStateObject, StateLocation, TerraformStates } from "./state-store";

/** Where backups go unless `--backup-dir` says otherwise: outside the repository, since they hold passwords. */
export const DEFAULT_BACKUP_ROOT = path.join(homedir(), "jitsi-matrix-adoption-backups");

export interface AdoptOptions {
  readonly environment: Environment;
  /** A state file, or `s3://bucket/key`. */
  readonly legacyState: string;
  /** The project's backend settings: region and encryption of an S3 legacy state. */
  readonly backend: S3BackendSettings;
  /**
   * Synth output holding `stacks/<stack>/cdk.tf.json`.
   * @default the checked-in synth, `cdktf.out`
   */
  readonly synthDir?: string;
  /**
   * Directory the run's backup folder is made in.
   * @default DEFAULT_BACKUP_ROOT
   */
  readonly backupRoot?: string;
  /**
   * Local files instead of S3.
   * @default - the stacks' own backends
   */
  readonly backendOverride?: BackendOverride;
  /** Check everything and say what would be written, writing nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * A new directory outside the repository to prepare, where a plan of
   * `secrets-<env>` imports the legacy passwords (the keep path).
   * @default - none: the secrets stack generates new passwords (the rotate path)
   */
  readonly keepSecretsDir?: string;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** @default new Date() */
  readonly now?: Date;
  /**
   * Variables for the Terraform runs over the inherited environment, e.g. `TF_CLI_CONFIG_FILE`.
   * @default - none
   */
  readonly terraformEnv?: Readonly<Record<string, string>>;
}

export interface TargetReport {
  readonly stack: string;
  readonly location: string;
  /** What the run found there: nothing, or what an earlier adoption wrote. */
  readonly found: "empty" | "adopted";
  readonly written: boolean;
}

export interface AdoptionReport {
  readonly outcome: "adopted" | "nothing-to-do" | "dry-run";
  readonly targets: readonly TargetReport[];
  /** The run's backup folder, when it wrote one. */
  readonly backupDir?: string;
  readonly keepSecretsDir?: string;
  readonly split: AdoptionStates;
  readonly secrets: LegacySecrets;
}

/** The adoption stopped before writing anything, for a reason `message` gives. */
export class AdoptionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdoptionRefused";
  }
}

function stackName(kind: StackKind, environmentName: string): string {
  return `${kind}-${environmentName}`;
}

function readSynth(synthDir: string, stack: string): { text: string; json: SynthesizedStack } {
  const file = path.join(synthDir, "stacks", stack, STACK_FILE);
  if (!existsSync(file)) {
    throw new AdoptionRefused(`${file} does not exist: run npm run synth (or give --synth-dir the synth output holding stacks/${stack}).`);
  }
  const text = readFileSync(file, "utf8");
  return { text, json: JSON.parse(text) as SynthesizedStack };
}

/** The state location a synthesized stack declares in its `backend` block. */
function stackLocation(synth: SynthesizedStack, stack: string): StateLocation {
  const backends = Object.entries(synth.terraform?.backend ?? {});
  if (backends.length !== 1) throw new AdoptionRefused(`${stack}: the synthesized stack declares ${backends.length} backends; it needs one.`);
  const [backend, config] = backends[0];
  return { backend, config };
}

function insideRepository(dir: string): boolean {
  const relative = path.relative(PROJECT_ROOT, path.resolve(dir));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

type Found = { kind: "empty"; current?: StateFile } | { kind: "adopted" } | { kind: "foreign"; reason: string };

/**
 * What a target holds compared with what the adoption puts there, by cloud
 * ID, so that a target an apply has changed since still counts as adopted:
 * each adopted instance must be there, at the address the adoption wrote or
 * the one the stack's moves gave it, and nothing of the other stack may be.
 */
function classify(current: StateFile | undefined, stack: AdoptedInstance["stack"], instances: readonly AdoptedInstance[]): Found {
  const held = current ? managedInstances(current) : [];
  if (held.length === 0) return { kind: "empty", current };
  const key = (type: string, id: string | undefined) => `${type} ${id}`;
  const adoptedById = new Map(instances.map((i) => [key(i.type, i.id), i]));
  const misplaced = held.filter(({ address, resource, instance }) => {
    const adopted = adoptedById.get(key(resource.type, cloudId(instance)));
    return adopted !== undefined && (adopted.stack !== stack || (address !== adopted.writtenAddress && address !== adopted.finalAddress));
  });
  const heldIds = new Set(held.map(({ resource, instance }) => key(resource.type, cloudId(instance))));
  const absent = instances.filter((i) => i.stack === stack && !heldIds.has(key(i.type, i.id)));
  if (absent.length === 0 && misplaced.length === 0) return { kind: "adopted" };
  const examples = held.slice(0, 3).map(({ address }) => address);
  const holds = `already holds ${held.length} resource(s) (${examples.join(", ")}${held.length > examples.length ? ", ..." : ""})`;
  return {
    kind: "foreign",
    reason:
      misplaced.length > 0
        ? `${holds}, among them ${misplaced[0].resource.type} ${cloudId(misplaced[0].instance)} at ${misplaced[0].address}, where no adoption puts it`
        : `${holds} but not ${absent[0].type} ${absent[0].id} (legacy ${absent[0].legacyAddress})` +
          `${absent.length > 1 ? ` and ${absent.length - 1} more of the legacy resources` : ""}`,
  };
}

/** Reads the legacy state from a file or an S3 object, keeping its text as read for the backup. */
function readLegacy(options: AdoptOptions): { state: StateFile; text: string; where: string; location?: StateLocation } {
  if (options.legacyState.startsWith("s3://")) {
    let location: StateLocation;
    try {
      location = overridden(legacyS3Location(options.legacyState, { ...options.backend }), options.backendOverride);
    } catch (error) {
      throw new AdoptionRefused((error as Error).message);
    }
    let text: string | undefined;
    try {
      text = readStateObject(location, options.terraformEnv);
    } catch (error) {
      throw new AdoptionRefused(`--legacy-state ${options.legacyState}: ${(error as Error).message}`);
    }
    if (text === undefined) throw new AdoptionRefused(`--legacy-state ${options.legacyState}: there is no state at ${describeLocation(location)}.`);
    try {
      return { state: parseState(text, options.legacyState), text, where: options.legacyState, location };
    } catch (error) {
      throw new AdoptionRefused((error as Error).message);
    }
  }
  if (!existsSync(options.legacyState)) {
    throw new AdoptionRefused(`--legacy-state ${options.legacyState}: no such file; give the legacy state file or s3://<bucket>/<key>.`);
  }
  const text = readFileSync(options.legacyState, "utf8");
  try {
    return { state: parseState(text, options.legacyState), text, where: options.legacyState };
  } catch (error) {
    throw new AdoptionRefused((error as Error).message);
  }
}

/** `20261123T190203Z`: sortable and safe in file names. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/**
 * Adopts `options.environment` from its legacy state. Throws
 * `AdoptionRefused` or `LegacyStateError` before any write when something is
 * not as expected.
 */
export function adopt(options: AdoptOptions): AdoptionReport {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = options.environment;
  if (env.legacy === undefined) {
    throw new AdoptionRefused(
      `environment ${env.name}: has no legacy block, so jitsi-matrix-${env.name} declares no moves from the legacy addresses and its ` +
        "first plan would destroy every adopted resource; only an environment deployed by the legacy configuration (with a legacy " +
        `block, as staging) can be adopted: deploy ${env.name} from scratch instead.`,
    );
  }
  // The adoption's first apply rolls out new task revisions: a floating tag would pull whatever was pushed last.
  const floating = floatingImageFields(env);
  if (floating.length > 0) {
    throw new AdoptionRefused(
      `environment ${env.name}: ${floating.join(", ")} ${floating.length === 1 ? "is" : "are"} "latest" without a digest. The adoption's first apply ` +
        "starts new task revisions, which would pull today's latest instead of what runs now (for Synapse, a release that may refuse " +
        `the database). Pin ${floating.length === 1 ? "it" : "each"} to what runs today: npm run adopt -- ${env.name} --running-images prints the ` +
        `lines ("latest@sha256:…") for src/environments/${env.name}.ts; then npm run synth, and adopt again.`,
    );
  }
  const synthDir = options.synthDir ?? CHECKED_IN_OUTDIR;
  const backupRoot = path.resolve(options.backupRoot ?? DEFAULT_BACKUP_ROOT);
  if (insideRepository(backupRoot)) {
    throw new AdoptionRefused(
      `--backup-dir ${backupRoot}: inside the repository; backups hold the legacy passwords: name a directory outside it (default ${DEFAULT_BACKUP_ROOT}).`,
    );
  }

  const networkingSynth = readSynth(synthDir, stackName("networking", env.name));
  const jitsiMatrixSynth = readSynth(synthDir, stackName("jitsi-matrix", env.name));

  const states = new TerraformStates({
    requiredProviders: jitsiMatrixSynth.json.terraform?.required_providers,
    env: options.terraformEnv,
  });
  try {
    return adoptWith(options, states, { networkingSynth, jitsiMatrixSynth, backupRoot, synthDir, log });
  } finally {
    states.dispose();
  }
}

interface Context {
  readonly networkingSynth: { text: string; json: SynthesizedStack };
  readonly jitsiMatrixSynth: { text: string; json: SynthesizedStack };
  readonly backupRoot: string;
  readonly synthDir: string;
  readonly log: (line: string) => void;
}

function adoptWith(options: AdoptOptions, states: TerraformStates, context: Context): AdoptionReport {
  const { networkingSynth, jitsiMatrixSynth, backupRoot, synthDir, log } = context;
  const env = options.environment;
  const networkingStack = stackName("networking", env.name);
  const jitsiMatrixStack = stackName("jitsi-matrix", env.name);
  const secretsStack = stackName("secrets", env.name);
  const legacy = readLegacy(options);
  log(`read the legacy state ${legacy.where} (lineage ${legacy.state.lineage}, serial ${legacy.state.serial})`);
  const split = splitLegacyState(legacy.state, env, networkingSynth.json, legacy.where);
  for (const note of split.notes) log(`note: ${note}`);
  if (split.postgresUpgrade) {
    log(
      "note: the legacy state was taken with the PostgreSQL upgrade switch on: plan jitsi-matrix from a synth made with " +
        `CDKTF_CONTEXT_JSON='{"postgresUpgrade":true}' CDKTF_OUTDIR=<a new directory> node --import tsx main.ts ` +
        `(or set postgresUpgrade.enabled in src/environments/${env.name}.ts), as docs/adopting-an-environment.md says, ` +
        "or its plan removes the postgres-upgrade service and starts matrix again.",
    );
  }

  const secrets = extractLegacySecrets(legacy.state);
  for (const secret of secrets.secrets) log(`legacy password ${secret.name}: one value, in ${secret.usedBy.join(", ")}`);
  for (const conflict of secrets.conflicts) log(`warning: ${conflict}`);
  if (options.keepSecretsDir === undefined) {
    log(
      `no --keep-secrets: ${secretsStack} generates new passwords when it is applied (rotate, step 4 of docs/adopting-an-environment.md); ` +
        "the legacy values stay only in the legacy state and the backup.",
    );
  }
  let keep: KeepWorkdir | undefined;
  let secretsSynth: { text: string; json: SynthesizedStack } | undefined;
  if (options.keepSecretsDir !== undefined) {
    secretsSynth = readSynth(synthDir, secretsStack);
    try {
      keep = keepWorkdir(secrets, secretsSynth.json, env.name);
      assertKeepWorkdirUsable(options.keepSecretsDir, PROJECT_ROOT);
    } catch (error) {
      throw new AdoptionRefused(`${(error as Error).message}\nNothing was written.`);
    }
  }

  const targets = [
    { stack: networkingStack, kind: "networking" as const, synth: networkingSynth.json, intended: split.networking },
    { stack: jitsiMatrixStack, kind: "jitsi-matrix" as const, synth: jitsiMatrixSynth.json, intended: split.jitsiMatrix },
  ].map((target) => {
    const location = overridden(stackLocation(target.synth, target.stack), options.backendOverride);
    if (legacy.location !== undefined && describeLocation(legacy.location) === describeLocation(location)) {
      throw new AdoptionRefused(
        `--legacy-state ${legacy.where} is ${target.stack}'s own state key: the adoption writes a new state there. ` +
          `Move the legacy object to another key first (aws s3 mv ${legacy.where} <another key>) and adopt from there. Nothing was written.`,
      );
    }
    const current = states.pull(location);
    return { ...target, location, current, found: classify(current, target.kind, split.instances) };
  });
  const foreign = targets.filter((target) => target.found.kind === "foreign");
  if (foreign.length > 0) {
    throw new AdoptionRefused(
      foreign
        .map(
          (target) =>
            `${target.stack}'s state ${describeLocation(target.location)} ${(target.found as { reason: string }).reason}: ` +
            `it was not written by an adoption of ${legacy.where}. Nothing was written. Look at it with terraform state list ` +
            "(in a copy of the stack's synth); if it is a leftover of a trial, empty it first.",
        )
        .join("\n"),
    );
  }

  const pending = targets.filter((target) => target.found.kind === "empty");
  const report = (outcome: AdoptionReport["outcome"], written: boolean, backupDir?: string, keepSecretsDir?: string): AdoptionReport => ({
    outcome,
    targets: targets.map((target) => ({
      stack: target.stack,
      location: describeLocation(target.location),
      found: target.found.kind === "empty" ? "empty" : "adopted",
      written: written && target.found.kind === "empty",
    })),
    backupDir,
    keepSecretsDir,
    split,
    secrets,
  });

  if (options.dryRun) {
    for (const target of targets) {
      log(
        target.found.kind === "empty"
          ? `dry run: would write ${managedInstances(target.intended).length} resource(s) to ${target.stack} (${describeLocation(target.location)})`
          : `dry run: ${target.stack} (${describeLocation(target.location)}) already holds the adopted resources`,
      );
    }
    if (keep !== undefined) log(`dry run: would prepare ${options.keepSecretsDir} to write ${Object.keys(keep.values).length} legacy password(s) into ${secretsStack}`);
    log("dry run: nothing was written.");
    return report("dry-run", false);
  }

  let backupDir: string | undefined;
  if (pending.length === 0) {
    log(`nothing left to do: ${targets.map((t) => `${t.stack} (${describeLocation(t.location)})`).join(" and ")} already hold the adopted resources.`);
  } else {
    backupDir = path.join(backupRoot, `${env.name}-${timestamp(options.now ?? new Date())}`);
    mkdirSync(backupRoot, { recursive: true, mode: 0o700 });
    mkdirSync(backupDir, { mode: 0o700 });
    chmodSync(backupDir, 0o700);
    const backup = (name: string, text: string) => writeFileSync(path.join(backupDir!, name), text, { mode: 0o600 });
    backup("legacy.tfstate", legacy.text);
    for (const target of targets) if (target.current) backup(`${target.stack}.before.tfstate`, formatState(target.current));
    backup(
      "adoption.json",
      `${JSON.stringify(
        {
          environment: env.name,
          legacyState: legacy.where,
          legacyLineage: legacy.state.lineage,
          legacySerial: legacy.state.serial,
          targets: targets.map((t) => ({ stack: t.stack, location: describeLocation(t.location), found: t.found.kind })),
          instances: split.instances,
        },
        null,
        2,
      )}\n`,
    );
    log(`backup written to ${backupDir} (it holds the legacy passwords: keep it private)`);

    for (const target of pending) {
      const current = (target.found as { current?: StateFile }).current;
      // An existing empty state keeps its lineage: Terraform accepts a successor without -force.
      const state = current ? { ...target.intended, lineage: current.lineage, serial: current.serial + 1 } : target.intended;
      states.push(target.location, state);
      log(`wrote ${managedInstances(state).length} resource(s) to ${target.stack} (${describeLocation(target.location)})`);
    }
    for (const target of targets.filter((t) => t.found.kind === "adopted")) {
      log(`${target.stack} (${describeLocation(target.location)}) already held the adopted resources: left as it was`);
    }
  }

  if (keep !== undefined && secretsSynth !== undefined && options.keepSecretsDir !== undefined) {
    const secretsLocation = overridden(stackLocation(secretsSynth.json, secretsStack), options.backendOverride);
    const extra: Record<string, string> =
      secretsLocation.backend === "local"
        ? { "zz_backend_override.tf.json": `${JSON.stringify({ terraform: { backend: { local: secretsLocation.config } } }, null, 2)}\n` }
        : {};
    writeKeepWorkdir(options.keepSecretsDir, PROJECT_ROOT, keep, extra);
    log(
      `prepared ${path.resolve(options.keepSecretsDir)}: its apply writes ${Object.keys(keep.values).length} legacy password(s) into ${secretsStack}'s parameters; ` +
        "delete the directory after its apply: it holds them.",
    );
  }
  return report(pending.length === 0 ? "nothing-to-do" : "adopted", true, backupDir, options.keepSecretsDir);
}

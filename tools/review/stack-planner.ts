import { createHash } from "crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { STACK_FILE, stackNames } from "../synthesize";
import { Json, PlanJson, ProducerOutput, TerraformWorkdir, writeOutputsState } from "../terraform";
import { canonicalJson } from "./plan-changes";
import { cachedProviderSchemas, needsSchemas, ProviderSchemas, providerSchemas, providersKey, syntheticState } from "./synthetic-state";

/** State files per stack name; a stack without one plans from an empty state or a synthetic one (`PlanOptions`). */
export type StateFiles = Readonly<Record<string, string>>;

/**
 * What a stack was planned against: a state file given for it, a state synthesized from the
 * base's plan of it (`synthetic-state.ts`), or nothing.
 */
export type StateSource = "file" | "synthetic" | "empty";

export interface PlanOptions {
  /**
   * A synth output directory (the base of a review): a stack without a state file that this
   * directory also has plans against a synthetic state, the base's plan of the stack as if
   * applied, and so do the stacks whose outputs it reads.
   * @default - stacks without a state file plan from an empty state
   */
  readonly syntheticBaseDir?: string;
}

/** A `terraform_remote_state` of a stack and where its outputs came from. */
export interface RemoteStateSource {
  /** Name of the data source, e.g. `cross-stack-reference-input-networking-staging`. */
  readonly name: string;
  /** The stack of the same synth whose backend the data source reads. */
  readonly producer: string;
  /** What the producer planned against. */
  readonly producerState: StateSource;
  /** Outputs unknown until the producer is applied, given placeholder values. */
  readonly placeholders: readonly string[];
}

export interface StackPlan {
  readonly stack: string;
  readonly plan: PlanJson;
  /** The state file planned against; undefined for an empty or synthetic state. */
  readonly stateFile?: string;
  readonly stateSource: StateSource;
  readonly remoteStates: readonly RemoteStateSource[];
}

export interface StackPlannerOptions {
  /**
   * How many stacks plan at once.
   * @default 2 - Terraform and the AWS provider are CPU-bound, and this project's machines have two cores
   */
  readonly concurrency?: number;
}


/** The synthesized JSON of a stack in a synth output directory (`<outdir>/stacks/<stack>/cdk.tf.json`). */
export function stackFile(outdir: string, stack: string): string {
  return path.join(outdir, "stacks", stack, STACK_FILE);
}

/** The placeholder a consumer sees for a producer's output that is known only after apply. */
export function unknownOutputPlaceholder(producer: string, output: string): string {
  return `known-after-apply:${producer}.${output}`;
}

/**
 * Plans the stacks of synth output directories offline (`terraform plan -refresh=false` with
 * the override files of `TerraformWorkdir`), each against its state file or an empty state.
 *
 * A stack that reads another stack's outputs (`terraform_remote_state`, as cdktf's cross-stack
 * references do) gets them from the plan of that producer in the same synth: the outputs it
 * would hold once applied, with placeholders for values known only after apply. Plans are
 * cached by content (configuration, state, remote states), so the base and the head of a
 * review plan an unchanged producer once, and a planner shared by several reviews reuses them.
 *
 * With `PlanOptions.syntheticBaseDir`, a stack without a state file plans against the state
 * its plan in that directory would leave once applied (`syntheticState`): the base's plan of
 * it from an empty state, its producers' outputs taken from their own synthetic states, so
 * that what the consumer's state holds and what the producers hand it agree.
 */
export class StackPlanner {
  private readonly scratch = mkdtempSync(path.join(tmpdir(), "review-plans-"));
  private readonly plans = new Map<string, Promise<PlanJson>>();
  private readonly syntheticStates = new Map<string, Promise<string>>();
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: StackPlannerOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`StackPlannerOptions.concurrency: ${options.concurrency} is not a positive integer; use 1 or more.`);
    }
  }

  /** The plan of `stack` in `outdir`, against `states[stack]`, else a synthetic state (`options`) or an empty one. */
  async plan(outdir: string, stack: string, states: StateFiles = {}, options: PlanOptions = {}): Promise<StackPlan> {
    return this.planWithin(outdir, stack, states, [], options.syntheticBaseDir, false);
  }

  /** Removes the planner's temporary files. */
  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** `emptyState`: plan from an empty state though a synthetic one could be had (to synthesize it). */
  private async planWithin(
    outdir: string,
    stack: string,
    states: StateFiles,
    consumers: readonly string[],
    syntheticBaseDir: string | undefined,
    emptyState: boolean,
  ): Promise<StackPlan> {
    if (consumers.includes(stack)) {
      throw new Error(`stacks ${[...consumers, stack].join(" -> ")} read each other's outputs in a cycle; no order can plan them.`);
    }
    const file = stackFile(outdir, stack);
    if (!existsSync(file)) throw new Error(`stack ${stack}: ${file} does not exist; synthesize first or check the stack name.`);
    const config: Json = JSON.parse(readFileSync(file, "utf8"));

    const remoteStates: RemoteStateSource[] = [];
    const remoteFiles: Record<string, string> = {};
    for (const [name, producer] of Object.entries(remoteStateProducers(outdir, stack, config))) {
      const producerPlan = await this.planWithin(outdir, producer, states, [...consumers, stack], syntheticBaseDir, false);
      const { outputs, placeholders } = plannedOutputs(producer, producerPlan.plan);
      // The producer's output blocks, so the outputs keep their sensitivity and tuple types, as a real state has them.
      const producerOutputs: Record<string, ProducerOutput> = JSON.parse(readFileSync(stackFile(outdir, producer), "utf8")).output ?? {};
      remoteFiles[name] = this.outputsStateFile(outputs, producerOutputs);
      remoteStates.push({ name, producer, producerState: producerPlan.stateSource, placeholders });
    }

    const stateFile = states[stack];
    let stateText = "";
    let stateSource: StateSource = "empty";
    if (stateFile !== undefined) {
      stateText = readState(stack, stateFile);
      stateSource = "file";
    } else if (syntheticBaseDir !== undefined && !emptyState && existsSync(stackFile(syntheticBaseDir, stack))) {
      stateText = await this.syntheticStateOf(syntheticBaseDir, stack, states, consumers);
      stateSource = "synthetic";
    }
    const key = hash([canonicalJson(config), stateText, ...Object.entries(remoteFiles).sort().map(([n, f]) => `${n}=${readFileSync(f, "utf8")}`)]);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.run(file, key, stateText, remoteFiles, emptyState ? config : undefined);
      this.plans.set(key, plan);
    }
    return { stack, plan: await plan, stateFile, stateSource, remoteStates };
  }

  /** The text of the synthetic state of `stack`: its plan in `baseDir` from an empty state, as if applied. */
  private syntheticStateOf(baseDir: string, stack: string, states: StateFiles, consumers: readonly string[]): Promise<string> {
    const cacheKey = hash([path.resolve(baseDir), stack, canonicalJson(states)]);
    let text = this.syntheticStates.get(cacheKey);
    if (text === undefined) {
      text = (async () => {
        const base = await this.planWithin(baseDir, stack, states, consumers, baseDir, true);
        const file = stackFile(baseDir, stack);
        const config: Json = JSON.parse(readFileSync(file, "utf8"));
        const schemasKey = providersKey(config, base.plan);
        const schemas: ProviderSchemas = needsSchemas(base.plan) ? await (cachedProviderSchemas(schemasKey) ?? this.readSchemas(file, schemasKey)) : {};
        return `${JSON.stringify(syntheticState(base.plan, schemas, config), null, 2)}\n`;
      })();
      this.syntheticStates.set(cacheKey, text);
    }
    return text;
  }

  /** The provider schemas of a stack whose plan came from the cache without them. */
  private async readSchemas(file: string, schemasKey: string) {
    await this.acquire();
    try {
      const workdir = new TerraformWorkdir(file);
      try {
        await workdir.init();
        return await providerSchemas(schemasKey, workdir.dir);
      } finally {
        workdir.dispose();
      }
    } finally {
      this.release();
    }
  }

  /** `schemasOf`: the configuration, to read its provider schemas too (for a synthetic state) unless they are cached. */
  private async run(file: string, key: string, stateText: string, remoteState: Record<string, string>, schemasOf?: Json): Promise<PlanJson> {
    await this.acquire();
    let statePath: string | undefined;
    if (stateText !== "") {
      // A copy: nothing Terraform does here may touch the reviewer's state file.
      statePath = path.join(this.scratch, `${key}.tfstate`);
      writeFileSync(statePath, stateText);
    }
    try {
      const workdir = new TerraformWorkdir(file, { statePath, remoteState });
      try {
        await workdir.init();
        const plan = await workdir.plan();
        const schemasKey = schemasOf === undefined ? undefined : providersKey(schemasOf, plan);
        if (schemasKey !== undefined && needsSchemas(plan) && cachedProviderSchemas(schemasKey) === undefined) await providerSchemas(schemasKey, workdir.dir);
        return plan;
      } finally {
        workdir.dispose();
      }
    } finally {
      this.release();
    }
  }

  private outputsStateFile(outputs: Record<string, unknown>, producerOutputs: Readonly<Record<string, ProducerOutput>>): string {
    const file = path.join(this.scratch, `outputs-${hash([canonicalJson(outputs), canonicalJson(producerOutputs)])}.tfstate`);
    if (!existsSync(file)) writeOutputsState(file, outputs, producerOutputs);
    return file;
  }

  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/**
 * For each `terraform_remote_state` of a stack, the stack of the same synth whose S3 backend
 * (bucket and key) it reads. Local-backend data sources need nothing.
 */
export function remoteStateProducers(outdir: string, stack: string, config: Json): Record<string, string> {
  const sources: Record<string, Json> = config.data?.terraform_remote_state ?? {};
  const producers: Record<string, string> = {};
  for (const [name, source] of Object.entries(sources)) {
    if (source.backend === "local") continue;
    const wanted = source.config ?? {};
    const producer = stackNames(outdir).find((candidate) => {
      if (candidate === stack) return false;
      const backend = JSON.parse(readFileSync(stackFile(outdir, candidate), "utf8")).terraform?.backend?.[source.backend];
      return backend !== undefined && backend.bucket === wanted.bucket && backend.key === wanted.key;
    });
    if (producer === undefined) {
      throw new Error(
        `stack ${stack}: data.terraform_remote_state.${name} reads the ${source.backend} state ` +
          `${JSON.stringify(wanted.bucket)}/${JSON.stringify(wanted.key)}, which no stack of ${outdir} writes; ` +
          "an offline plan can only supply the outputs of stacks of the same app.",
      );
    }
    producers[name] = producer;
  }
  return producers;
}

/**
 * The root outputs a producer will hold after its plan is applied, as `terraform_remote_state`
 * reads them. Values known only after apply become placeholders (`unknownOutputPlaceholder`);
 * null outputs are left out, as Terraform leaves them out of state.
 */
export function plannedOutputs(producer: string, plan: PlanJson): { outputs: Record<string, unknown>; placeholders: string[] } {
  const outputs: Record<string, unknown> = {};
  const placeholders: string[] = [];
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    if (change.actions.includes("delete") && !change.actions.includes("create")) continue;
    let unknown = false;
    const fill = (value: unknown, isUnknown: unknown, where: string): unknown => {
      if (isUnknown === true) {
        unknown = true;
        return unknownOutputPlaceholder(producer, where);
      }
      if (Array.isArray(value)) return value.map((v, i) => fill(v, Array.isArray(isUnknown) ? isUnknown[i] : undefined, `${where}[${i}]`));
      if (value !== null && typeof value === "object") {
        const u = (isUnknown ?? {}) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, u[k], `${where}.${k}`)]));
      }
      return value;
    };
    const value = fill(change.after ?? null, change.after_unknown, name);
    if (unknown) placeholders.push(name);
    if (value !== null) outputs[name] = value;
  }
  return { outputs, placeholders };
}

function readState(stack: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`state of ${stack}: cannot read ${file} (${(error as Error).message}); give an existing state file.`);
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (version !== 4) {
    throw new Error(`state of ${stack}: ${file} is not a Terraform state file (version 4); give the output of \`terraform state pull\`.`);
  }
  return text;
}

function hash(parts: string[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part).update("\0");
  return h.digest("hex").slice(0, 24);
}

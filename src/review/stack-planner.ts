import { createHash } from "crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { STACK_FILE, stackNames } from "../synthesize";
import { PlanJson, TerraformWorkdir, writeOutputsState } from "../terraform";
import { canonicalJson } from "./plan-changes";

/** State files per stack name; a stack without one plans from an empty state. */
export type StateFiles = Readonly<Record<string, string>>;

/** A `terraform_remote_state` of a stack and where its outputs came from. */
export interface RemoteStateSource {
  /** Name of the data source, e.g. `cross-stack-reference-input-networking-staging`. */
  readonly name: string;
  /** The stack of the same synth whose backend the data source reads. */
  readonly producer: string;
  /** Whether the producer planned against a state file (else from an empty state). */
  readonly producerHasState: boolean;
  /** Outputs unknown until the producer is applied, given placeholder values. */
  readonly placeholders: readonly string[];
}

export interface StackPlan {
  readonly stack: string;
  readonly plan: PlanJson;
  /** The state file planned against; undefined for an empty state. */
  readonly stateFile?: string;
  readonly remoteStates: readonly RemoteStateSource[];
}

export interface StackPlannerOptions {
  /**
   * How many stacks plan at once.
   * @default 2 - Terraform and the AWS provider are CPU-bound, and this project's machines have two cores
   */
  readonly concurrency?: number;
}

type Json = Record<string, any>;

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
 */
export class StackPlanner {
  private readonly scratch = mkdtempSync(path.join(tmpdir(), "review-plans-"));
  private readonly plans = new Map<string, Promise<PlanJson>>();
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: StackPlannerOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`StackPlannerOptions.concurrency: ${options.concurrency} is not a positive integer; use 1 or more.`);
    }
  }

  /** The plan of `stack` in `outdir`, against `states[stack]` or an empty state. */
  async plan(outdir: string, stack: string, states: StateFiles = {}): Promise<StackPlan> {
    return this.planWithin(outdir, stack, states, []);
  }

  /** Removes the planner's temporary files. */
  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private async planWithin(outdir: string, stack: string, states: StateFiles, consumers: readonly string[]): Promise<StackPlan> {
    if (consumers.includes(stack)) {
      throw new Error(`stacks ${[...consumers, stack].join(" -> ")} read each other's outputs in a cycle; no order can plan them.`);
    }
    const file = stackFile(outdir, stack);
    if (!existsSync(file)) throw new Error(`stack ${stack}: ${file} does not exist; synthesize first or check the stack name.`);
    const config: Json = JSON.parse(readFileSync(file, "utf8"));

    const remoteStates: RemoteStateSource[] = [];
    const remoteFiles: Record<string, string> = {};
    for (const [name, producer] of Object.entries(remoteStateProducers(outdir, stack, config))) {
      const producerPlan = await this.planWithin(outdir, producer, states, [...consumers, stack]);
      const { outputs, placeholders } = plannedOutputs(producer, producerPlan.plan);
      remoteFiles[name] = this.outputsStateFile(outputs);
      remoteStates.push({ name, producer, producerHasState: producerPlan.stateFile !== undefined, placeholders });
    }

    const stateFile = states[stack];
    const stateText = stateFile === undefined ? "" : readState(stack, stateFile);
    const key = hash([canonicalJson(config), stateText, ...Object.entries(remoteFiles).sort().map(([n, f]) => `${n}=${readFileSync(f, "utf8")}`)]);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.run(file, key, stateText, remoteFiles);
      this.plans.set(key, plan);
    }
    return { stack, plan: await plan, stateFile, remoteStates };
  }

  private async run(file: string, key: string, stateText: string, remoteState: Record<string, string>): Promise<PlanJson> {
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
        return await workdir.plan();
      } finally {
        workdir.dispose();
      }
    } finally {
      this.release();
    }
  }

  private outputsStateFile(outputs: Record<string, unknown>): string {
    const file = path.join(this.scratch, `outputs-${hash([canonicalJson(outputs)])}.tfstate`);
    if (!existsSync(file)) writeOutputsState(file, outputs);
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

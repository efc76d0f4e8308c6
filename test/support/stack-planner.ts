/**
 * Plans of one environment's jitsi-matrix stack by real Terraform, with any configuration against any state: what
 * the runbook tests (docs/maintenance.md, docs/moving-to-rds.md) compare with their tables.
 */
import { writeFileSync } from "fs";
import * as path from "path";
import { formatState, parseState } from "../../tools/adoption/state-file";
import { EnvironmentInput, parseEnvironment } from "../../src/environments";
import { providerSchemas, providersKey, syntheticState } from "../../tools/review/synthetic-state";
import { STACK_FILE } from "../../tools/synthesize";
import { synthEnvironment } from "../environments/synth-environment";
import { PlanJson, TerraformState, TerraformWorkdir } from "./terraform";

type Json = Record<string, any>;

/** `state` with `desired_count` of `service` set to `count`, as `aws ecs update-service --desired-count` leaves it. */
export function withDesiredCount(state: string, service: string, count: number): string {
  const copy = structuredClone(parseState(state, "state")) as unknown as Json;
  const resource = (copy.resources as Json[]).find((r) => `${r.type}.${r.name}` === service);
  if (resource === undefined) throw new Error(`the state holds no ${service}`);
  resource.instances[0].attributes.desired_count = count;
  return formatState(copy as unknown as TerraformState as never);
}

export class StackPlanner {
  private workdir!: TerraformWorkdir;
  private readonly statePath: string;

  /**
   * @param environment the environment `config()` synthesizes when given no other
   * @param networkingState the state file of networking-<env> the stack's remote state reads
   * @param stackDir the directory of the stack's `cdk.tf.json` (its own provider requirements)
   */
  constructor(
    scratch: string,
    private readonly environment: EnvironmentInput,
    private readonly networkingState: string,
    private readonly stackDir: string,
  ) {
    this.statePath = path.join(scratch, `${environment.name}.tfstate`);
  }

  async init(): Promise<void> {
    writeFileSync(this.statePath, "");
    this.workdir = new TerraformWorkdir(this.stackDir, { statePath: this.statePath, remoteState: this.networkingState });
    await this.workdir.init();
  }

  /** The synthesized jitsi-matrix stack of `environment` (validation's warnings silenced). */
  config(options: { environment?: EnvironmentInput; postgresUpgrade?: boolean } = {}): Json {
    const environment = parseEnvironment(options.environment ?? this.environment, { onWarning: () => undefined });
    const stacks = synthEnvironment(environment, options.postgresUpgrade ? { postgresUpgrade: true } : undefined);
    return stacks.find((stack) => stack.name === `jitsi-matrix-${environment.name}`)!.json as Json;
  }

  async plan(config: Json, state: string): Promise<PlanJson> {
    writeFileSync(path.join(this.workdir.dir, STACK_FILE), JSON.stringify(config));
    writeFileSync(this.statePath, state);
    return this.workdir.plan();
  }

  /** The state `config` leaves once applied to an empty one, as `npm run review` synthesizes it. */
  async syntheticState(config: Json): Promise<string> {
    const plan = await this.plan(config, "");
    const schemas = await providerSchemas(providersKey(config, plan), this.workdir.dir);
    return JSON.stringify(syntheticState(plan, schemas, config), null, 2);
  }

  dispose(): void {
    this.workdir?.dispose();
  }
}

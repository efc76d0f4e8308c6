/** Synthesized stacks with the environment each belongs to, ready for `checkBaseline`. */
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import type { Environment } from "../../src/environments/environment";
import { BaselineEnvironment, StackUnderCheck } from "./checks";
import { SynthesizedStack, TerraformJson } from "./terraform-json";

/** Every stack of a synth output directory (`<outdir>/stacks/<name>/cdk.tf.json`), by name. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir)
    .sort()
    .filter((name) => existsSync(path.join(stacksDir, name, "cdk.tf.json")))
    .map((name) => ({
      name,
      json: JSON.parse(readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8")) as TerraformJson,
    }));
}

/** What the baseline needs of an environment; `production` defaults to true, as in `Environment`. */
export function baselineEnvironment(environment: Environment): BaselineEnvironment {
  return {
    name: environment.name,
    tags: environment.tags,
    production: environment.production ?? true,
    waivers: environment.waivers,
  };
}

/** The environment a stack belongs to: stacks are named `<kind>-<environment>`; the longest matching name wins. */
export function environmentOfStack(stackName: string, environments: readonly Environment[]): Environment | undefined {
  return environments
    .filter((environment) => stackName.endsWith(`-${environment.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** Stacks paired with their environment's context and the state bucket's name. */
export function stacksUnderCheck(
  stacks: readonly SynthesizedStack[],
  environments: readonly Environment[],
  stateBucket?: string,
): StackUnderCheck[] {
  const environmentOf = (stack: SynthesizedStack) => environmentOfStack(stack.name, environments);
  return stacks.map((stack) => {
    const environment = environmentOf(stack);
    return {
      ...stack,
      context: {
        environment: environment ? baselineEnvironment(environment) : undefined,
        stateBucket,
        environmentStacks: environment ? stacks.filter((other) => environmentOf(other) === environment) : [stack],
      },
    };
  });
}

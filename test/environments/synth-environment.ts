import { readFileSync } from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { readBackendSettings } from "../../src/backend";
import { SynthesizedStack, TerraformJson } from "../../tools/baseline";
import { EnvironmentInput } from "../../src/environments";
import { parsed } from "../support/environments";
import { addEnvironment } from "../../src/platform";

/** The stacks of one environment, parsed and synthesized as the app does (whole app, so cross-stack references are wired). */
export function synthEnvironment(environment: EnvironmentInput, context?: Record<string, unknown>): SynthesizedStack[] {
  const app = Testing.app({ context });
  const stacks = addEnvironment(app, parsed(environment), readBackendSettings());
  app.synth();
  return [stacks.networking, stacks.secrets, stacks.jitsiMatrix].map((stack) => ({
    name: stack.node.id,
    json: JSON.parse(readFileSync(path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8")) as TerraformJson,
  }));
}

/** The containers of a task definition of a stack, parsed. */
export function containersOf(stack: SynthesizedStack, taskDefinition: string): Record<string, unknown>[] {
  const task = stack.json.resource?.aws_ecs_task_definition?.[taskDefinition];
  if (task === undefined) throw new Error(`${stack.name} has no aws_ecs_task_definition.${taskDefinition}`);
  return JSON.parse(task.container_definitions as string) as Record<string, unknown>[];
}

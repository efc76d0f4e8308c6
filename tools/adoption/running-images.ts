/**
 * What the services of an environment run today, image by image, read from ECS with the AWS CLI
 * under the operator's credentials, and the environment lines that pin each floating tag to it
 * (`npm run adopt -- <env> --running-images`, docs/adopting-an-environment.md).
 */
import { spawnSync } from "child_process";
import { Environment } from "../../src/environments/environment";
import { floatingImageFields, MATRIX_IMAGE_CONTAINERS } from "../../src/environments/images";
import { IMAGE_DIGEST, tagName } from "../../src/modules/image-reference";

/** One container of a running task. */
export interface RunningContainer {
  readonly service: string;
  readonly container: string;
  readonly image: string;
  /** What ECS resolved the image to when the task started; absent for a task that never pulled. */
  readonly digest?: string;
}

/** A floating tag and what to write instead, or why there is nothing to write. */
export interface ImagePin {
  readonly field: string;
  /** `<tag>@sha256:…`, when every running task of the container agrees on one digest. */
  readonly value?: string;
  readonly problem?: string;
}

/** Runs `aws <args> --output json` and parses its answer. */
function awsJson(args: string[], region: string): any {
  const aws = process.env.AWS_CLI_BIN || "aws";
  const result = spawnSync(aws, [...args, "--region", region, "--output", "json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`cannot run ${aws} (${result.error.message}): install the AWS CLI (or set AWS_CLI_BIN), or read the digests in the ECS console (task, container, image digest)`);
  }
  if (result.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(" ")} failed (exit ${result.status}):\n${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

/** The containers of the running tasks of the environment's jitsi and matrix services. */
export function readRunningImages(env: Environment): RunningContainer[] {
  const cluster = env.cluster.name;
  const containers: RunningContainer[] = [];
  for (const service of [env.jitsi.serviceName, env.matrix.serviceName]) {
    const { taskArns } = awsJson(["ecs", "list-tasks", "--cluster", cluster, "--service-name", service, "--desired-status", "RUNNING"], env.region) as { taskArns: string[] };
    if (taskArns.length === 0) continue;
    const { tasks } = awsJson(["ecs", "describe-tasks", "--cluster", cluster, "--tasks", ...taskArns], env.region) as {
      tasks: { containers: { name: string; image: string; imageDigest?: string }[] }[];
    };
    for (const task of tasks) {
      for (const container of task.containers) {
        containers.push({ service, container: container.name, image: container.image, digest: container.imageDigest });
      }
    }
  }
  return containers;
}

/** For each floating tag of the matrix task, the pin to what its container runs today. */
export function imagePins(env: Environment, running: readonly RunningContainer[]): ImagePin[] {
  return floatingImageFields(env).map((field): ImagePin => {
    const container = MATRIX_IMAGE_CONTAINERS.find((name) => field === `matrix.imageTags.${name}`);
    if (container === undefined) return { field, problem: "names several images or none that runs now; give it a version tag" };
    const digests = [...new Set(running.filter((c) => c.service === env.matrix.serviceName && c.container === container).map((c) => c.digest ?? ""))];
    if (digests.length === 0) return { field, problem: `no running task of ${env.matrix.serviceName} has a ${container} container: start the service, or give the digest of the image that should run` };
    if (digests.some((digest) => !IMAGE_DIGEST.test(digest))) return { field, problem: `ECS shows no image digest for ${container}; give the digest of the image that should run` };
    if (digests.length > 1) return { field, problem: `the running tasks run different images (${digests.join(", ")}); pin the one that should run` };
    const tag = env.matrix.imageTags[container];
    return { field, value: `${tagName(tag)}@${digests[0]}` };
  });
}

/** The report `--running-images` prints: what runs, then what to write in the environment file. */
export function formatRunningImages(env: Environment, running: readonly RunningContainer[], pins: readonly ImagePin[]): string {
  const lines = [`running in ${env.cluster.name} (${env.region}):`];
  for (const c of running) lines.push(`  ${c.service}/${c.container}  ${c.image}  ${c.digest ?? "(no digest)"}`);
  if (running.length === 0) lines.push("  no running task");
  if (pins.length === 0) {
    lines.push(`no floating tag in environment ${env.name}: nothing to pin.`);
    return lines.join("\n");
  }
  lines.push(`pin these in src/environments/${env.name}.ts:`);
  for (const pin of pins) lines.push(pin.value ? `  ${pin.field}: ${JSON.stringify(pin.value)}` : `  ${pin.field}: cannot pin: ${pin.problem}`);
  return lines.join("\n");
}

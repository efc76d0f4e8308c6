/**
 * npm run adopt -- <env> --legacy-state <file|s3://bucket/key> [options]
 *
 * Carries a legacy environment's state over to its new stacks; see
 * docs/adopting-an-environment.md.
 */
import { parseArgs } from "util";
import { adopt, AdoptionRefused, DEFAULT_BACKUP_ROOT } from "./adopt";
import { LegacyStateError } from "./legacy-state";
import { formatRunningImages, imagePins, readRunningImages } from "./running-images";
import { parseBackendOverride } from "./state-store";
import { readBackendSettings } from "../../src/backend";
import { registryEnvironments } from "../registry";

const USAGE = `usage: npm run adopt -- <environment> --legacy-state <file|s3://bucket/key> [options]
       npm run adopt -- <environment> --running-images

Moves the legacy state of <environment> to the states of networking-<environment>
and jitsi-matrix-<environment>, after a backup. Touches no AWS resource. See
docs/adopting-an-environment.md.

options:
  --legacy-state <file|s3://bucket/key>  the legacy state (required); an S3 object is read with the AWS CLI
  --backup-dir <dir>                     where the backup folder goes (default ${DEFAULT_BACKUP_ROOT})
  --keep-secrets <dir>                   also prepare <dir>, outside the repository, where a plan of
                                         secrets-<environment> imports the legacy passwords
  --synth-dir <dir>                      synth output to read the stacks from (default cdktf.out)
  --backend-override local:<dir>         keep every S3 object as <dir>/<bucket>/<key> instead (rehearsals, tests)
  --dry-run                              check everything, say what would be written, write nothing
  --running-images                       print what the services run today, read from ECS with the AWS CLI, and the
                                         lines that pin each floating latest tag to it; reads nothing else, writes nothing
  --help`;

/** `npm run adopt -- <argv>`: parses the arguments, adopts, and returns the exit status. */
export function runAdoptCli(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "legacy-state": { type: "string" },
        "backup-dir": { type: "string" },
        "keep-secrets": { type: "string" },
        "synth-dir": { type: "string" },
        "backend-override": { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "running-images": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const environments = registryEnvironments("Nothing was read or written.");
  if (environments === undefined) return 2;
  const names = environments.map((e) => e.name);
  if (positionals.length !== 1) {
    console.error(`give exactly one environment (${names.join(" or ")}), got ${positionals.length}\n\n${USAGE}`);
    return 2;
  }
  const environment = environments.find((e) => e.name === positionals[0]);
  if (environment === undefined) {
    console.error(`environment ${JSON.stringify(positionals[0])} is not one of ${names.join(", ")} (src/environments/index.ts)`);
    return 2;
  }
  if (values["running-images"]) {
    try {
      const running = readRunningImages(environment);
      const pins = imagePins(environment, running);
      console.log(formatRunningImages(environment, running, pins));
      return pins.every((pin) => pin.value !== undefined) ? 0 : 1;
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
  }
  if (values["legacy-state"] === undefined) {
    console.error(`--legacy-state is required: the legacy state file, or s3://<bucket>/<key>\n\n${USAGE}`);
    return 2;
  }
  try {
    const report = adopt({
      environment,
      legacyState: values["legacy-state"],
      backend: readBackendSettings(),
      backupRoot: values["backup-dir"],
      keepSecretsDir: values["keep-secrets"],
      synthDir: values["synth-dir"],
      backendOverride: values["backend-override"] === undefined ? undefined : parseBackendOverride(values["backend-override"]),
      dryRun: values["dry-run"],
    });
    if (report.outcome === "adopted") {
      console.log(`next: plan networking-${environment.name} and jitsi-matrix-${environment.name} as docs/adopting-an-environment.md says.`);
    }
    return 0;
  } catch (error) {
    // Refusals are messages for the operator; anything else keeps its stack for a bug report.
    const expected = error instanceof LegacyStateError || error instanceof AdoptionRefused;
    console.error(expected ? (error as Error).message : error);
    return 1;
  }
}


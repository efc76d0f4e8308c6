/**
 * A content-addressed cache of `terraform show -json` of offline plans.
 *
 * An offline plan (`-refresh=false`, fake credentials, local states) is a function of its inputs
 * alone: the configuration files, the state it is planned against, the remote states it reads,
 * the provider builds the lock file pins, the terraform binary and the plan's arguments. The
 * tests and `npm run review` plan the same stack against the same state many times (a review
 * plans base and head, a second review of the same commit all of it again); with the cache each
 * distinct plan runs once per machine. Paths do not enter the key, contents do, so two
 * throwaway copies of one stack share an entry. A plan's JSON does record some paths (a remote
 * state's `config.path`, which the workdir's override points at a local file): an entry holds a
 * token in their place, and a hit gets the reading workdir's own paths back, so it is the JSON
 * that workdir's plan would have printed.
 *
 * Off unless asked for: a plan's JSON holds the values of sensitive attributes, and a real review's
 * plans must not stay on disk. `TERRAFORM_PLAN_CACHE=on` keeps it under the OS temp dir, beside the
 * shared plugin cache (so a fresh machine starts cold), `=<dir>` in that folder. The tests turn it on
 * (test/setup.ts): their states and secrets are fakes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Bump when what a cached entry holds changes shape. */
const CACHE_FORMAT = 2;

/** Files in a workdir that are not inputs of the plan, or whose inputs enter the key by content instead of by path. */
const NOT_INPUTS = new Set(['.terraform', '.terraform.tlock.info', 'terraform.tfrc', 'plan.tfplan', 'zz_backend_override.tf.json', 'zz_remote_state_override.tf.json']);

export interface PlanInputs {
  /** The workdir: every file in it but NOT_INPUTS is hashed, `.terraform.lock.hcl` included (it pins the provider builds). */
  readonly dir: string;
  /** The local backend's state file; absent means an empty state. */
  readonly statePath: string;
  /** Remote state name to its local state file. */
  readonly remoteStates: Readonly<Record<string, string>>;
  readonly terraformBinary: string;
  readonly args: readonly string[];
}

/** The cache folder, or undefined when the cache is off. */
export function planCacheDir(): string | undefined {
  const setting = process.env.TERRAFORM_PLAN_CACHE;
  if (!setting || setting === 'off') return undefined;
  const dir = setting === 'on' ? path.join(os.tmpdir(), `terraform-plan-cache-${process.getuid?.() ?? 'user'}`) : path.resolve(setting);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function planCacheKey(inputs: PlanInputs): string {
  const hash = createHash('sha256');
  const add = (label: string, content: string | Buffer) => {
    hash.update(`${label}\0${content.length}\0`);
    hash.update(content);
  };
  add('format', String(CACHE_FORMAT));
  const binary = fs.statSync(inputs.terraformBinary);
  add('terraform', `${path.resolve(inputs.terraformBinary)} ${binary.size} ${binary.mtimeMs}`);
  add('args', JSON.stringify(inputs.args));
  for (const file of inputFiles(inputs.dir)) add(`file ${file}`, fs.readFileSync(path.join(inputs.dir, file)));
  add('state', fs.existsSync(inputs.statePath) ? fs.readFileSync(inputs.statePath) : '');
  for (const name of Object.keys(inputs.remoteStates).sort()) add(`remote state ${name}`, fs.readFileSync(inputs.remoteStates[name]));
  for (const key of Object.keys(process.env).filter((k) => k.startsWith('TF_VAR_')).sort()) add(`env ${key}`, process.env[key] ?? '');
  return hash.digest('hex');
}

/** Workdir files, relative and sorted, without NOT_INPUTS and without the local state (hashed as `state`). */
function inputFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !NOT_INPUTS.has(entry.name) && !entry.name.endsWith('.tfstate') && !entry.name.endsWith('.tfstate.backup'))
    .flatMap((entry) => {
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? inputFiles(dir, relative) : [relative];
    })
    .sort();
}

/**
 * The paths of `inputs` as they appear inside a JSON string, each with the token an entry holds
 * instead, longest first (the workdir is a prefix of a state inside it). The tokens are raw `<...>`:
 * Terraform's JSON escapes `<` and `>` as `\u003c` and `\u003e`, so no value it prints can hold one.
 */
function pathTokens(inputs: PlanInputs): [string, string][] {
  const paths: [string, string][] = [
    ...Object.entries(inputs.remoteStates).map(([name, file]): [string, string] => [file, `<plan-cache:remote-state:${name}>`]),
    [inputs.statePath, '<plan-cache:state>'],
    [inputs.dir, '<plan-cache:workdir>'],
  ];
  return paths
    .map(([file, token]): [string, string] => [JSON.stringify(path.resolve(file)).slice(1, -1), token])
    .sort(([a], [b]) => b.length - a.length);
}

/** The cached `show -json` for `key`, with the paths of `inputs` in place of the tokens; undefined on a miss. */
export function readCachedPlan(cacheDir: string, key: string, inputs: PlanInputs): string | undefined {
  const file = path.join(cacheDir, `${key}.json`);
  if (!fs.existsSync(file)) return undefined;
  let json = fs.readFileSync(file, 'utf8');
  for (const [escaped, token] of pathTokens(inputs)) json = json.split(token).join(escaped);
  return json;
}

/** Stores `showJson` with tokens for the paths of `inputs`; written to a temp name and renamed, so a reader in another worker never sees half an entry. */
export function writeCachedPlan(cacheDir: string, key: string, showJson: string, inputs: PlanInputs): void {
  let json = showJson;
  for (const [escaped, token] of pathTokens(inputs)) json = json.split(escaped).join(token);
  const temp = path.join(cacheDir, `${key}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(temp, json);
  fs.renameSync(temp, path.join(cacheDir, `${key}.json`));
}

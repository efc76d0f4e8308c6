/**
 * Runs real Terraform, offline, against stacks synthesized by cdktf.
 *
 * A synthesized stack (`<outdir>/stacks/<name>/cdk.tf.json`) cannot be planned as is: its
 * backend is S3, its aws provider has no credentials, and its `terraform_remote_state` data
 * sources read S3. `TerraformWorkdir` copies the stack into a temp dir and adds
 * `*_override.tf.json` files that make it plannable without network access:
 *
 *   const net = path.join(tmp, 'networking.tfstate');
 *   writeOutputsState(net, { vpc_id: 'vpc-0abc', private_subnet_ids: ['subnet-a'] });
 *   const wd = new TerraformWorkdir('cdktf.out/stacks/jitsi-matrix-staging', { remoteState: { networking: net } });
 *   try { await wd.init(); expect(summarize(await wd.plan()).create).toBeGreaterThan(0); }
 *   finally { wd.dispose(); }
 *
 * Providers come from a filesystem mirror found by `findPluginMirror()`, else the registry;
 * `terraformAvailable` tries the registry once (a real `terraform init`) before it reports a
 * provider missing.
 * Tests wrap Terraform-backed cases in `describeIfTerraform` (test/support/terraform.ts, which
 * re-exports this module) so they skip, with the reason printed, where Terraform or the
 * providers are missing. Terraform commands take seconds: give tests a generous timeout.
 *
 * This lives in src/ because `npm run review`, `npm run drift` and `npm run bench` use it at
 * run time, not only the tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PlanInputs, planCacheDir, planCacheKey, readCachedPlan, writeCachedPlan } from './plan-cache';

// ---------------------------------------------------------------------------------------------
// Finding Terraform and its providers
// ---------------------------------------------------------------------------------------------

/** The terraform binary: `TERRAFORM_BIN` when set, else the first one on PATH. */
export function findTerraform(): string | undefined {
  const fromEnv = process.env.TERRAFORM_BIN;
  if (fromEnv) return isExecutableFile(fromEnv) ? path.resolve(fromEnv) : undefined;
  const binary = process.platform === 'win32' ? 'terraform.exe' : 'terraform';
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, binary))
    .find(isExecutableFile);
}

/** A mirror root holds `registry.terraform.io/<namespace>/<type>/...`. */
const MIRROR_MARKER = path.join('registry.terraform.io', 'hashicorp');
/** Deep enough for `/opt/<vendor>/<x>/registry.terraform.io`, shallow enough to scan /usr/lib fast. */
const MIRROR_SEARCH_DEPTH = 3;

/**
 * Where mirrors conventionally live: Terraform's own implied local mirror directories first,
 * then the system folders packagers and images put them in.
 */
export function defaultMirrorSearchRoots(): string[] {
  const home = os.homedir();
  const xdgData = process.env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  return [
    path.join(home, '.terraform.d', 'plugins'),
    path.join(xdgData, 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
    '/opt',
    '/usr/local/share',
    '/usr/share',
    '/usr/lib',
    '/var/lib',
  ];
}

/**
 * The provider mirror root (the parent of `registry.terraform.io`): `TF_PLUGIN_MIRROR` when
 * set (it must exist, a typo should not silently fall back to a search), else the first
 * directory at most MIRROR_SEARCH_DEPTH levels below one of `roots` (shallowest first)
 * that holds `registry.terraform.io/hashicorp`. Undefined when there is none.
 */
export function findPluginMirror(roots: readonly string[] = defaultMirrorSearchRoots()): string | undefined {
  const fromEnv = process.env.TF_PLUGIN_MIRROR;
  if (fromEnv) {
    if (!isDirectory(fromEnv)) throw new Error(`TF_PLUGIN_MIRROR=${fromEnv} is not a directory`);
    return path.resolve(fromEnv);
  }
  for (const root of roots) {
    const found = searchMirror(root);
    if (found) return found;
  }
  return undefined;
}

/** Breadth-first, so a mirror near the root wins over one buried in a vendor folder. */
function searchMirror(root: string): string | undefined {
  let level = [root];
  for (let depth = 0; depth <= MIRROR_SEARCH_DEPTH && level.length > 0; depth++) {
    const found = level.find((dir) => isDirectory(path.join(dir, MIRROR_MARKER)));
    if (found) return found;
    level = level.flatMap((dir) => subdirectories(dir).map((name) => path.join(dir, name)));
  }
  return undefined;
}

/**
 * Providers (`namespace/type`) the mirror can install on this machine, in either mirror
 * layout: unpacked `<version>/<os>_<arch>/` or packed `terraform-provider-<type>_<version>_<os>_<arch>.zip`.
 */
export function mirrorProviders(mirror: string): Set<string> {
  const registry = path.join(mirror, 'registry.terraform.io');
  const platform = terraformPlatform();
  const providers = new Set<string>();
  for (const namespace of subdirectories(registry)) {
    for (const type of subdirectories(path.join(registry, namespace))) {
      if (hasBuildFor(path.join(registry, namespace, type), type, platform)) providers.add(`${namespace}/${type}`);
    }
  }
  return providers;
}

function hasBuildFor(providerDir: string, type: string, platform: string): boolean {
  const entries = fs.readdirSync(providerDir);
  const unpacked = entries.some((version) => isDirectory(path.join(providerDir, version, platform)));
  const packed = entries.some((f) => f.startsWith(`terraform-provider-${type}_`) && f.endsWith(`_${platform}.zip`));
  return unpacked || packed;
}

/** This machine as Terraform names platforms (Go's GOOS_GOARCH), e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const goos: Record<string, string> = { win32: 'windows' };
  const goarch: Record<string, string> = { x64: 'amd64', ia32: '386' };
  return `${goos[process.platform] ?? process.platform}_${goarch[process.arch] ?? process.arch}`;
}

/** `aws`, `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` all name the same provider. */
function normalizeSource(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `hashicorp/${parts[0]}`;
  return parts.slice(-2).join('/');
}

/**
 * Provider versions the synthesized stacks pin (`required_providers`), as the cdktf provider
 * packages emit them; the registry probe asks for exactly these, so what it installs into the
 * shared plugin cache is what the stacks' own inits then use.
 */
export const PROVIDER_VERSIONS: Readonly<Record<string, string>> = { 'hashicorp/aws': '5.100.0', 'hashicorp/random': '3.7.2' };

/** Whether `terraform init` here can install `source` (e.g. `hashicorp/random`): from the mirror, else from the registry. */
export function providerAvailable(source: string): boolean {
  return terraformAvailable([source]).ok;
}

export type Availability = { ok: true } | { ok: false; reason: string };

/**
 * Whether Terraform tests needing `providers` can run here; `reason` is a sentence fit for a
 * skip message. Providers the plugin mirror (`TF_PLUGIN_MIRROR`, else discovered) holds count as
 * installable; the others are tried once against the registry with a real `terraform init`,
 * and only a failed init makes them unavailable, with that init's error as the reason.
 */
export function terraformAvailable(
  providers: readonly string[] = ['hashicorp/aws'],
  mirrorSearchRoots: readonly string[] = defaultMirrorSearchRoots(),
): Availability {
  if (!findTerraform()) {
    const bin = process.env.TERRAFORM_BIN;
    return { ok: false, reason: bin ? `TERRAFORM_BIN=${bin} is not an executable file.` : 'terraform is not on PATH (or set TERRAFORM_BIN).' };
  }
  if (providers.length === 0) return { ok: true };
  let mirror: string | undefined;
  try {
    mirror = findPluginMirror(mirrorSearchRoots);
  } catch (error) {
    return { ok: false, reason: `${(error as Error).message}.` };
  }
  const present = mirror ? mirrorProviders(mirror) : new Set<string>();
  const missing = [...new Set(providers.map(normalizeSource))].filter((p) => !present.has(p)).sort();
  if (missing.length === 0) return { ok: true };
  const probe = probeRegistry(missing, mirror);
  if (probe.ok) return probe;
  const where = mirror ? `the plugin mirror ${mirror} has no ${missing.join(', ')} for ${terraformPlatform()}` : 'no Terraform plugin mirror was found (set TF_PLUGIN_MIRROR)';
  return { ok: false, reason: `${where}, and installing ${missing.join(', ')} from the registry failed: ${probe.reason}` };
}

/** Probe results by mirror and providers: the registry is asked at most once per process for the same question. */
const registryProbes = new Map<string, Availability>();

/**
 * Runs `terraform init` of a config that needs only `providers`, with the CLI config every
 * workdir gets (`writeCliConfig`: the registry for whatever the mirror lacks), so the probe
 * fails exactly when a stack's init would. Synchronous because `describe` blocks are declared
 * synchronously; offline it fails in well under a second (the registry's name does not resolve).
 */
function probeRegistry(providers: readonly string[], mirror: string | undefined): Availability {
  const key = JSON.stringify([mirror ?? null, providers]);
  const cached = registryProbes.get(key);
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-registry-probe-'));
  // A successful probe writes the shared plugin cache, like any init: take the same lock.
  const lockFile = `${sharedPluginCacheDir()}.init.lock`;
  withFileLockSync(lockFile, 5 * 60_000);
  try {
    const required = Object.fromEntries(
      providers.map((source) => [source.split('/')[1], { source, ...(PROVIDER_VERSIONS[source] ? { version: PROVIDER_VERSIONS[source] } : {}) }]),
    );
    writeJson(path.join(dir, 'main.tf.json'), { terraform: { required_providers: required } });
    const result = spawnSync(findTerraform()!, ['init', '-input=false', '-no-color', '-backend=false'], {
      cwd: dir,
      env: terraformEnv(writeCliConfig(dir, mirror)),
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    const availability: Availability =
      result.status === 0
        ? { ok: true }
        : { ok: false, reason: firstError(`${result.stderr ?? ''}\n${result.stdout ?? ''}`) || (result.error?.message ?? `terraform init exited with ${result.status}`) };
    registryProbes.set(key, availability);
    return availability;
  } finally {
    fs.rmSync(lockFile, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `withFileLock`'s wait, for the synchronous probe: returns holding the lock; the caller removes it. */
function withFileLockSync(lockFile: string, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!tryCreateLock(lockFile)) {
    if (lockHolderIsDead(lockFile)) fs.rmSync(lockFile, { force: true });
    else if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockFile}`);
    else Atomics.wait(pause, 0, 0, 100 + Math.random() * 100);
  }
}

/** The `Error:` paragraph of Terraform's output, on one line, for a skip message. */
function firstError(output: string): string {
  const start = output.indexOf('Error:');
  const text = start >= 0 ? output.slice(start) : output;
  return text.split(/\n\s*\n/).slice(0, 2).join(' ').replace(/\s+/g, ' ').trim().slice(0, 600);
}

// ---------------------------------------------------------------------------------------------
// CLI configuration
// ---------------------------------------------------------------------------------------------

/** One cache for all workdirs and jest workers, so the 700 MB aws provider is linked, never copied per test. */
function sharedPluginCacheDir(): string {
  const dir = path.join(os.tmpdir(), `terraform-plugin-cache-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Writes `<dir>/terraform.tfrc` and returns its path. With a mirror, the providers it holds
 * are installed only from it and everything else from the registry; without one (or with an
 * empty one), everything comes from the registry.
 *
 * `plugin_cache_may_break_dependency_lock_file`: without it Terraform (>= 1.4) distrusts a
 * cache entry missing from the workdir's lock file, which a fresh workdir never has, and
 * re-creates the entry on every init, under the feet of plans running in other workers.
 * With it, only the first init writes the cache. Checkpoint calls are network calls.
 */
export function writeCliConfig(dir: string, mirror?: string): string {
  const providers = mirror ? [...mirrorProviders(mirror)].sort() : [];
  const lines = [
    `plugin_cache_dir = ${hclString(sharedPluginCacheDir())}`,
    'plugin_cache_may_break_dependency_lock_file = true',
    'disable_checkpoint = true',
    'provider_installation {',
    ...installationMethods(mirror, providers),
    '}',
  ];
  const file = path.join(dir, 'terraform.tfrc');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function installationMethods(mirror: string | undefined, providers: string[]): string[] {
  if (!mirror || providers.length === 0) return ['  direct {}'];
  const list = `[${providers.map(hclString).join(', ')}]`;
  return [
    '  filesystem_mirror {',
    `    path    = ${hclString(mirror)}`,
    `    include = ${list}`,
    '  }',
    '  direct {',
    `    exclude = ${list}`,
    '  }',
  ];
}

/** JSON string escapes are valid HCL; template sequences are not literal in HCL and need doubling. */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

// ---------------------------------------------------------------------------------------------
// Running terraform
// ---------------------------------------------------------------------------------------------

/** A failed terraform command, with everything needed to read the failure in a test report. */
export class TerraformError extends Error {
  constructor(
    readonly command: string,
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    signal: NodeJS.Signals | null,
  ) {
    const status = exitCode === null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(`\`${command}\` in ${cwd} ${status}\n--- stderr ---\n${tail(stderr)}\n--- stdout ---\n${tail(stdout)}`);
    this.name = 'TerraformError';
  }
}

/** Plan output can run to megabytes; the error is at the end. */
function tail(text: string, max = 8000): string {
  return text.length <= max ? text : `[... ${text.length - max} characters cut ...]\n${text.slice(-max)}`;
}

/**
 * Inherited variables that would make runs share or redirect state (TF_DATA_DIR, TF_WORKSPACE),
 * inject arguments (TF_CLI_ARGS*) or bypass the CLI config's plugin cache settings.
 */
const NON_HERMETIC_ENV = /^(TF_DATA_DIR|TF_WORKSPACE|TF_CLI_ARGS.*|TF_PLUGIN_CACHE_.*)$/;

export function terraformEnv(cliConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!NON_HERMETIC_ENV.test(key)) env[key] = value;
  return { ...env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
}

interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

function runTerraform(args: string[], options: RunOptions): Promise<string> {
  const terraform = findTerraform();
  if (!terraform) return Promise.reject(new Error('terraform binary not found on PATH or in TERRAFORM_BIN'));
  const command = ['terraform', ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(terraform, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString();
      if (code === 0) resolve(out);
      else reject(new TerraformError(command, options.cwd, code, out, Buffer.concat(stderr).toString(), signal));
    });
  });
}

/**
 * Serializes `terraform init` across jest workers. The plugin cache is not safe for concurrent
 * writers (hashicorp/terraform#31964: "text file busy", half-written entries), and init is the
 * only command that writes it. Seeding each workdir with a `.terraform.lock.hcl` would also
 * keep init from writing, but needs every provider's hash computed ahead; a lock around init
 * (well under a second with a warm cache) is simpler. A lock left by a dead process is taken over.
 */
async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryCreateLock(lockFile)) {
    if (lockHolderIsDead(lockFile)) fs.rmSync(lockFile, { force: true });
    else if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${lockFile}`);
    else await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function tryCreateLock(lockFile: string): boolean {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function lockHolderIsDead(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  // An empty file is a holder between creating and writing the lock: alive.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// ---------------------------------------------------------------------------------------------
// Workdir
// ---------------------------------------------------------------------------------------------

export interface WorkdirOptions {
  /** Local backend state file; default `terraform.tfstate` in the workdir. Point it at an existing state to plan changes against it. */
  statePath?: string;
  /**
   * State files for the stack's `data.terraform_remote_state.*` (typically made with
   * `writeOutputsState`): one file for all of them, or one per remote-state name.
   */
  remoteState?: string | Record<string, string>;
  /** Per terraform command; default 5 minutes. */
  timeoutMs?: number;
}

/** Fake static credentials and no calls to STS or the instance metadata service, so the aws provider configures offline. */
const OFFLINE_AWS_SETTINGS = {
  access_key: 'AKIAOFFLINETESTING00',
  secret_key: 'offline-testing-secret-key',
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
};
/** Credential sources a stack may set that would override or fail next to static keys; null unsets an argument in an override. */
const CREDENTIAL_SOURCES = ['profile', 'token', 'shared_config_files', 'shared_credentials_files'];

type Json = Record<string, any>;

/**
 * A throwaway copy of one synthesized stack, with override files that switch the backend to
 * local, give the aws provider(s) offline settings and point remote state at local files.
 * The stack's own files are never touched. Call `init()` first; `dispose()` removes the copy.
 */
export class TerraformWorkdir {
  /** The temp dir terraform runs in. */
  readonly dir: string;
  /** Absolute path of the local backend's state file. */
  readonly statePath: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly remoteStatesWithoutFile: string[];
  private readonly remoteStates: Record<string, string>;

  /** `stack` is a synthesized stack dir (`<outdir>/stacks/<name>`) or its `cdk.tf.json`. */
  constructor(stack: string, options: WorkdirOptions = {}) {
    const source = isDirectory(stack) ? path.join(stack, 'cdk.tf.json') : stack;
    const config: Json = JSON.parse(fs.readFileSync(source, 'utf8'));
    const remoteStates = remoteStateFiles(config, options.remoteState);
    this.remoteStates = remoteStates;
    const mirror = findPluginMirror();
    this.remoteStatesWithoutFile = Object.keys(config.data?.terraform_remote_state ?? {}).filter(
      (name) => config.data.terraform_remote_state[name].backend !== 'local' && !remoteStates[name],
    );
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `tf-${path.basename(path.dirname(path.resolve(source)))}-`));
    this.statePath = path.resolve(options.statePath ?? path.join(this.dir, 'terraform.tfstate'));
    this.timeoutMs = options.timeoutMs ?? 5 * 60_000;
    copyStack(source, this.dir);
    writeJson(path.join(this.dir, 'zz_backend_override.tf.json'), { terraform: { backend: { local: { path: this.statePath } } } });
    const providers = awsProviderOverrides(config);
    if (providers.length > 0) writeJson(path.join(this.dir, 'zz_provider_override.tf.json'), { provider: { aws: providers } });
    if (Object.keys(remoteStates).length > 0) {
      writeJson(path.join(this.dir, 'zz_remote_state_override.tf.json'), { data: { terraform_remote_state: remoteStateOverrides(remoteStates) } });
    }
    this.env = terraformEnv(writeCliConfig(this.dir, mirror));
  }

  async init(): Promise<void> {
    const lockFile = `${sharedPluginCacheDir()}.init.lock`;
    await withFileLock(lockFile, this.timeoutMs, () => this.run(['init', '-input=false', '-no-color']));
  }

  async validate(): Promise<void> {
    await this.run(['validate', '-no-color']);
  }

  /**
   * Plans without refreshing (no cloud reads) and returns `terraform show -json` of the plan. With
   * `TERRAFORM_PLAN_CACHE` set, a plan whose inputs were planned before on this machine comes from
   * the plan cache (terraform-plan-cache.ts), and then no plan file is written: pass `planFile: true`
   * to run Terraform regardless and keep `plan.tfplan` in the workdir (for `graph -plan`, `apply`).
   */
  async plan(options: { planFile?: boolean } = {}): Promise<PlanJson> {
    if (this.remoteStatesWithoutFile.length > 0) {
      throw new Error(
        `the stack reads remote state ${this.remoteStatesWithoutFile.join(', ')} from S3; pass a state file for it in options.remoteState`,
      );
    }
    const planFile = path.join(this.dir, 'plan.tfplan');
    fs.rmSync(planFile, { force: true });
    const args = ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color'];
    const terraform = findTerraform();
    const cacheDir = terraform ? planCacheDir() : undefined;
    const inputs: PlanInputs = { dir: this.dir, statePath: this.statePath, remoteStates: this.remoteStates, terraformBinary: terraform!, args };
    const key = cacheDir && planCacheKey(inputs);
    const cached = cacheDir && key && !options.planFile ? readCachedPlan(cacheDir, key, inputs) : undefined;
    if (cached !== undefined) return JSON.parse(cached) as PlanJson;
    await this.run([...args, `-out=${planFile}`]);
    const showJson = await this.run(['show', '-json', planFile]);
    if (cacheDir && key) writeCachedPlan(cacheDir, key, showJson, inputs);
    return JSON.parse(showJson) as PlanJson;
  }

  /** The local backend's state, or undefined while nothing has written one (plan does not). */
  state(): TerraformState | undefined {
    if (!fs.existsSync(this.statePath)) return undefined;
    return JSON.parse(fs.readFileSync(this.statePath, 'utf8')) as TerraformState;
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private run(args: string[]): Promise<string> {
    return runTerraform(args, { cwd: this.dir, env: this.env, timeoutMs: this.timeoutMs });
  }
}

/** cdk.tf.json plus `assets/`, where cdktf puts files (TerraformAsset) the stack references by relative path. */
function copyStack(source: string, dir: string): void {
  fs.copyFileSync(source, path.join(dir, 'cdk.tf.json'));
  const assets = path.join(path.dirname(source), 'assets');
  if (isDirectory(assets)) fs.cpSync(assets, path.join(dir, 'assets'), { recursive: true });
}

/**
 * One override per aws provider block, matched by alias (an override without alias only
 * reaches the default block). Arguments merge one by one, so region and default_tags stay.
 * A nested block in an override replaces all the base's blocks of that type, which is the
 * only way to neutralize assume_role: an empty list leaves them in place, and an empty
 * role_arn makes the provider skip the role.
 */
function awsProviderOverrides(config: Json): Json[] {
  const aws = config.provider?.aws;
  const blocks: Json[] = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
  return blocks.map((block) => {
    const override: Json = { ...(block.alias ? { alias: block.alias } : {}), ...OFFLINE_AWS_SETTINGS };
    for (const name of CREDENTIAL_SOURCES) if (name in block) override[name] = null;
    if ('assume_role' in block) override.assume_role = [{ role_arn: '' }];
    return override;
  });
}

/** Resolves `remoteState` to absolute files per remote-state name, refusing names the stack does not read. */
function remoteStateFiles(config: Json, remoteState: WorkdirOptions['remoteState']): Record<string, string> {
  const names = Object.keys(config.data?.terraform_remote_state ?? {});
  if (remoteState === undefined) return {};
  if (typeof remoteState === 'string') return Object.fromEntries(names.map((name) => [name, path.resolve(remoteState)]));
  const unknown = Object.keys(remoteState).filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`the stack has no terraform_remote_state ${unknown.join(', ')} (it has: ${names.join(', ') || 'none'})`);
  return Object.fromEntries(Object.entries(remoteState).map(([name, file]) => [name, path.resolve(file)]));
}

/**
 * Replaces backend and config argument by argument; `workspace` (cdktf sets
 * `${terraform.workspace}`, i.e. "default" here) stays, and the local backend reads `path`
 * as is for the default workspace.
 */
function remoteStateOverrides(files: Record<string, string>): Json {
  return Object.fromEntries(Object.entries(files).map(([name, file]) => [name, { backend: 'local', config: { path: file } }]));
}

// ---------------------------------------------------------------------------------------------
// State files
// ---------------------------------------------------------------------------------------------

/** The parts of a version 4 state file tests look at. */
export interface TerraformState {
  version: number;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, { value: unknown; type: unknown; sensitive?: boolean }>;
  resources: Json[];
}

/** An `output` block of a synthesized stack, as far as the state of its outputs depends on it. */
export interface ProducerOutput {
  readonly value: unknown;
  readonly sensitive?: boolean;
}

/**
 * Writes a state file holding only root outputs, as a first-phase stack (networking) leaves
 * for `terraform_remote_state` readers. The recorded Terraform version is old on purpose:
 * Terraform refuses state written by a newer version than itself.
 *
 * Given the producer stack's `output` blocks (`cdk.tf.json`'s `output`), each output is
 * recorded as a real apply would record it: `sensitive` as its block says, and a list
 * written as a JSON array of expressions (`["${a.id}", "${b.id}"]`) as the tuple Terraform
 * evaluates it to; an output the producer does not declare is an error. Without them, types
 * are inferred from the values (`ctyType`) and nothing is sensitive.
 */
export function writeOutputsState(
  file: string,
  outputs: Record<string, unknown>,
  producerOutputs?: Readonly<Record<string, ProducerOutput>>,
): void {
  const entry = (name: string, value: unknown): TerraformState['outputs'][string] => {
    if (!producerOutputs) return { value, type: ctyType(value, name) };
    const block = producerOutputs[name];
    if (!block) throw new Error(`output ${name} is not declared by the producer stack (it declares: ${Object.keys(producerOutputs).join(', ') || 'none'})`);
    const type = Array.isArray(block.value) && Array.isArray(value) ? ['tuple', value.map((v, i) => ctyType(v, `${name}[${i}]`))] : ctyType(value, name);
    return { value, type, ...(block.sensitive ? { sensitive: true } : {}) };
  };
  const recorded = Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, entry(name, value)]));
  const state: TerraformState = {
    version: 4,
    terraform_version: '1.0.0',
    serial: 1,
    // From the content, so the same outputs make the same file byte for byte.
    lineage: deterministicUuid(JSON.stringify(recorded)),
    outputs: recorded,
    resources: [],
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeJson(file, state);
}

/** A version 4 UUID made from `seed`: the same input gives the same state, byte for byte. */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The type Terraform records for a JSON value: arrays of one element type are lists (as an
 * output of `aws_subnet.x[*].id` would be), other arrays tuples, and objects objects.
 */
function ctyType(value: unknown, where: string): unknown {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(value)) {
    const elements = value.map((element, i) => ctyType(element, `${where}[${i}]`));
    const distinct = new Set(elements.map((t) => JSON.stringify(t)));
    if (distinct.size === 0) return ['list', 'string'];
    return distinct.size === 1 ? ['list', elements[0]] : ['tuple', elements];
  }
  if (value !== null && typeof value === 'object') {
    return ['object', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ctyType(v, `${where}.${k}`)]))];
  }
  throw new Error(`output ${where} is ${value}: Terraform state holds no null or undefined outputs`);
}

// ---------------------------------------------------------------------------------------------
// Plan JSON
// ---------------------------------------------------------------------------------------------

export type PlanAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface PlanChange {
  actions: PlanAction[];
  before: unknown;
  after: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  /** Attribute paths whose change forces the replacement, e.g. `[["name"]]`. */
  replace_paths?: Array<Array<string | number>>;
  /** Set when the plan imports the resource (an `import` block). */
  importing?: { id?: string; identity?: unknown };
}

export interface PlanResourceChange {
  address: string;
  previous_address?: string;
  module_address?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  provider_name: string;
  action_reason?: string;
  change: PlanChange;
}

/** The parts of `terraform show -json <plan>` tests look at. */
export interface PlanJson {
  format_version: string;
  terraform_version: string;
  /** When the plan was made; a plan from the plan cache keeps the time of the plan that filled the entry. */
  timestamp?: string;
  resource_changes?: PlanResourceChange[];
  output_changes?: Record<string, PlanChange>;
  /** Values after the plan; an output's `value` is absent while it is unknown. */
  planned_values?: { outputs?: Record<string, { sensitive: boolean; value?: unknown; type?: unknown }> };
  configuration?: {
    provider_config?: Record<string, { name: string; alias?: string; expressions?: Json }>;
    root_module?: { resources?: Array<{ address: string; mode: string; type: string; name: string; expressions?: Json }> };
  };
}

export interface ResourceChange {
  address: string;
  /** Set when a `moved` block renamed the resource. */
  previousAddress?: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  actions: PlanAction[];
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
}

export function resourceChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).map((rc) => ({
    address: rc.address,
    previousAddress: rc.previous_address,
    mode: rc.mode,
    type: rc.type,
    name: rc.name,
    actions: rc.change.actions,
    before: rc.change.before,
    after: rc.change.after,
    afterUnknown: rc.change.after_unknown,
  }));
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  noop: number;
  read: number;
  forget: number;
  /** Resources with a previous address; they are also counted under their action. */
  move: number;
}

export function summarize(plan: PlanJson): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, noop: 0, read: 0, forget: 0, move: 0 };
  for (const change of resourceChanges(plan)) {
    summary[actionKind(change.actions)]++;
    if (change.previousAddress) summary.move++;
  }
  return summary;
}

function actionKind(actions: PlanAction[]): Exclude<keyof PlanSummary, 'move'> {
  const key = actions.join(',');
  switch (key) {
    case 'create':
    case 'update':
    case 'delete':
    case 'read':
    case 'forget':
      return key;
    case 'no-op':
      return 'noop';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      throw new Error(`unknown plan actions [${key}]`);
  }
}

// ---------------------------------------------------------------------------------------------
// File helpers
// ---------------------------------------------------------------------------------------------

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // missing, a file on the way (ENOTDIR), or unreadable
  }
}

function isExecutableFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Sorted for a deterministic search; symlinks are followed (mirrors are often linked trees, and the search depth bounds loops); unreadable dirs are skipped. */
function subdirectories(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path.join(dir, entry.name))))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** A throwaway, offline-plannable copy of one synthesized stack. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { sharedPluginCacheDir, terraformEnv, writeCliConfig } from './cli-config';
import { findPluginMirror, findTerraform } from './discovery';
import { withFileLock } from './file-lock';
import { Json, isDirectory, writeJson } from './files';
import { TerraformState } from './outputs-state';
import { PlanJson } from './plan-json';
import { runTerraform } from './run';
import { PlanInputs, planCacheDir, planCacheKey, readCachedPlan, writeCachedPlan } from './plan-cache';

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
  /** Run the mirror's provider builds through development overrides (`writeCliConfig`). @default devOverridesWanted() */
  devOverrides?: boolean;
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
    this.env = terraformEnv(writeCliConfig(this.dir, mirror, { devOverrides: options.devOverrides }));
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

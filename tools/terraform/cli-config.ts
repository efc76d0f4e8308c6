/** The CLI configuration each run uses (mirror first, shared plugin cache) and the hermetic environment around it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { mirrorProviders, unpackedProviderDir } from './discovery';
import { PROVIDER_VERSIONS } from './provider-versions';

/** One cache for all workdirs and jest workers, so the 700 MB aws provider is linked, never copied per test. */
export function sharedPluginCacheDir(): string {
  const dir = path.join(os.tmpdir(), `terraform-plugin-cache-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Whether Terraform runs the mirror's provider builds through development overrides
 * (`TERRAFORM_DEV_OVERRIDES=on`), as the tests do (test/setup.ts); off unless asked for, so what
 * `npm run review` and `npm run drift` run for operators is Terraform's ordinary installation.
 */
export function devOverridesWanted(): boolean {
  return process.env.TERRAFORM_DEV_OVERRIDES === 'on';
}

/**
 * Writes `<dir>/terraform.tfrc` and returns its path. With a mirror, the providers it holds
 * are installed only from it and everything else from the registry; without one (or with an
 * empty one), everything comes from the registry.
 *
 * With `devOverrides` (default `devOverridesWanted()`), every pinned provider the mirror holds unpacked also gets a
 * `dev_overrides` entry that names that build's directory: `init` still installs it from the mirror (the lock
 * file's checksums proven as before), and every later command (plan, show, validate, apply) starts the same binary
 * without checking its 700 MB against the lock file, about half a second of each (README, "Speed"). Terraform warns
 * that overrides are in force, in its human output only: `show -json` stays plain JSON.
 *
 * `plugin_cache_may_break_dependency_lock_file`: without it Terraform (>= 1.4) distrusts a
 * cache entry missing from the workdir's lock file, which a fresh workdir never has, and
 * re-creates the entry on every init, under the feet of plans running in other workers.
 * With it, only the first init writes the cache. Checkpoint calls are network calls.
 */
export function writeCliConfig(dir: string, mirror?: string, options: { devOverrides?: boolean } = {}): string {
  const providers = mirror ? [...mirrorProviders(mirror)].sort() : [];
  const overrides = mirror && (options.devOverrides ?? devOverridesWanted()) ? devOverrides(mirror, providers) : [];
  const lines = [
    `plugin_cache_dir = ${hclString(sharedPluginCacheDir())}`,
    'plugin_cache_may_break_dependency_lock_file = true',
    'disable_checkpoint = true',
    'provider_installation {',
    ...(overrides.length > 0 ? ['  dev_overrides {', ...overrides, '  }'] : []),
    ...installationMethods(mirror, providers),
    '}',
  ];
  const file = path.join(dir, 'terraform.tfrc');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** An override names a directory for every version: only the pinned version's build may stand there. */
function devOverrides(mirror: string, providers: readonly string[]): string[] {
  return providers.flatMap((source) => {
    const version = PROVIDER_VERSIONS[source];
    const dir = version === undefined ? undefined : unpackedProviderDir(mirror, source, version);
    return dir === undefined ? [] : [`    ${hclString(source)} = ${hclString(dir)}`];
  });
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

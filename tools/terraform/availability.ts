/** Whether Terraform and the providers a check needs can run here: from the mirror, else the registry, tried once. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedPluginCacheDir, terraformEnv, writeCliConfig } from './cli-config';
import { defaultMirrorSearchRoots, findPluginMirror, findTerraform, mirrorProviders, terraformPlatform } from './discovery';
import { withFileLockSync } from './file-lock';
import { writeJson } from './files';

/** `aws`, `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` all name the same provider. */
function normalizeSource(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `hashicorp/${parts[0]}`;
  return parts.slice(-2).join('/');
}

import { PROVIDER_VERSIONS } from './provider-versions';

export { PROVIDER_VERSIONS };

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

/** The `Error:` paragraph of Terraform's output, on one line, for a skip message. */
function firstError(output: string): string {
  const start = output.indexOf('Error:');
  const text = start >= 0 ? output.slice(start) : output;
  return text.split(/\n\s*\n/).slice(0, 2).join(' ').replace(/\s+/g, ' ').trim().slice(0, 600);
}

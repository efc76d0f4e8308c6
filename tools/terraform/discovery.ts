/** Where Terraform and its providers are: the binary and the plugin mirror, and what the mirror holds for this platform. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { isDirectory, isExecutableFile, subdirectories } from './files';

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

/**
 * The directory of the mirror's unpacked build of `source` (`namespace/type`) at `version` for this machine, which
 * holds the provider binary; undefined when the mirror has it only packed, or not at all.
 */
export function unpackedProviderDir(mirror: string, source: string, version: string): string | undefined {
  const dir = path.join(mirror, 'registry.terraform.io', ...source.split('/'), version, terraformPlatform());
  const type = source.split('/')[1];
  return isDirectory(dir) && fs.readdirSync(dir).some((file) => file.startsWith(`terraform-provider-${type}_`)) ? dir : undefined;
}

/** This machine as Terraform names platforms (Go's GOOS_GOARCH), e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const goos: Record<string, string> = { win32: 'windows' };
  const goarch: Record<string, string> = { x64: 'amd64', ia32: '386' };
  return `${goos[process.platform] ?? process.platform}_${goarch[process.arch] ?? process.arch}`;
}

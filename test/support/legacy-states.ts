import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { splitLegacyState } from "../../tools/adoption/legacy-state";
import { formatState, managedInstances, parseState, StateFile } from "../../tools/adoption/state-file";
import { CHECKED_IN_OUTDIR, STACK_FILE } from "../../tools/synthesize";
import { LEGACY_STAGING_STATE } from "./legacy-fixtures";
import { staging } from "./environments";

export { LEGACY_STAGING_STATE };

/**
 * The legacy staging state as the new stacks hold it once adopted and the
 * moves applied: the adoption's own split (`splitLegacyState`), with every
 * jitsi-matrix instance taken on to its final address. A state holding
 * real-looking resources, so that a plan can show replacements and in-place updates.
 */
export function adoptedStagingStates(dir: string): { networking: string; jitsiMatrix: string } {
  const legacy = parseState(readFileSync(LEGACY_STAGING_STATE, "utf8"), LEGACY_STAGING_STATE);
  const networkingSynth = JSON.parse(readFileSync(path.join(CHECKED_IN_OUTDIR, "stacks", "networking-staging", STACK_FILE), "utf8"));
  const split = splitLegacyState(legacy, staging, networkingSynth);
  const finalAddress = new Map(split.instances.map((instance) => [instance.writtenAddress, instance.finalAddress]));

  const moved: StateFile = {
    ...split.jitsiMatrix,
    resources: managedInstances(split.jitsiMatrix).map(({ address, resource, instance }) => {
      const [type, name] = finalAddress.get(address)!.split(".");
      const { index_key: _key, ...atRoot } = instance;
      return { mode: resource.mode, type, name, provider: resource.provider, instances: [atRoot] };
    }),
  };

  mkdirSync(dir, { recursive: true });
  const write = (name: string, state: StateFile): string => {
    const file = path.join(dir, `${name}.tfstate`);
    writeFileSync(file, formatState(state));
    return file;
  };
  return { networking: write("networking", split.networking), jitsiMatrix: write("jitsiMatrix", moved) };
}

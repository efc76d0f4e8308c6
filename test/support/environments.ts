/**
 * The registry's environments parsed, as the app hands them to the stacks and tools
 * (`parseEnvironments`): every default resolved. Tests that build stacks or run tools take these;
 * tests of validation take the files' inputs.
 */
import { Environment, ENVIRONMENTS, parseEnvironment, parseEnvironments } from "../../src/environments";
import { dev as devInput } from "../../src/environments/dev";
import { production as productionInput } from "../../src/environments/production";
import { staging as stagingInput } from "../../src/environments/staging";

/** An environment as `parseEnvironments` returns it; its warnings are validation's tests' concern. */
export const parsed = (input: unknown): Environment => parseEnvironment(input, { onWarning: () => undefined });

export const staging = parsed(stagingInput);
export const production = parsed(productionInput);
export const dev = parsed(devInput);

/** The registry, parsed as `main.ts` parses it. */
export const PARSED_ENVIRONMENTS = parseEnvironments(ENVIRONMENTS, { onWarning: () => undefined });

/** Made-up digests of what production's floating containers run, as ECS would show them. */
export const RUNNING_DIGESTS = {
  synapse: `sha256:${"1".repeat(64)}`,
  element: `sha256:${"2".repeat(64)}`,
  redis: `sha256:${"3".repeat(64)}`,
} as const;

/** Production after its operators pinned its `latest` tags to what runs (docs/adopting-an-environment.md, "Pin what runs today"). */
export const pinnedProductionInput = (() => {
  const { "pinned-image-tags": _pinned, ...waivers } = productionInput.waivers ?? {};
  const tags = productionInput.matrix.imageTags;
  return {
    ...productionInput,
    matrix: {
      ...productionInput.matrix,
      imageTags: { ...tags, synapse: `latest@${RUNNING_DIGESTS.synapse}`, element: `latest@${RUNNING_DIGESTS.element}`, redis: `latest@${RUNNING_DIGESTS.redis}` },
    },
    waivers,
  };
})();
export const pinnedProduction = parsed(pinnedProductionInput);

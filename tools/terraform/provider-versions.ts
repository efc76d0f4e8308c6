/**
 * Provider versions the synthesized stacks pin (`required_providers`), as the cdktf provider
 * packages emit them; the registry probe asks for exactly these, so what it installs into the
 * shared plugin cache is what the stacks' own inits then use, and a development override
 * (`cli-config.ts`) points at exactly this build in the mirror.
 */
export const PROVIDER_VERSIONS: Readonly<Record<string, string>> = { 'hashicorp/aws': '5.100.0', 'hashicorp/random': '3.7.2' };

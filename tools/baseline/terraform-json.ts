/** Reading synthesized Terraform JSON (`cdk.tf.json`) the way the baseline needs it. */

/** Attributes of one resource or provider block, as synthesized. */
export type Block = Readonly<Record<string, unknown>>;

/** The parts of a synthesized stack the baseline reads. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Block>>>>;
  readonly provider?: Readonly<Record<string, readonly Block[]>>;
  readonly terraform?: {
    readonly backend?: Readonly<Record<string, Block>>;
  };
  readonly [key: string]: unknown;
}

/** One synthesized stack: its name (`jitsi-matrix-staging`) and its JSON. */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: TerraformJson;
}

/** A resource of a stack with its address `type.name`. */
export interface AddressedResource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly block: Block;
}

/** Every resource of the given types, in the order the JSON lists them. */
export function resourcesOfType(json: TerraformJson, ...types: string[]): AddressedResource[] {
  return types.flatMap((type) =>
    Object.entries(json.resource?.[type] ?? {}).map(([name, block]) => ({ type, name, address: `${type}.${name}`, block })),
  );
}

/** Every resource of the stack. */
export function allResources(json: TerraformJson): AddressedResource[] {
  return resourcesOfType(json, ...Object.keys(json.resource ?? {}));
}

/**
 * A nested block as a list: cdktf renders a block that may repeat as an array
 * and a single block as an object; either way the caller gets a list.
 */
export function blocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter(isBlock);
  return isBlock(value) ? [value] : [];
}

export function isBlock(value: unknown): value is Block {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Strings of a list attribute; anything else (a token, nothing) gives an empty list. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * The resource addresses a value refers to: `"${aws_security_group.alb_sg.id}"`
 * refers to `aws_security_group.alb_sg`.
 */
export function referencedAddresses(value: unknown): string[] {
  const texts = typeof value === "string" ? [value] : strings(value);
  const found: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.[^}]*)?\}/g)) {
      found.push(`${match[1]}.${match[2]}`);
    }
  }
  return found;
}

/** Whether a value is a Terraform expression (a reference or function call) rather than a literal. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** A port attribute as a number (synthesized JSON may hold numbers or numeric strings). */
export function portNumber(value: unknown): number | undefined {
  const port = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof port === "number" && Number.isInteger(port) ? port : undefined;
}

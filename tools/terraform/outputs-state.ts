/** State files made by hand: the outputs a stack's `terraform_remote_state` reads. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Json, writeJson } from './files';

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

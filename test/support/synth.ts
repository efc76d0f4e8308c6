import { Testing } from "cdktf";
import { Construct } from "constructs";
import { AddressedStack } from "../../src/stacks/addressed-stack";

/** Synthesized Terraform JSON of one stack. */
export type StackJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown>;
  moved?: { from: string; to: string }[];
  [key: string]: unknown;
};

/** Builds constructs in a fresh stack with this project's addressing and returns the stack's JSON as string and object. */
export function synthConstructs(build: (scope: Construct) => void): { text: string; json: StackJson } {
  const app = Testing.app();
  const stack = new AddressedStack(app, "test");
  build(stack);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as StackJson };
}

/** Every resource of a type, keyed by its Terraform name. */
export function resourcesOf(json: StackJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The one resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: StackJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) {
    throw new Error(`expected one ${type}, found ${all.length}`);
  }
  return all[0];
}

/** All Terraform addresses (`type.name`) of a stack's resources, sorted. */
export function addressesOf(json: StackJson): string[] {
  return Object.entries(json.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

/**
 * The security baseline of `docs/security-baseline.md`, checked over
 * synthesized Terraform JSON. Used by the tests and by `npm run baseline`.
 */
export * from "../../src/baseline-rules";
export * from "./checks";
export * from "./stacks";
export * from "./terraform-json";

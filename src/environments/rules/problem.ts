/** One problem of an environment: the field's path and "what is wrong; how to fix it". */
export interface EnvironmentProblem {
  readonly path: string;
  readonly message: string;
}

/** A value as a message shows it. */
export const q = (value: unknown) => JSON.stringify(value);

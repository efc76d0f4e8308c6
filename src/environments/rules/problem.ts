/** One problem of an environment: the field's path and "what is wrong; how to fix it". */
export interface EnvironmentProblem {
  readonly path: string;
  readonly message: string;
}

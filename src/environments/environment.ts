/**
 * The types of an environment, inferred from its schema (`shape.ts` documents every field).
 *
 * One file per environment under `src/environments/` exports an `EnvironmentInput`, as written
 * (defaults left out); the registry in `index.ts` lists them; `parseEnvironments` (`validate.ts`)
 * checks them before any stack is built and returns `Environment`s, every default resolved,
 * which is what the stacks read.
 */
import type { z } from "zod";
import type { environmentSchema } from "./schema";

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** An environment as its file writes it. */
export type EnvironmentInput = DeepReadonly<z.input<typeof environmentSchema>>;

/** A parsed environment: every field checked, every default resolved. */
export type Environment = DeepReadonly<z.output<typeof environmentSchema>>;

/** An EFS access of a task: a named volume rooted at a directory of the file system. */
export type EfsVolumeSpec = Environment["jitsi"]["volumes"][number];

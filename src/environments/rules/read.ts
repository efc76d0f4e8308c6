/**
 * Reading an environment's raw input defensively: the rules run even when some field has the wrong
 * type (the schema reports that one), and a value they cannot read is skipped, never guessed.
 */
export type Loose = Readonly<Record<string, unknown>>;

export const q = (value: unknown) => JSON.stringify(value);
export const obj = (value: unknown): Loose => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : {});
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const int = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) ? value : undefined);
export const bool = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);
export const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

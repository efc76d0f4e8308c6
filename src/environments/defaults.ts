/**
 * Defaults of environment fields that both the stacks (which apply them) and
 * validation (which checks the values they produce) need.
 */

/** Priorities of the HTTPS listener's host rules, as the legacy rules had them. */
export const DEFAULT_RULE_PRIORITIES = { element: 99, synapse: 100 } as const;

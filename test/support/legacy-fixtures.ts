import * as path from "path";

/**
 * The legacy deployment's record, carried in the repository (test/fixtures/legacy/README.md says what
 * each file is and where it came from), so that a fresh clone needs nothing beside it.
 */
export const LEGACY_FIXTURES = path.join(__dirname, "..", "fixtures", "legacy");

/** The 29 legacy staging resources at their legacy addresses. */
export const LEGACY_STAGING_STATE = path.join(LEGACY_FIXTURES, "staging.tfstate");

/** The legacy container definitions, one file per task and environment. */
export const LEGACY_CONTAINER_DEFINITIONS = path.join(LEGACY_FIXTURES, "container-definitions");

/** Every input variable of the legacy environments. */
export const LEGACY_ENVIRONMENTS_JSON = path.join(LEGACY_FIXTURES, "environments.json");

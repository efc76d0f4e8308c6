/** The PostgreSQL that Synapse's data lives in, against upstream's support. */
import { tagName } from "../../modules/image-reference";
import { isOn, matrixDatabaseOf } from "../defaults";
import { q } from "./problem";
import { EnvironmentRule } from "./rule";

/**
 * The last day upstream supports each PostgreSQL major (postgresql.org/support/versioning: five years after
 * its first release, ending with its last minor release). Synapse drops a major after upstream does.
 */
export const POSTGRES_END_OF_LIFE: Readonly<Record<string, string>> = {
  "9.6": "2021-11-11",
  "10": "2022-11-10",
  "11": "2023-11-09",
  "12": "2024-11-21",
  "13": "2025-11-13",
  "14": "2026-11-12",
  "15": "2027-11-11",
  "16": "2028-11-09",
  "17": "2029-11-08",
  "18": "2030-11-14",
};

/** The major a `postgres` image tag names (`9.6.24` is 9.6, `14.2-alpine` is 14), or undefined for a tag that names none (`latest`). */
export function postgresMajor(tag: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(tagName(tag));
  if (!match) return undefined;
  return Number(match[1]) < 10 ? `${match[1]}.${match[2] ?? "0"}` : match[1];
}

/** Whether a major is past upstream's end of life today, and the date. */
function pastEndOfLife(major: string): { readonly past: boolean; readonly end?: string } {
  const end = POSTGRES_END_OF_LIFE[major];
  const today = new Date().toISOString().slice(0, 10);
  return { past: end === undefined ? Number.parseFloat(major) < 9.6 : end < today, end };
}

const endOfLifeWarning = (what: string, major: string, end: string | undefined) =>
  `${what} is PostgreSQL ${major}, past its upstream end of life${end ? ` (${end})` : ""}: it gets no security fixes, and Synapse drops a major after upstream does; upgrade to a supported major as docs/maintenance.md, "From PostgreSQL 9.6 to a supported version", says`;

/**
 * Past upstream's end of life, a warning that names the date and the runbook: the environment runs, but Synapse will
 * stop supporting it. The PostgreSQL that counts is the one Synapse uses: the container's, or the RDS instance's.
 */
export const postgresSupportRules: EnvironmentRule = {
  reads: ["matrix.imageTags.postgres", "matrix.database", "rds", "legacy"],
  check(env, { warn }) {
    if (matrixDatabaseOf(env) === "rds") {
      const major = env.rds.engineVersion.split(".")[0];
      const { past, end } = pastEndOfLife(major);
      if (past) warn("rds.engineVersion", endOfLifeWarning(q(env.rds.engineVersion), major, end));
      return;
    }
    const tag = env.matrix.imageTags.postgres;
    const major = postgresMajor(tag);
    if (major === undefined) return;
    const { past, end } = pastEndOfLife(major);
    if (past) warn("matrix.imageTags.postgres", endOfLifeWarning(q(tag), major, end));
  },
};

/** Synapse on RDS needs the instance; the PostgreSQL upgrade switch is for the container's data alone. */
export const databaseRules: EnvironmentRule = {
  reads: ["matrix.database", "rds.enabled", "postgresUpgrade.enabled"],
  check(env, { error }) {
    if (env.matrix.database === "rds" && !isOn(env.rds)) {
      error("matrix.database", '"rds" names the RDS instance, but rds.enabled is false, so there is none; switch rds on (docs/moving-to-rds.md), or keep "container"');
    }
    // The switch stops Matrix to upgrade the container's data directory, which Synapse on RDS does not use.
    if (env.postgresUpgrade.enabled && matrixDatabaseOf(env) === "rds") {
      error(
        "postgresUpgrade.enabled",
        "true stops Matrix to upgrade the postgres container's data directory, but Synapse's database is on RDS, which upgrades in place (docs/moving-to-rds.md, \"Upgrading the engine\"); set it to false",
      );
    }
  },
};

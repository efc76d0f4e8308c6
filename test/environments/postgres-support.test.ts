import { parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { POSTGRES_END_OF_LIFE, postgresMajor } from "../../src/environments/rules/postgres";
import { EnvironmentProblem } from "../../src/environments/rules/problem";

/** The warnings of `dev` with its PostgreSQL container at `tag` (Synapse's database there, not on RDS), parsed on `day`. */
function warningsOn(day: string, tag: string): EnvironmentProblem[] {
  jest.useFakeTimers({ now: new Date(`${day}T12:00:00Z`) });
  try {
    const warnings: EnvironmentProblem[] = [];
    // A larger instance than dev's: its postgres container beside the daemons does not fit on a c5a.large.
    const onContainer = { ...dev, capacity: { ...dev.capacity, instanceType: "c5a.xlarge" }, matrix: { ...dev.matrix, database: "container" as const, imageTags: { ...dev.matrix.imageTags, postgres: tag } } };
    parseEnvironment(onContainer, { onWarning: (problem) => warnings.push(problem) });
    return warnings.filter((problem) => problem.path === "matrix.imageTags.postgres").map(({ path, message }) => ({ path, message }));
  } finally {
    jest.useRealTimers();
  }
}

describe("PostgreSQL past its upstream end of life", () => {
  it("reads the major of a tag: 9.6.24 is 9.6, 14.2-alpine is 14, latest none", () => {
    expect([postgresMajor("9.6.24"), postgresMajor("9.6"), postgresMajor("14.2-alpine"), postgresMajor("17"), postgresMajor("latest"), postgresMajor(`17.7@sha256:${"a".repeat(64)}`)]).toEqual(["9.6", "9.6", "14", "17", undefined, "17"]);
  });

  it("warns the day after the end of life, naming the date and the runbook, and not on the day itself", () => {
    expect(POSTGRES_END_OF_LIFE["14"]).toBe("2026-11-12");
    expect(warningsOn("2026-11-12", "14.2")).toEqual([]);
    expect(warningsOn("2026-11-13", "14.2")).toEqual([
      {
        path: "matrix.imageTags.postgres",
        message:
          '"14.2" is PostgreSQL 14, past its upstream end of life (2026-11-12): it gets no security fixes, and Synapse drops a major after upstream does; upgrade to a supported major as docs/maintenance.md, "From PostgreSQL 9.6 to a supported version", says',
      },
    ]);
  });

  it("warns for 9.6 and anything older, and says nothing of a supported major or a pinned tag without one", () => {
    expect(warningsOn("2026-12-07", "9.6")).toHaveLength(1);
    expect(warningsOn("2026-12-07", "9.5")[0].message).toContain("PostgreSQL 9.5, past its upstream end of life:");
    expect(warningsOn("2026-12-07", "17.7")).toEqual([]);
    expect(warningsOn("2026-12-07", `latest@sha256:${"a".repeat(64)}`)).toEqual([]);
  });
});

/**
 * docs/operations-options.md: the table's rows of logs, alarms, scaling, backups and the launch template, planned by
 * real Terraform (./option-switches.ts), and what holds for the whole table: a row for every option, and a note on
 * each row that says what its apply does beyond the plan.
 */
import { readFileSync } from "fs";
import { ALL_SWITCHES, describeOptionSwitches, DOC, OPTION_PARTS, readDocTable } from "./option-switches";

describeOptionSwitches("operations");

describe("the table of docs/operations-options.md", () => {
  it("has a row for every option switched by the three parts, and no other; each part plans its own rows", () => {
    const parts = Object.values(OPTION_PARTS).flat();
    expect([...readDocTable().keys()].sort()).toEqual(ALL_SWITCHES.map((s) => s.option).sort());
    expect([...parts].sort()).toEqual(ALL_SWITCHES.map((s) => s.option).sort());
  });
});

describe("the notes on the rows of docs/operations-options.md", () => {
  const doc = readFileSync(DOC, "utf8");
  const notes = doc.slice(doc.indexOf("Notes on the rows:"), doc.indexOf("## Switching an option on, step by step"));
  /** Every option some note names in bold, e.g. `- **well-known documents**, **Synapse admin API blocked**: ...`. */
  const noted = new Set([...notes.matchAll(/^- (\*\*[^:]+\*\*(?:, \*\*[^:]+\*\*)*):/gm)].flatMap((match) => [...match[1].matchAll(/\*\*([^*]+)\*\*/g)].map((name) => name[1])));

  it("say, for every option of the table, what its apply does beyond the plan and what the operator does then", () => {
    const options = [...readDocTable().keys()].map((option) => option.replace(/^\*\*(.*)\*\*$/, "$1"));
    expect(options.filter((option) => !noted.has(option))).toEqual([]);
  });
});

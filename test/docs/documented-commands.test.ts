/**
 * Every command README.md and docs/ tell a user to type is in a ```sh <id> block, and a test runs
 * each block through the entry point it names (test/support/documented-commands.ts says how). This
 * suite fails on a block no test claims, so a command added to a document without a test fails.
 */
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../tools/synthesize";
import { parseDocument, readDocuments } from "../support/documented-commands";

/**
 * Blocks no test runs yet, each with what running it needs. The list only shrinks: the suite fails
 * when a block here is claimed by a test or no longer exists, and on any other unclaimed block.
 */
const NOT_YET_RUN: Readonly<Record<string, string>> = {};

/** Ids passed to `documentedBlock("<id>")` anywhere in test/. */
function claimedIds(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(".ts")) for (const match of readFileSync(file, "utf8").matchAll(/documentedBlock\("([\w-]+)"/g)) ids.add(match[1]);
    }
  };
  walk(path.join(PROJECT_ROOT, "test"));
  return ids;
}

describe("the commands of README.md and docs/", () => {
  const { blocks, problems } = readDocuments();

  it("are all in fenced ```sh <id> blocks, output in ```text blocks", () => {
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.problem}`)).toEqual([]);
    expect(blocks.length).toBeGreaterThan(0);
  });

  it("have ids unique across the documents", () => {
    const seen = new Map<string, string>();
    const duplicates = blocks.filter((b) => seen.has(b.id) || !seen.set(b.id, `${b.file}:${b.line}`)).map((b) => `${b.id} at ${b.file}:${b.line} and ${seen.get(b.id)}`);
    expect(duplicates).toEqual([]);
  });

  it("are each run by a test, except the listed ones not run yet", () => {
    const claimed = claimedIds();
    const unclaimed = blocks.filter((b) => !claimed.has(b.id) && !(b.id in NOT_YET_RUN)).map((b) => `${b.file}:${b.line} \`\`\`sh ${b.id}: no test calls documentedBlock("${b.id}")`);
    expect(unclaimed).toEqual([]);
  });

  it("keep the list of blocks not run yet current: each still exists and is still unclaimed", () => {
    const claimed = claimedIds();
    const ids = new Set(blocks.map((b) => b.id));
    expect(Object.keys(NOT_YET_RUN).filter((id) => !ids.has(id) || claimed.has(id))).toEqual([]);
  });
});

describe("reading the documents", () => {
  it("finds indented code blocks and blocks without an id or language, and none inside a list item's paragraph", () => {
    const text = ["Run:", "", "    npm run synth", "", "1. step", "", "    continued paragraph of the item", "", "```sh", "x", "```", "```", "out", "```", "```sh a needs-aws", "y", "```"].join("\n");
    const { blocks, problems } = parseDocument("doc.md", text);
    expect(problems.map((p) => p.line)).toEqual([3, 9, 12]);
    expect(blocks).toEqual([{ file: "doc.md", line: 15, id: "a", needsAws: true, text: "y" }]);
  });

  it("strips a list item's indentation from a block inside it", () => {
    const { blocks } = parseDocument("doc.md", ["1. step", "", "   ```sh b", "   npm run synth", "   ```"].join("\n"));
    expect(blocks).toEqual([{ file: "doc.md", line: 3, id: "b", needsAws: false, text: "npm run synth" }]);
  });
});

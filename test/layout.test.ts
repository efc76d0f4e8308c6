/**
 * The app apart from its tools: `main.ts` and `src/` (environments, stacks, constructs, their wiring)
 * import nothing from `tools/`, `scripts/` or `test/`, the app's imports form no circle, and `scripts/`
 * holds only the npm scripts' entry points. The imports
 * are read with TypeScript's own pre-processor, so a type-only import or a re-export counts too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../tools/synthesize";

/** Every .ts file below `dir`, relative to the project. */
function sources(dir: string): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => {
      const file = path.join(folder, name);
      return statSync(file).isDirectory() ? walk(file) : name.endsWith(".ts") ? [path.relative(PROJECT_ROOT, file)] : [];
    });
  return walk(path.join(PROJECT_ROOT, dir));
}

/** The project files `file` imports (relative specifiers, resolved as TypeScript's module resolution would). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(PROJECT_ROOT, file), "utf8"), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => {
      const base = path.join(path.dirname(file), specifier);
      const resolved = [`${base}.ts`, path.join(base, "index.ts"), base].find((candidate) => existsSync(path.join(PROJECT_ROOT, candidate)));
      if (resolved === undefined) throw new Error(`${file}: cannot resolve the import ${specifier}`);
      return path.normalize(resolved);
    });
}

/** Each circle of `graph` (file to the files it imports), as `a -> b -> a`. */
function circlesIn(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const circles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      circles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "visiting");
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  return circles;
}

const APP = ["main.ts", ...sources("src")];

describe("the layout of the project", () => {
  it("keeps the app apart from its tools: nothing in main.ts or src/ imports tools/, scripts/ or test/", () => {
    const across = APP.flatMap((file) => importsOf(file).filter((target) => !target.startsWith(`src${path.sep}`)).map((target) => `${file} -> ${target}`));
    expect(across).toEqual([]);
    // The tools do import the app: the line is one-way, not an absence of imports.
    expect(sources("tools").some((file) => importsOf(file).some((target) => target.startsWith(`src${path.sep}`)))).toBe(true);
  });

  it("keeps scripts/ to entry points: no function or class of their own, the logic is in tools/", () => {
    const declaring = sources("scripts").filter((file) => {
      const source = ts.createSourceFile(file, readFileSync(path.join(PROJECT_ROOT, file), "utf8"), ts.ScriptTarget.ES2022);
      return source.statements.some((statement) => ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement));
    });
    expect(declaring).toEqual([]);
  });

  it("gives the tools the environments only through the parser: ENVIRONMENTS appears there only as parseEnvironments' input", () => {
    const unparsed = [...sources("tools"), ...sources("scripts")].flatMap((file) => {
      const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8").replace(/^import .*$/gm, "");
      const uses = text.match(/\bENVIRONMENTS\b/g)?.length ?? 0;
      const parsed = text.match(/\bparseEnvironments(OrExit)?\(ENVIRONMENTS\b/g)?.length ?? 0;
      return uses > parsed ? [`${file}: ${uses - parsed} use(s) of ENVIRONMENTS outside parseEnvironments(...)`] : [];
    });
    expect(unparsed).toEqual([]);
  });

  it("has no import circle in the app", () => {
    expect(circlesIn(new Map(APP.map((file) => [file, importsOf(file)])))).toEqual([]);
  });

  it("reads type-only imports and re-exports, and finds a circle where there is one", () => {
    const { importedFiles } = ts.preProcessFile('import type { X } from "../tools/review/cli";\nexport * from "./a";', true, true);
    expect(importedFiles.map((f) => f.fileName)).toEqual(["../tools/review/cli", "./a"]);
    const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(circlesIn(graph)).toEqual(["a.ts -> b.ts -> c.ts -> a.ts"]);
  });
});

/**
 * The environment has one source, its schema: the types are inferred from it, and what reads a
 * parsed environment finds every default resolved, so it applies none of its own.
 */
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../../tools/synthesize";

const parse = (file: string, text = readFileSync(path.join(PROJECT_ROOT, file), "utf8")) => ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);

/** `a ?? b` where `a` reads the environment (`env.x`, `environment.x`, `props.environment.x`, `legacy.x`). */
function defaultsOfTheirOwn(file: string, text?: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) {
      const left = node.left.getText();
      if (/^(env|environment|props\.environment|legacy)\b[.?]/.test(left)) found.push(`${file}: ${node.getText()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(file, text));
  return found;
}

describe("the environment's single source", () => {
  const stacks = readdirSync(path.join(PROJECT_ROOT, "src", "stacks")).map((name) => path.join("src", "stacks", name));

  it("gives the stacks every default resolved: none of them defaults an environment field itself", () => {
    expect([...stacks, path.join("src", "platform.ts"), path.join("src", "environments", "operations.ts")].flatMap((file) => defaultsOfTheirOwn(file))).toEqual([]);
  });

  it("finds a default of its own where there is one", () => {
    expect(defaultsOfTheirOwn("x.ts", "const port = env.jitsi.webHostPort ?? 8000;\nconst deps = [...(xmpp?.routing ?? [])];")).toEqual([
      "x.ts: env.jitsi.webHostPort ?? 8000",
    ]);
  });

  it("infers the types from the schema: environment.ts declares no interface and no type literal of its own", () => {
    const source = parse(path.join("src", "environments", "environment.ts"));
    expect(source.statements.filter(ts.isInterfaceDeclaration).map((statement) => statement.name.text)).toEqual([]);
    const aliases = source.statements.filter(ts.isTypeAliasDeclaration);
    expect(aliases.filter((alias) => ts.isTypeLiteralNode(alias.type)).map((alias) => alias.name.text)).toEqual([]);
  });
});

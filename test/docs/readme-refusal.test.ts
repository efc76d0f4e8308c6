/**
 * README's example of a refused environment ("Validation and the security baseline") is what the validation prints,
 * to the letter: the test reads the example's field and value, breaks dev with them, and compares the whole block
 * with the real refusal, so that the example cannot drift from the code.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { EnvironmentValidationError, parseEnvironment } from "../../src/environments";
import { dev } from "../../src/environments/dev";
import { PROJECT_ROOT } from "../../tools/synthesize";

const README = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

describe("README's example of a refusal", () => {
  const section = README.slice(README.indexOf("## Validation and the security baseline"));
  const block = /```text\n([\s\S]*?)```/.exec(section)![1];
  const [, name] = /^ {2}- loadBalancer\.name: "([^"]+)"/m.exec(block)!;

  it("is the refusal the validation prints for that name, word for word, with the synth's last line", () => {
    let refusal: unknown;
    try {
      parseEnvironment({ ...dev, loadBalancer: { ...dev.loadBalancer, name } }, { onWarning: () => undefined });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(EnvironmentValidationError);
    expect(block).toBe(`${(refusal as Error).message}\nNo stack was synthesized.\n`);
  });

  it("shows a name AWS refuses, longer than a load balancer's 32 characters", () => {
    expect(name.length).toBeGreaterThan(32);
  });
});

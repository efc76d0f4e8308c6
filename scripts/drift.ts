import { runDriftCli } from "../src/drift/cli";

process.exitCode = runDriftCli(process.argv.slice(2));

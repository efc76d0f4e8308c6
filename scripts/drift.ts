import { runDriftCli } from "../tools/drift/cli";

process.exitCode = runDriftCli(process.argv.slice(2));

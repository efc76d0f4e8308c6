/** `npm run adopt -- <env> --legacy-state <file|s3://bucket/key> [options]`: tools/adoption/cli.ts; docs/adopting-an-environment.md. */
import { runAdoptCli } from "../tools/adoption/cli";

process.exitCode = runAdoptCli(process.argv.slice(2));

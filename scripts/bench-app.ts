/**
 * The app as `main.ts` builds it, but for BENCH_ENVIRONMENTS environments (default 20)
 * generated from BENCH_TEMPLATE (`staging`, the default, or `dev`): the benchmark's measure
 * of how synth scales. Not for deploying.
 */
import { App } from "cdktf";
import { readBackendSettings } from "../src/backend";
import { generatedEnvironments } from "../tools/bench/generated-environments";
import { parseEnvironmentsOrExit } from "../src/environments";
import { dev } from "../src/environments/dev";
import { EnvironmentInput } from "../src/environments/environment";
import { staging } from "../src/environments/staging";
import { addEnvironment } from "../src/platform";

const TEMPLATES: Readonly<Record<string, EnvironmentInput>> = { dev, staging };

const count = Number(process.env.BENCH_ENVIRONMENTS ?? "20");
const templateName = process.env.BENCH_TEMPLATE ?? "staging";
const template = TEMPLATES[templateName];
if (template === undefined) {
  console.error(`BENCH_TEMPLATE=${templateName}: no such environment; use one of ${Object.keys(TEMPLATES).join(", ")}.`);
  process.exit(1);
}
const environments = parseEnvironmentsOrExit(generatedEnvironments(template, count), { onWarning: () => undefined });
const app = new App();
const backend = readBackendSettings();
for (const environment of environments) addEnvironment(app, environment, backend);
app.synth();

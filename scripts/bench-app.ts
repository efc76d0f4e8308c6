/**
 * The app as `main.ts` builds it, but for BENCH_ENVIRONMENTS environments generated from
 * staging (default 20): the benchmark's measure of how synth scales. Not for deploying.
 */
import { App } from "cdktf";
import { readBackendSettings } from "../src/backend";
import { generatedEnvironments } from "../src/bench/generated-environments";
import { parseEnvironmentsOrExit } from "../src/environments";
import { staging } from "../src/environments/staging";
import { addEnvironment } from "../src/platform";

const count = Number(process.env.BENCH_ENVIRONMENTS ?? "20");
const environments = parseEnvironmentsOrExit(generatedEnvironments(staging, count), { onWarning: () => undefined });
const app = new App();
const backend = readBackendSettings();
for (const environment of environments) addEnvironment(app, environment, backend);
app.synth();

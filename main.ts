import { App } from "cdktf";
import { readBackendSettings } from "./src/backend";
import { cliContextProblem } from "./src/context";
import * as path from "path";
import { ENVIRONMENTS, parseEnvironmentsOrExit } from "./src/environments";
import { environmentFileProblems } from "./src/environments/registry-files";
import { addEnvironment, addStateBackend } from "./src/platform";

// Before anything is read: with a context key in cdktf.json the CLI would have dropped the operator's switch.
const contextProblem = cliContextProblem(__dirname);
if (contextProblem) {
  process.stderr.write(`${contextProblem}\nNo stack was synthesized.\n`);
  process.exit(1);
}
// Every environment is checked before any stack is built, and every environment file is in the registry under its
// own name (one left out would have its stacks deleted): a problem fails the synth and writes nothing.
const environments = parseEnvironmentsOrExit(ENVIRONMENTS, {
  registryProblems: environmentFileProblems(path.join(__dirname, "src", "environments"), ENVIRONMENTS),
});
const app = new App();
const backend = readBackendSettings();
addStateBackend(app, backend);
for (const environment of environments) {
  addEnvironment(app, environment, backend);
}
app.synth();

import { App } from "cdktf";
import { readBackendSettings } from "./src/backend";
import { ENVIRONMENTS, parseEnvironmentsOrExit } from "./src/environments";
import { addEnvironment, addStateBackend } from "./src/platform";

// Every environment is checked before any stack is built: a bad one fails the synth and writes nothing.
const environments = parseEnvironmentsOrExit(ENVIRONMENTS);
const app = new App();
const backend = readBackendSettings();
addStateBackend(app, backend);
for (const environment of environments) {
  addEnvironment(app, environment, backend);
}
app.synth();

import { App } from "cdktf";
import { readBackendSettings } from "./src/backend";
import { ENVIRONMENTS } from "./src/environments";
import { addEnvironment } from "./src/platform";

const app = new App();
const backend = readBackendSettings();
for (const environment of ENVIRONMENTS) {
  addEnvironment(app, environment, backend);
}
app.synth();

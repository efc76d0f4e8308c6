import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { adopt, AdoptionRefused } from "../../tools/adoption/adopt";
import { readBackendSettings } from "../../src/backend";
import { LEGACY_DIR } from "./fixtures";
import { dev } from "../support/environments";

describe("adopting an environment that the legacy configuration never deployed", () => {
  it("is refused before anything is read or written: its stack has no moves, so a plan would destroy what the state holds", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "adopt-new-"));
    try {
      const run = () =>
        adopt({
          environment: dev,
          legacyState: path.join(LEGACY_DIR, "staging.tfstate"),
          backend: readBackendSettings(),
          backendOverride: { localDir: path.join(dir, "s3") },
          backupRoot: path.join(dir, "backups"),
          log: () => undefined,
        });
      expect(run).toThrow(AdoptionRefused);
      expect(run).toThrow(/environment dev: has no legacy block, .* deploy dev from scratch instead\./);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { ADOPTION_EXCEPTIONS, unexplainedTaskDefinitionChanges } from "../../tools/adoption/task-definition-changes";
import { LEGACY_CONTAINER_EXCEPTIONS } from "../../tools/adoption/legacy-containers";
import { stagingLegacyState } from "./fixtures";

const context = { environmentName: "staging" };

/** The legacy jitsi task of staging's state, and the revision an adoption would plan for it: the documented changes only. */
function legacyAndPlanned() {
  const state = stagingLegacyState();
  const legacy = state.resources.find((r) => r.module === "module.ecs_task_definitions_jitsi" && r.type === "aws_ecs_task_definition")!.instances[0].attributes;
  const containers = (JSON.parse(String(legacy.container_definitions)) as { name: string; environment?: { name: string; value: string }[] }[]).map((c) => {
    const environment = (c.environment ?? []).filter((v) => v.value !== "" && v.name !== "DOCKER_HOST_ADDRESS" && !/PASSWORD/.test(v.name));
    const secrets = (c.environment ?? []).filter((v) => /PASSWORD/.test(v.name) && v.value !== "").map((v) => ({ name: v.name, valueFrom: `/jitsi-matrix/staging/${v.name}` }));
    return { ...c, environment, secrets };
  });
  const after: Record<string, unknown> = { ...legacy, container_definitions: JSON.stringify(containers), execution_role_arn: null, arn: null, revision: null };
  return { legacy, planned: { after, afterUnknown: { execution_role_arn: true, arn: true, revision: true } } };
}

describe("unexplainedTaskDefinitionChanges", () => {
  it("accepts a revision that differs only as documented: passwords from SSM, no DOCKER_HOST_ADDRESS, an execution role", () => {
    const { legacy, planned } = legacyAndPlanned();
    expect(unexplainedTaskDefinitionChanges(legacy, planned, context)).toEqual([]);
  });

  it("names a changed volume, a changed container setting and a new variable", () => {
    const { legacy, planned } = legacyAndPlanned();
    const volumes = JSON.parse(JSON.stringify(legacy.volume)) as { efs_volume_configuration: { root_directory: string }[] }[];
    volumes[0].efs_volume_configuration[0].root_directory = "/elsewhere";
    const containers = JSON.parse(String(planned.after.container_definitions)) as { name: string; memory?: number; environment: { name: string; value: string }[] }[];
    containers[0].memory = 4096;
    containers[0].environment.push({ name: "NEW_SETTING", value: "1" });
    const problems = unexplainedTaskDefinitionChanges(legacy, { ...planned, after: { ...planned.after, volume: volumes, container_definitions: JSON.stringify(containers) } }, context);
    expect(problems).toEqual([
      expect.stringMatching(/^jitsi-meet-task-staging: volume: planned .*\/elsewhere/),
      expect.stringMatching(new RegExp(`container "${containers[0].name}": environment\\.NEW_SETTING: synthesized "1", legacy none`)),
      expect.stringMatching(new RegExp(`container "${containers[0].name}": memory: synthesized 4096`)),
    ]);
  });

  it("names a task role or a family that changed, which a replacement would carry silently", () => {
    const { legacy, planned } = legacyAndPlanned();
    const problems = unexplainedTaskDefinitionChanges(legacy, { ...planned, after: { ...planned.after, family: "other", task_role_arn: "arn:aws:iam::1:role/x" } }, context);
    expect(problems).toEqual([expect.stringMatching(/: family: planned "other"/), expect.stringMatching(/: task_role_arn: planned "arn:aws:iam::1:role\/x", legacy none/)]);
  });

  it("lists the container exceptions once, with the task's own after them", () => {
    expect(ADOPTION_EXCEPTIONS.slice(0, LEGACY_CONTAINER_EXCEPTIONS.length)).toEqual(LEGACY_CONTAINER_EXCEPTIONS);
    expect(ADOPTION_EXCEPTIONS.map((e) => e.id)).toContain("execution-role");
  });
});

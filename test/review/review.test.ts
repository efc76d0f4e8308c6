import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { renderText } from "../../tools/review/render";
import { Review, reviewExitCode, reviewSynth, StackReview } from "../../tools/review/review";
import { StackPlanner, stackFile } from "../../tools/review/stack-planner";
import { synthesizeTo } from "../../tools/synthesize";
import { adoptedStagingStates } from "../support/legacy-states";
import { describeIfTerraform } from "../support/terraform";

const STACK = "jitsi-matrix-staging";
const LABELS = { base: "base", head: "head" };

describeIfTerraform("review of staging against a state adopted from the legacy staging state", () => {
  let scratch: string;
  let base: string;
  let planner: StackPlanner;
  let states: Record<string, string>;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "review-test-"));
    base = path.join(scratch, "base");
    const result = synthesizeTo(base);
    if (!result.ok) throw new Error(`synth failed:\n${result.stderr}`);
    const adopted = adoptedStagingStates(path.join(scratch, "states"));
    states = { "networking-staging": adopted.networking, [STACK]: adopted.jitsiMatrix };
    // One planner for every case: the base and networking plans run once.
    planner = new StackPlanner();
  });
  afterAll(() => {
    planner?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of the base synth with jitsi-matrix-staging's JSON edited, as a change under review would make it. */
  function headWith(name: string, edit: (json: any) => void): string {
    const head = path.join(scratch, name);
    cpSync(base, head, { recursive: true });
    const file = stackFile(head, STACK);
    const json = JSON.parse(readFileSync(file, "utf8"));
    edit(json);
    writeFileSync(file, JSON.stringify(json, null, 2));
    return head;
  }

  const onlyStack = (review: Review): StackReview => {
    expect(review.stacks.map((s) => s.stack)).toEqual([STACK]);
    return review.stacks[0];
  };
  const change = (stack: StackReview, address: string) => stack.changes.find((c) => c.address === address);

  describe("a change that renames a target group", () => {
    let head: string;
    let review: Review;
    beforeAll(async () => {
      head = headWith("rename", (json) => {
        json.resource.aws_lb_target_group.load_balancer_element.name = "element-tg-staging";
      });
      review = await reviewSynth({ baseDir: base, headDir: head, states, planner });
    });

    it("reports the target group as a replacement forced by its name", () => {
      expect(change(onlyStack(review), "aws_lb_target_group.load_balancer_element")).toMatchObject({
        kind: "replace",
        replacePaths: ["name"],
        introducesDestruction: true,
      });
    });

    it("reports the listener rule forwarding to it as an in-place update of its action", () => {
      expect(change(onlyStack(review), "aws_lb_listener_rule.load_balancer_rule_element")).toMatchObject({
        kind: "update",
        changedAttributes: expect.arrayContaining(["action"]),
        introducesDestruction: false,
      });
    });

    it("keeps what the base already plans (the adoption's new task definitions) apart from the change", () => {
      const stack = onlyStack(review);
      expect(stack.comparedWithBase).toBe(true);
      expect(stack.changes.filter((c) => c.kind === "replace").map((c) => c.address)).toEqual(["aws_lb_target_group.load_balancer_element"]);
      expect(stack.pending.filter((c) => c.kind === "replace").map((c) => c.address)).toEqual([
        "aws_ecs_task_definition.jitsi_task_definition",
        "aws_ecs_task_definition.matrix_task_definition",
      ]);
    });

    it("blocks it without an allow list: exit status 1, the replacement first in the text", () => {
      expect(review.blocking).toEqual([{ stack: STACK, address: "aws_lb_target_group.load_balancer_element", kind: "replace" }]);
      expect(reviewExitCode(review)).toBe(1);
      const text = renderText(review, LABELS);
      expect(text).toMatch(/^BLOCKED: 1 destroy\/replacement/m);
      const replace = text.indexOf("replace aws_lb_target_group.load_balancer_element");
      expect(replace).toBeGreaterThan(0);
      expect(replace).toBeLessThan(text.indexOf("update   aws_lb_listener_rule.load_balancer_rule_element"));
    });

    it("passes once the replacement is on the allow list", async () => {
      const allowed = await reviewSynth({ baseDir: base, headDir: head, states, planner, allow: [`${STACK}:aws_lb_target_group.*`] });
      expect(change(onlyStack(allowed), "aws_lb_target_group.load_balancer_element")?.allowedBy).toBe(`${STACK}:aws_lb_target_group.*`);
      expect(allowed.blocking).toEqual([]);
      expect(reviewExitCode(allowed)).toBe(0);
    });
  });

  describe("a change that only adds tags", () => {
    const tagged = [
      ["aws_lb", "load_balancer"],
      ["aws_lb_target_group", "load_balancer_jitsi"],
      ["aws_lb_target_group", "load_balancer_element"],
      ["aws_lb_target_group", "load_balancer_synapse"],
      ["aws_ecs_cluster", "cluster"],
    ];
    let review: Review;
    beforeAll(async () => {
      const head = headWith("tags", (json) => {
        for (const [type, name] of tagged) json.resource[type][name].tags = { CostCenter: "video-platform" };
      });
      review = await reviewSynth({ baseDir: base, headDir: head, states, planner });
    });

    it("reports in-place updates of the tagged resources and nothing else", () => {
      const stack = onlyStack(review);
      expect(stack.changes.map((c) => [c.kind, c.address])).toEqual(tagged.map(([type, name]) => ["update", `${type}.${name}`]).sort((a, b) => (a[1] < b[1] ? -1 : 1)));
      for (const c of stack.changes) expect(c.changedAttributes).toEqual(expect.arrayContaining(["tags", "tags_all"]));
    });

    it("exits zero", () => {
      expect(review.blocking).toEqual([]);
      expect(reviewExitCode(review)).toBe(0);
      expect(renderText(review, LABELS)).toContain("This change: 5 to change in place");
    });
  });
});

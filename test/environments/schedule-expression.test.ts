import { backupPlanScheduleProblem, eventBridgeScheduleProblem } from "../../src/environments/schedule-expression";

describe("schedule expressions", () => {
  it.each(["cron(30 2 * * ? *)", "cron(0 3 ? * MON-FRI *)", "cron(15 10 L * ? 2027)", "cron(0 8 ? * 6#3 *)", "cron(0 8 ? * 6L *)", "cron(0/30 8-17 ? JAN,JUL SUN *)", "cron(0 0 15W * ? *)", "rate(1 day)", "rate(12 hours)", "rate(5 minutes)"])(
    "accepts %s, as EventBridge does",
    (expression) => {
      expect(eventBridgeScheduleProblem(expression)).toBeUndefined();
    },
  );

  it.each([
    ["cron(60 2 * * ? *)", /minutes field "60" is not 0-59/],
    ["cron(0 2 32 * ? *)", /day-of-month field "32"/],
    ["cron(0 2 ? * 8 *)", /day-of-week field "8" is not 1-7 or SUN-SAT/],
    ["cron(0 2 * * * *)", /one of its day-of-month and day-of-week fields must be \?, and only one/],
    ["cron(0 2 * * ? 1969)", /year field "1969"/],
    ["cron(0/0 2 * * ? *)", /step "0", not a positive whole number/],
    ["rate(2 day)", /a rate above 1 takes the plural unit: rate\(2 days\)/],
    ["every day at 2", /neither cron\(\.\.\.\) nor rate\(\.\.\.\)/],
  ])("refuses %s, saying why", (expression, why) => {
    expect(eventBridgeScheduleProblem(expression)).toMatch(why);
  });

  it("takes for a backup plan cron alone, at most hourly", () => {
    expect(backupPlanScheduleProblem("cron(0 3 * * ? *)")).toBeUndefined();
    expect(backupPlanScheduleProblem("cron(0 */6 * * ? *)")).toBeUndefined();
    expect(backupPlanScheduleProblem("cron(*/5 * * * ? *)")).toMatch(/more than once an hour/);
    expect(backupPlanScheduleProblem("rate(1 day)")).toMatch(/takes a cron expression/);
  });
});

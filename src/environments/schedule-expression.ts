/**
 * Schedule expressions as EventBridge and AWS Backup accept them, read 2026-12-07 from the EventBridge User Guide,
 * "Schedule expressions for rules" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html),
 * and the AWS Backup Developer Guide, "Backup plan options and configuration" (a plan's schedule is a cron expression
 * in UTC, at most one backup an hour). A value either service would refuse at apply is refused here, with the reason.
 * To update: compare the field table below with the EventBridge page's.
 */

/** What each of the six fields allows beyond `,`, `-`, `*` and `/`, and its range. */
const CRON_FIELDS = [
  { name: "minutes", min: 0, max: 59, extra: "" },
  { name: "hours", min: 0, max: 23, extra: "" },
  { name: "day-of-month", min: 1, max: 31, extra: "?LW" },
  { name: "month", min: 1, max: 12, extra: "", names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day-of-week", min: 1, max: 7, extra: "?L#", names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
  { name: "year", min: 1970, max: 2199, extra: "" },
] as const;

/** Why one cron field is not one EventBridge accepts, or undefined. */
function cronFieldProblem(field: (typeof CRON_FIELDS)[number], value: string): string | undefined {
  if (value === "*" || (value === "?" && field.extra.includes("?"))) return undefined;
  const names: readonly string[] = "names" in field ? field.names : [];
  const number = (text: string) => {
    const index = names.indexOf(text.toUpperCase());
    return index >= 0 ? index + 1 : /^\d+$/.test(text) ? Number(text) : NaN;
  };
  for (const part of value.split(",")) {
    // `L` (last day), `15W` (nearest weekday), `6L` (last Friday), `6#3` (third Friday).
    if (field.extra.includes("L") && /^(\d*L|L-\d+)$/.test(part) && field.name === "day-of-month") continue;
    if (field.name === "day-of-month" && /^\d+W$/.test(part) && number(part.slice(0, -1)) <= 31) continue;
    if (field.name === "day-of-week" && (/^\d?L$/.test(part) || /^[1-7]#[1-5]$/.test(part))) continue;
    const [range, step] = part.split("/");
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `its ${field.name} field has the step ${JSON.stringify(step)}, not a positive whole number`;
    const bounds = range === "*" ? [field.min, field.max] : range.split("-").map(number);
    if (bounds.length > 2 || bounds.some((n) => Number.isNaN(n) || n < field.min || n > field.max)) {
      return `its ${field.name} field ${JSON.stringify(value)} is not ${field.min}-${field.max}${names.length ? ` or ${names[0]}-${names.at(-1)}` : ""} with , - * /${field.extra ? ` ${field.extra.split("").join(" ")}` : ""}`;
    }
  }
  return undefined;
}

/** Why `expression` is not an EventBridge schedule expression (`cron(...)` of six fields, or `rate(...)`), or undefined. */
export function eventBridgeScheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]);
    if (!match) return "a rate is a whole number and a unit of minutes, hours or days, e.g. rate(12 hours)";
    const value = Number(match[1]);
    if (value < 1) return "a rate must be at least 1";
    const singular = !match[2].endsWith("s");
    if (value === 1 && !singular) return `a rate of 1 takes the singular unit: rate(1 ${match[2].slice(0, -1)})`;
    if (value > 1 && singular) return `a rate above 1 takes the plural unit: rate(${value} ${match[2]}s)`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'it is neither cron(...) nor rate(...), e.g. "cron(30 2 * * ? *)"';
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return `a cron expression has six fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(field, fields[i]);
    if (problem !== undefined) return problem;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return "one of its day-of-month and day-of-week fields must be ?, and only one (e.g. * and ?)";
  return undefined;
}

/** Why `expression` is not a schedule an AWS Backup plan accepts (a cron expression, at most hourly), or undefined. */
export function backupPlanScheduleProblem(expression: string): string | undefined {
  if (!expression.startsWith("cron(")) return 'a backup plan takes a cron expression, e.g. "cron(0 3 * * ? *)"';
  const problem = eventBridgeScheduleProblem(expression);
  if (problem !== undefined) return problem;
  const minutes = expression.slice(5, -1).trim().split(/\s+/)[0];
  if (!/^\d+$/.test(minutes)) return `its minutes field ${JSON.stringify(minutes)} runs more than once an hour, more often than AWS Backup allows; give one minute, e.g. 0`;
  return undefined;
}

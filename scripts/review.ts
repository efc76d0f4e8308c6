import { runReviewCli } from "../tools/review/cli";

runReviewCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

/**
 * Ends a jest run with one plain line, `jest: N passed, N failed, N skipped`, that CI reads as the
 * run's outcome (jest's own summary is spread over several lines with suites and tests mixed).
 */
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // Suites that failed to run at all (a syntax error, a throw at load) count as failures too.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

module.exports = ClosingLineReporter;

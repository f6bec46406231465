// Prints one plain closing line, "N passed, N failed, N skipped", after jest's own summary, so
// CI logs say how many tests ran in a form any tool can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;

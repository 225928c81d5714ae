// Ends a jest run with the plain "N passed, N failed, N skipped" line that CI systems read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;

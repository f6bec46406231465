import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, as `.ci/run` installs it (`apt-get install -y chromium`). */
export const CHROMIUM = process.env['CRYSTALLIZE_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * The system Chromium driven by playwright-core. Missing, it fails the test with the line that
 * installs it: the browser tests are the report's proof, never skipped.
 */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `The report's browser tests need Chromium at ${executablePath}, and it is missing. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (Debian), or point CRYSTALLIZE_CHROMIUM at a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Where the browser tests leave screenshots and reports: `<repo>/.ci-out/report` (git-ignored). */
export function testOutputDir(): string {
  const dir = process.env['CRYSTALLIZE_TEST_OUTPUT'] ?? join(process.cwd(), '.ci-out', 'report');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What every cold-tier child ends with: one JSON line on stdout, with its own peak RSS. */
import { readFileSync } from 'node:fs';

/** This process's peak RSS in MB (VmHWM where /proc has it). */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints `fields` plus `max_rss_mb` as the process's last stdout line. */
export function printReport(fields: Record<string, number | string | boolean>): void {
  process.stdout.write(JSON.stringify({ ...fields, max_rss_mb: peakRssMb() }) + '\n');
}

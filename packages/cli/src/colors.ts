import picocolors from 'picocolors';

/**
 * Colours only when stdout is a terminal (or `FORCE_COLOR` asks for them; `NO_COLOR` turns them
 * off). picocolors on its own also colours whenever `CI` is set, which would put escape codes
 * into output a CI job pipes to a file or `jq`.
 */
function colorsWanted(): boolean {
  const env = process.env;
  if ('NO_COLOR' in env) return false;
  if ('FORCE_COLOR' in env) return env['FORCE_COLOR'] !== '0';
  return process.stdout.isTTY === true && env['TERM'] !== 'dumb';
}

export const pc = picocolors.createColors(colorsWanted());

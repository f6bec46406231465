/** HTML-escapes text for element content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A readable number: 4 significant digits, scientific when tiny or huge. */
export function fmt(v: number | undefined): string {
  if (v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e7) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * A table cell showing `fmt(v)` and carrying the exact value in `data-value`, so a reader (or a
 * test) can check the shown number against the stored one.
 */
export function numCell(v: number | undefined, extra = ''): string {
  if (v === undefined) return `<td class="num">—</td>`;
  return `<td class="num" data-value="${esc(String(v))}">${esc(fmt(v))}${extra}</td>`;
}

/** A thousands-separated integer. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** An id usable in `id=""` and `href="#..."`. */
export function slug(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
}

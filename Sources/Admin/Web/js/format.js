// How the page spells MACs, dates, sizes and a phone's lines.

export function compactMAC(mac) { return String(mac || '').replace(/[^0-9a-fA-F]/g, '').toLowerCase(); }

/** A MAC for a URL path: 12 hex digits, nothing to percent-encode. */
export function macPath(mac) { return encodeURIComponent(compactMAC(mac)); }

export function formatDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatAgo(iso) {
  if (!iso) return 'never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return formatDate(iso);
}

export function formatSize(bytes) {
  if (typeof bytes !== 'number') return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function linesText(device) {
  const lines = (device.lines || []).filter((l) => l && l.extension);
  if (!lines.length) return '—';
  return lines.map((l) => `L${l.line}: ${l.extension}`).join(' · ');
}

export function extensionFor(device, line) {
  const found = (device.lines || []).find((l) => Number(l.line) === Number(line));
  return found && found.extension ? String(found.extension) : '';
}

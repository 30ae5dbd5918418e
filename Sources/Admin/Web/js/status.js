// Device status tab: what each phone last did, and the audit log.
import { api, enc } from './api.js';
import { $, clear, el } from './dom.js';
import { compactMAC, formatAgo, formatDate, linesText } from './format.js';
import { state } from './state.js';
import { reportError } from './toast.js';

export function statusBadge(status, reason) {
  const known = ['bound', 'unbound', 'refused', 'waiting'];
  const titles = {
    bound: 'bound to an extension',
    unbound: 'no extension: gets the guest account',
    refused: 'refused by the MAC white/blacklist',
    waiting: 'bound, but the credentials are missing',
  };
  const name = known.includes(status) ? status : 'unbound';
  return el('span', { class: `badge ${name}`, text: status || '?', title: reason ? String(reason) : (titles[status] || '') });
}

export function renderStatusTable() {
  const signature = JSON.stringify(state.devices.map((d) => [d.mac, d.vendor, d.model, d.firmware, d.lastIP, d.lines, d.lastSeen, d.lastConfigFetch, d.deviceCertificate, d.firstSeen, d.registered, d.status]));
  const body = $('status-body');
  // Re-render on changes, and every poll while visible so "x s ago" style fields stay fresh.
  if (signature === state.statusSignature && state.activeTab !== 'status') return;
  state.statusSignature = signature;
  clear(body);
  for (const device of state.devices) {
    const registered = device.registered === true ? el('span', { class: 'reg-yes', text: 'yes' })
      : device.registered === false ? el('span', { class: 'reg-no', text: 'no' })
        : el('span', { class: 'muted', text: '—', title: 'AMI is off' });
    body.appendChild(el('tr', { 'data-testid': `status-row-${compactMAC(device.mac)}` },
      el('td', { class: 'mono', text: device.mac }),
      el('td', { text: device.vendor || '?' }),
      el('td', { text: device.model || '' }),
      el('td', { text: device.firmware || '' }),
      el('td', { class: 'mono', text: device.lastIP || '' }),
      el('td', { text: linesText(device) }),
      el('td', { text: formatDate(device.lastSeen), title: formatAgo(device.lastSeen) }),
      el('td', { text: formatDate(device.lastConfigFetch), title: formatAgo(device.lastConfigFetch) },
        device.deviceCertificate
          ? el('span', { class: 'sub', 'data-testid': `device-cert-${compactMAC(device.mac)}`, text: `certificate ${device.deviceCertificate}`,
            title: `proved its MAC with this device certificate, last ${formatDate(device.deviceCertificateSeen)}` })
          : null),
      el('td', { text: formatDate(device.firstSeen) }),
      el('td', null, registered),
      el('td', null, statusBadge(device.status, device.statusReason),
        device.statusReason ? el('span', { class: 'sub', text: String(device.statusReason) }) : null)));
  }
  $('status-empty').hidden = state.devices.length > 0;
}

export async function loadAudit() {
  state.lastAuditRefresh = Date.now();
  let entries;
  try {
    entries = await api('GET', `api/audit?limit=${enc($('audit-limit').value)}`);
  } catch (error) {
    reportError(error, null);
    return;
  }
  const body = $('audit-body');
  clear(body);
  for (const entry of entries || []) {
    body.appendChild(el('tr', { 'data-testid': 'audit-row' },
      el('td', { text: formatDate(entry.at) }),
      el('td', { class: 'mono', text: entry.mac || '' }),
      el('td', { text: entry.line == null ? '' : String(entry.line) }),
      el('td', { text: entry.action || '' }),
      el('td', { text: entry.extension || '' }),
      el('td', { text: entry.previousExtension || '' }),
      el('td', { text: entry.actor || '' }),
      el('td', { class: 'wrap', text: entry.detail || '' })));
  }
  $('audit-empty').hidden = (entries || []).length > 0;
}

export function initStatus() {
  $('audit-refresh').addEventListener('click', loadAudit);
  $('audit-limit').addEventListener('change', loadAudit);
}

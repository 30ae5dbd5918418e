// The tab bar, what each tab loads when shown, and the poll that keeps the lists current.
import { api } from './api.js';
import { loadAccounts } from './accounts.js';
import { $, markLoaded } from './dom.js';
import { loadFirmware } from './firmware.js';
import { loadPhonebook } from './phonebook.js';
import { refreshDevices } from './phones.js';
import { loadSettings } from './pnp.js';
import { AUDIT_REFRESH_MS, LISTS_REFRESH_MS, POLL_MS, state, TABS } from './state.js';
import { loadBans } from './bans.js';
import { loadAudit } from './status.js';
import { loadTemplates } from './templates.js';
import { loadURIMappings } from './uri.js';

export function selectTab(name) {
  state.activeTab = name;
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    const panel = $(`panel-${tab}`);
    const active = tab === name;
    button.setAttribute('aria-selected', active ? 'true' : 'false');
    button.tabIndex = active ? 0 : -1;
    panel.hidden = !active;
  }
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
  loadTab(name);
}

async function loadTab(name) {
  switch (name) {
    case 'phones': await refreshLists(); await refreshDevices(); break;
    case 'templates': await loadTemplates(); markLoaded('templates'); break;
    case 'uri': await loadTemplates(); await loadURIMappings(); break;
    case 'phonebook': await loadPhonebook(); break;
    case 'pnp': await loadSettings(false); break;
    case 'firmware': await loadFirmware(); break;
    case 'status': await refreshDevices(); await loadAudit(); await loadBans(); await refreshServerStatus(); markLoaded('status'); break;
    case 'accounts': await loadAccounts(); break;
    default: break;
  }
}

export function startPolling() {
  stopPolling();
  const tick = async () => {
    if (!state.loggedIn) return;
    try {
      const now = Date.now();
      if (now - state.lastListsRefresh > LISTS_REFRESH_MS) await refreshLists();
      await refreshDevices();
      if (state.activeTab === 'status' && now - state.lastAuditRefresh > AUDIT_REFRESH_MS) {
        await loadAudit();
        await loadBans();
        await refreshServerStatus();
      }
    } catch (_) { /* reported where it happened */ }
    if (state.loggedIn) state.pollTimer = setTimeout(tick, POLL_MS);
  };
  state.pollTimer = setTimeout(tick, POLL_MS);
}

export function stopPolling() {
  if (state.pollTimer) clearTimeout(state.pollTimer);
  state.pollTimer = null;
}

/** Templates and accounts: needed by the device rows' selects and datalist. */
export async function refreshLists() {
  state.lastListsRefresh = Date.now();
  await Promise.all([loadTemplates(), loadAccounts(), refreshServerStatus()]);
}

export function showServerStatus(status) {
  if (!status) return;
  const parts = [];
  if (status.version) parts.push(`version ${status.version}${status.revision != null ? ` (revision ${status.revision})` : ''}`);
  if (typeof status.devices === 'number') parts.push(`${status.devices} phone${status.devices === 1 ? '' : 's'}`);
  if (status.ami) parts.push(status.ami.enabled ? `AMI ${status.ami.connected ? 'connected' : 'disconnected'}` : 'AMI off');
  $('server-info').textContent = parts.join(' · ');
}

async function refreshServerStatus() {
  try { showServerStatus(await api('GET', 'api/status')); } catch (_) { /* shown by the connection badge */ }
}

export function initTabs() {
  for (const tab of TABS) $(`tab-${tab}`).addEventListener('click', () => selectTab(tab));
  $('app').querySelector('.tabs').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const index = TABS.indexOf(state.activeTab) + (event.key === 'ArrowRight' ? 1 : -1);
    const next = TABS[(index + TABS.length) % TABS.length];
    selectTab(next);
    $(`tab-${next}`).focus();
  });
}

// PnP Settings tab: the top-level settings form and the Asterisk files made from it.
import { api, queryString } from './api.js';
import { $, clear, el, markLoaded, setStatus } from './dom.js';
import { mutated, state } from './state.js';
import { reportError, toast } from './toast.js';

// Settings keys in the order the form shows them, with labels and help.
const SETTING_FIELDS = {
  'pbx-host': { label: 'Server Registration Address', kind: 'text', hint: 'IP address or DNS name of this PBX. Phones register to it and fetch their files from it.' },
  'http-port': { label: 'Provisioning HTTP port', kind: 'number', hint: 'TCP port the phones fetch their files from (default 8480). Takes effect when the daemon restarts.' },
  'sip-port': { label: 'SIP port', kind: 'number', hint: 'The PBX\'s SIP port written into the phones\' files ({SIP_PORT}).' },
  'extension-template': { label: 'Extension Template', kind: 'text', hint: 'Star code users dial to bind a phone to their extension, e.g. *123*200 (prefix plus a typical extension).' },
  'mac-whitelist': { label: 'Whitelist of MAC addresses', kind: 'textarea', hint: 'Only these phones are served. Comma, space or one per line. Empty: every phone.' },
  'mac-blacklist': { label: 'Blacklist of MAC addresses', kind: 'textarea', hint: 'These phones are never served. The blacklist wins over the whitelist.' },
  'additional-params': { label: 'Additional Parameters', kind: 'textarea', tall: true, hint: 'Vendor lines merged into every generated file, in INI sections: [yealink], [snom], [snom-phone-settings], [fanvil], [fanvil-sip], [grandstream], [htek], [debug].' },
  'tftp': { label: 'TFTP provisioning (UDP/69)', kind: 'onoff', hint: 'Serve the same files over TFTP (DHCP option 66). Trusted LANs only; takes effect when the daemon restarts.' },
  'guest-username': { label: 'Guest username', kind: 'text', hint: 'The shared SIP account unbound phones get (they can only dial the star code).' },
  'voicemail-number': { label: 'Voicemail number', kind: 'text', hint: 'Number the phones\' message key dials. Digits, * and #.' },
  'phonebook': { label: 'Phonebook', kind: 'onoff', hint: 'Point the phones at the company phonebook (see the Phone book tab).' },
  'asterisk-conf-dir': { label: 'Asterisk files directory', kind: 'text', hint: 'The daemon keeps the dialplan and guest endpoint current here and reloads Asterisk over AMI. Include them once (asterisk-conf --print-includes). Empty: off.' },
  'fetch-guard': { label: 'Who gets a phone\'s file', kind: 'text', hint: 'lan (default): the phone itself on the LAN, its private URL, its device certificate, this host, trusted networks. strict: private URLs, device certificates and this host only. off: anyone.' },
  'trusted-networks': { label: 'Trusted networks', kind: 'textarea', hint: 'Networks behind a router whose hosts may fetch any phone\'s file under lan, e.g. 192.0.2.0/24. Better: give each remote phone its private URL.' },
  'trusted-proxies': { label: 'Trusted reverse proxies', kind: 'textarea', hint: 'Proxies whose X-Forwarded-For names the requester, e.g. 192.0.2.5/32. From anyone else the header is ignored.' },
  'ban-threshold': { label: 'Ban after failures', kind: 'number', hint: 'Failed lookups (a guessed MAC, a wrong token, a refusal) from one address that ban it (default 10).' },
  'ban-window': { label: 'Ban window (s)', kind: 'number', hint: 'The seconds failures are counted in (default 600).' },
  'ban-time': { label: 'Ban time (s)', kind: 'number', hint: 'How long a ban lasts (default 3600). Lift one on the Device status tab.' },
  'https-port': { label: 'Provisioning HTTPS port', kind: 'number', hint: 'TCP port of HTTPS (default 8443), open whenever a certificate is installed (autoprovision tls generate). Takes effect when the daemon restarts.' },
  'phone-scheme': { label: 'URLs handed to phones', kind: 'text', hint: 'auto (default): https while HTTPS runs, else http. http: for phones that cannot do TLS. https: always.' },
  'device-ca': { label: 'Vendor device CAs (PEM)', kind: 'textarea', tall: true, hint: 'PEM certificates of the vendors\' device CAs. When set, HTTPS asks phones for their factory certificate; one that names its MAC gets its own file in every fetch-guard mode. Empty: off.' },
};

function onOff(value) {
  return ['1', 'on', 'true', 'yes'].includes(String(value).trim().toLowerCase()) ? 'on' : 'off';
}

export function settingsDirty() {
  return Array.from(document.querySelectorAll('#settings-fields [data-key]')).some((input) => input.classList.contains('changed'));
}

export async function loadSettings(force) {
  if (!force && state.settings && settingsDirty()) return; // keep unsaved edits
  try {
    state.settings = await api('GET', 'api/settings');
  } catch (error) {
    reportError(error, $('settings-status'));
    return;
  }
  renderSettings();
  markLoaded('pnp');
}

function renderSettings() {
  const box = $('settings-fields');
  clear(box);
  const settings = state.settings || {};
  const keys = [...Object.keys(SETTING_FIELDS).filter((k) => k in settings), ...Object.keys(settings).filter((k) => !(k in SETTING_FIELDS))];
  for (const key of keys) {
    const meta = SETTING_FIELDS[key] || { label: key, kind: 'text', hint: '' };
    const raw = settings[key] == null ? '' : String(settings[key]);
    const id = `setting-${key}`;
    let input;
    if (meta.kind === 'onoff') {
      input = el('select', { id }, el('option', { value: 'on', text: 'on' }), el('option', { value: 'off', text: 'off' }));
      input.value = onOff(raw);
      input.dataset.original = onOff(raw);
    } else if (meta.kind === 'textarea') {
      input = el('textarea', { id, spellcheck: 'false', class: meta.tall ? 'tall' : '' });
      input.value = raw;
      input.dataset.original = raw;
    } else {
      input = el('input', { id, spellcheck: 'false', inputmode: meta.kind === 'number' ? 'numeric' : null });
      input.value = raw;
      input.dataset.original = raw;
    }
    input.dataset.key = key;
    input.setAttribute('data-testid', id);
    const mark = () => {
      input.classList.toggle('changed', input.value !== input.dataset.original);
      input.classList.remove('invalid');
    };
    input.addEventListener('input', mark);
    input.addEventListener('change', mark);
    box.appendChild(el('label', { for: id, text: meta.label, title: key }));
    box.appendChild(input);
    box.appendChild(el('div', { class: 'hint' }, meta.hint, ' ', el('code', { text: key })));
  }
}

async function saveSettings(event) {
  event.preventDefault();
  const status = $('settings-status');
  const changes = {};
  for (const input of document.querySelectorAll('#settings-fields [data-key]')) {
    if (input.value !== input.dataset.original) changes[input.dataset.key] = input.value;
  }
  const keys = Object.keys(changes);
  if (!keys.length) { setStatus(status, 'Nothing changed.', 'ok'); return; }
  setStatus(status, 'Saving…', 'busy');
  try {
    state.settings = await api('PATCH', 'api/settings', changes);
    mutated();
    renderSettings();
    setStatus(status, `Saved ${keys.join(', ')}.`, 'ok');
    toast(`Settings saved: ${keys.join(', ')}.`);
  } catch (error) {
    reportError(error, status);
    const key = error.field || keys.find((k) => error.message.includes(k));
    const input = key && $(`setting-${key}`);
    if (input) { input.classList.add('invalid'); input.focus(); }
  }
}

async function showAsteriskConf() {
  const status = $('astconf-status');
  const box = $('astconf-files');
  setStatus(status, 'Loading…', 'busy');
  try {
    const query = queryString([['agi', $('astconf-agi').value.trim()], ['show-secrets', $('astconf-secrets').checked ? 'true' : 'false']]);
    const files = await api('GET', `api/asterisk-conf?${query}`);
    clear(box);
    for (const file of files) {
      box.appendChild(el('h4', { text: file.name }));
      box.appendChild(el('pre', { class: 'preview', text: file.contents, 'data-testid': `astconf-${file.name}` }));
    }
    setStatus(status, '', 'ok');
  } catch (error) {
    reportError(error, status);
  }
}

export function initPnP() {
  $('settings-form').addEventListener('submit', saveSettings);
  $('settings-reset').addEventListener('click', () => { renderSettings(); setStatus($('settings-status'), 'Changes undone.', 'ok'); });
  $('astconf-show').addEventListener('click', showAsteriskConf);
}

// Autoprovision admin page. Plain JavaScript (ES2020), no framework, no build step.
//
// Security rule for this file: every string that comes from the API is put into the page as
// text (textContent, createTextNode, input.value, option.text), never through innerHTML or an
// attribute that could run code. There is no innerHTML anywhere in this file.
'use strict';

(() => {
  const TOKEN_KEY = 'autoprovision.adminToken';
  const VENDORS = ['yealink', 'snom', 'fanvil', 'grandstream', 'htek'];
  const POLL_MS = 2000;
  const LISTS_REFRESH_MS = 15000;
  const AUDIT_REFRESH_MS = 10000;
  const PREVIEW_DEBOUNCE_MS = 300;
  const TABS = ['phones', 'templates', 'uri', 'phonebook', 'pnp', 'firmware', 'status', 'accounts'];

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
  };

  const state = {
    token: null,
    loggedIn: false,
    activeTab: 'phones',
    devices: [],
    devicesLoaded: false,
    templates: [],
    accounts: [],
    placeholders: [],
    settings: null,
    mutationGeneration: 0,
    pollTimer: null,
    pollRunning: false,
    lastListsRefresh: 0,
    lastAuditRefresh: 0,
    statusSignature: '',
    editor: null,           // { id, dirty } while the template editor is open
    previewSequence: 0,
    previewTimer: null,
    replaceFirmwareId: null,
  };

  /** Device rows of the Phone settings table, by MAC. */
  const deviceRows = new Map();

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  const $ = (id) => document.getElementById(id);

  /**
   * Makes an element. props: class, text, dataset, on (event listeners), value/checked/disabled/
   * hidden/selected (properties), href (only http(s) or relative), anything else as an attribute.
   * Children: strings become text nodes; null/undefined/false are skipped.
   */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
        else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'title', 'type', 'min', 'max'].includes(key)) node[key] = value;
        else if (key === 'href') { const safe = safeHref(value); if (safe) node.setAttribute('href', safe); }
        else if (/^on/i.test(key)) throw new Error('inline event handlers are not allowed');
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    appendChildren(node, children);
    return node;
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
  }

  /** Only http(s) and same-site relative links are put into href. */
  function safeHref(url) {
    if (typeof url !== 'string') return null;
    const trimmed = url.trim();
    if (/^https?:\/\//i.test(trimmed)) return trimmed;
    if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
    return null;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function setStatus(node, message, kind) {
    if (!node) return;
    node.textContent = message || '';
    node.classList.remove('ok', 'error', 'busy');
    if (kind) node.classList.add(kind);
  }

  function toast(message, kind = 'ok') {
    const box = $('toasts');
    const item = el('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : 'status', 'data-testid': kind === 'error' ? 'toast-error' : 'toast' },
      el('span', { class: 'msg', text: message }),
      el('button', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', text: '×', on: { click: () => item.remove() } }));
    box.appendChild(item);
    while (box.children.length > 5) box.firstChild.remove();
    setTimeout(() => item.remove(), kind === 'error' ? 12000 : 4000);
  }

  /** Shows an API error next to the form (statusNode) and as a toast. 401 is handled by api(). */
  function reportError(error, statusNode) {
    if (error && error.unauthorized) return;
    const message = error && error.message ? error.message : String(error);
    setStatus(statusNode, message, 'error');
    toast(message, 'error');
  }

  function compactMAC(mac) { return String(mac || '').replace(/[^0-9a-fA-F]/g, '').toLowerCase(); }

  /** A MAC for a URL path: 12 hex digits, nothing to percent-encode. */
  function macPath(mac) { return enc(compactMAC(mac)); }

  function formatDate(iso) {
    if (!iso) return '—';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  function formatAgo(iso) {
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

  function formatSize(bytes) {
    if (typeof bytes !== 'number') return '—';
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function linesText(device) {
    const lines = (device.lines || []).filter((l) => l && l.extension);
    if (!lines.length) return '—';
    return lines.map((l) => `L${l.line}: ${l.extension}`).join(' · ');
  }

  function extensionFor(device, line) {
    const found = (device.lines || []).find((l) => Number(l.line) === Number(line));
    return found && found.extension ? String(found.extension) : '';
  }

  function fillVendorSelect(select, emptyText) {
    const current = select.value;
    clear(select);
    select.appendChild(el('option', { value: '', text: emptyText }));
    for (const vendor of VENDORS) select.appendChild(el('option', { value: vendor, text: vendor }));
    select.value = current;
  }

  /** Replaces a select's options only when they differ, keeping its value when still offered. */
  function setOptions(select, options, wanted) {
    const key = JSON.stringify(options);
    const value = wanted !== undefined ? wanted : select.value;
    if (select.dataset.optionsKey !== key) {
      clear(select);
      for (const [optionValue, text] of options) select.appendChild(el('option', { value: optionValue, text }));
      select.dataset.optionsKey = key;
    }
    if (options.some(([optionValue]) => optionValue === value)) select.value = value;
  }

  function templateOptions(vendor, current) {
    const options = [['', 'vendor default']];
    const names = state.templates
      .filter((t) => !vendor || t.vendor === vendor)
      .map((t) => t.name)
      .sort((a, b) => a.localeCompare(b));
    for (const name of names) options.push([name, name]);
    if (current && !names.includes(current)) options.push([current, `${current} (other vendor)`]);
    return options;
  }

  // ---------------------------------------------------------------------------------------------
  // API

  class ApiError extends Error {
    constructor(status, message, field, unauthorized = false) {
      super(message);
      this.status = status;
      this.field = field || null;
      this.unauthorized = unauthorized;
    }
  }

  async function errorFrom(response) {
    let message = `${response.status} ${response.statusText || 'error'}`;
    let field = null;
    try {
      const text = await response.text();
      if (text) {
        try {
          const json = JSON.parse(text);
          if (json && typeof json.error === 'string') message = json.error;
          if (json && typeof json.field === 'string') field = json.field;
        } catch (_) {
          message = `${message}: ${text.slice(0, 200)}`;
        }
      }
    } catch (_) { /* body unreadable: keep the status line */ }
    return { message, field };
  }

  /** Calls the admin API. Relative paths ("api/devices") so the page also works behind a path prefix. */
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      setConnection(false);
      throw new ApiError(0, `Cannot reach the admin server (${error.message || error}).`, null);
    }
    setConnection(true);
    if (response.status === 401) {
      const { message } = await errorFrom(response);
      unauthorized(message);
      throw new ApiError(401, message, null, true);
    }
    if (!response.ok) {
      const { message, field } = await errorFrom(response);
      throw new ApiError(response.status, message, field);
    }
    if (response.status === 204) return null;
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (_) {
      throw new ApiError(response.status, 'The server answered something that is not JSON.', null);
    }
  }

  const enc = encodeURIComponent;

  /** name=value&... with %20 for spaces (not URLSearchParams' "+", which a server may keep literally). */
  function queryString(pairs) {
    return pairs.map(([name, value]) => `${enc(name)}=${enc(value)}`).join('&');
  }

  function setConnection(ok) {
    const node = $('conn-state');
    if (ok) { node.hidden = true; return; }
    node.textContent = 'server unreachable';
    node.hidden = false;
  }

  /** Raw-body upload with progress (fetch has no upload progress). Resolves with the parsed JSON. */
  function upload(method, path, file, progress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader('Authorization', `Bearer ${state.token}`);
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.setRequestHeader('Accept', 'application/json');
      progress.max = Math.max(file.size, 1);
      progress.value = 0;
      progress.hidden = false;
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) {
          progress.max = event.total;
          progress.value = event.loaded;
        }
      };
      xhr.upload.onload = () => { progress.value = progress.max; };
      xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the connection was closed (is the file larger than 80 MB, or the server down?).', null));
      xhr.onabort = () => reject(new ApiError(0, 'The upload was aborted.', null));
      xhr.onload = () => {
        let json = null;
        try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (_) { json = null; }
        if (xhr.status === 401) {
          const message = (json && json.error) || 'missing or wrong bearer token';
          unauthorized(message);
          reject(new ApiError(401, message, null, true));
        } else if (xhr.status >= 200 && xhr.status < 300) {
          progress.value = progress.max;
          resolve(json);
        } else {
          const message = (json && typeof json.error === 'string') ? json.error : `${xhr.status} ${xhr.statusText}`;
          reject(new ApiError(xhr.status, message, json && json.field));
        }
      };
      xhr.send(file);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Login

  function showLogin(message) {
    state.loggedIn = false;
    stopPolling();
    $('app').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    const error = $('login-error');
    if (message) {
      error.textContent = message;
      error.hidden = false;
    } else {
      error.textContent = '';
      error.hidden = true;
    }
    const input = $('login-token');
    input.focus();
    input.select();
  }

  function unauthorized(serverMessage) {
    const wasLoggedIn = state.loggedIn;
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    const why = serverMessage ? ` (${serverMessage})` : '';
    let message;
    if (wasLoggedIn) message = `Your token is no longer accepted${why}. Sign in again with the current token from \`autoprovision admin token\`.`;
    else if (state.silentLogin) message = `The token saved in this tab was refused${why}. Sign in again with the token from \`autoprovision admin token\`.`;
    else message = `Wrong token: the server refused it with 401${why}. Copy it again from \`autoprovision admin token\` or admin.token.`;
    showLogin(message);
  }

  async function login(token, silent) {
    state.token = token;
    state.silentLogin = silent;
    const button = $('login-submit');
    button.disabled = true;
    let status;
    try {
      status = await api('GET', 'api/status');
    } catch (error) {
      if (!error.unauthorized) {
        state.token = null;
        showLogin(silent ? '' : `Could not sign in: ${error.message}`);
      }
      return;
    } finally {
      button.disabled = false;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $('login-token').value = '';
    enterApp(status);
  }

  function logout() {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('');
    toast('Logged out.');
  }

  function enterApp(status) {
    state.loggedIn = true;
    $('login').hidden = true;
    $('login-error').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    showServerStatus(status);
    const fromHash = location.hash.replace(/^#/, '');
    const tab = TABS.includes(fromHash) ? fromHash : 'phones';
    selectTab(tab);
    loadPlaceholders();
    if (tab !== 'phones') refreshLists().then(() => refreshDevices());
    startPolling();
  }

  function showServerStatus(status) {
    if (!status) return;
    const parts = [];
    if (status.version) parts.push(`version ${status.version}${status.revision != null ? ` (revision ${status.revision})` : ''}`);
    if (typeof status.devices === 'number') parts.push(`${status.devices} phone${status.devices === 1 ? '' : 's'}`);
    if (status.ami) parts.push(status.ami.enabled ? `AMI ${status.ami.connected ? 'connected' : 'disconnected'}` : 'AMI off');
    $('server-info').textContent = parts.join(' · ');
  }

  // ---------------------------------------------------------------------------------------------
  // Tabs and polling

  function selectTab(name) {
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

  function markLoaded(tab) { $(`panel-${tab}`).dataset.loaded = '1'; }

  async function loadTab(name) {
    switch (name) {
      case 'phones': await refreshLists(); await refreshDevices(); break;
      case 'templates': await loadTemplates(); markLoaded('templates'); break;
      case 'uri': await loadTemplates(); await loadURIMappings(); break;
      case 'phonebook': await loadPhonebook(); break;
      case 'pnp': await loadSettings(false); break;
      case 'firmware': await loadFirmware(); break;
      case 'status': await refreshDevices(); await loadAudit(); await refreshServerStatus(); markLoaded('status'); break;
      case 'accounts': await loadAccounts(); break;
      default: break;
    }
  }

  function startPolling() {
    stopPolling();
    const tick = async () => {
      if (!state.loggedIn) return;
      try {
        const now = Date.now();
        if (now - state.lastListsRefresh > LISTS_REFRESH_MS) await refreshLists();
        await refreshDevices();
        if (state.activeTab === 'status' && now - state.lastAuditRefresh > AUDIT_REFRESH_MS) {
          await loadAudit();
          await refreshServerStatus();
        }
      } catch (_) { /* reported where it happened */ }
      if (state.loggedIn) state.pollTimer = setTimeout(tick, POLL_MS);
    };
    state.pollTimer = setTimeout(tick, POLL_MS);
  }

  function stopPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  /** Templates and accounts: needed by the device rows' selects and datalist. */
  async function refreshLists() {
    state.lastListsRefresh = Date.now();
    await Promise.all([loadTemplates(), loadAccounts(), refreshServerStatus()]);
  }

  async function refreshServerStatus() {
    try { showServerStatus(await api('GET', 'api/status')); } catch (_) { /* shown by the connection badge */ }
  }

  // ---------------------------------------------------------------------------------------------
  // Phone settings

  async function refreshDevices() {
    if (!state.loggedIn) return;
    const generation = state.mutationGeneration;
    let devices;
    try {
      devices = await api('GET', 'api/devices');
    } catch (error) {
      if (!error.unauthorized && error.status !== 0) setStatus($('add-phone-status'), `Could not list phones: ${error.message}`, 'error');
      return;
    }
    // A change made while this request was in flight wins over the older list.
    if (generation !== state.mutationGeneration || !Array.isArray(devices)) return;
    state.devices = devices;
    state.devicesLoaded = true;
    renderDevices();
    renderStatusTable();
    refreshPreviewDeviceOptions();
    markLoaded('phones');
  }

  /** Called after any change made from this page, so an in-flight poll cannot undo what it shows. */
  function mutated() { state.mutationGeneration += 1; }

  function replaceDevice(device) {
    if (!device || !device.mac) return;
    const index = state.devices.findIndex((d) => d.mac === device.mac);
    if (index >= 0) state.devices[index] = device;
    else {
      state.devices.push(device);
      state.devices.sort((a, b) => a.mac.localeCompare(b.mac));
    }
    renderDevices();
    renderStatusTable();
  }

  function renderDevices() {
    const body = $('devices-body');
    const seen = new Set();
    let cursor = body.firstChild;
    for (const device of state.devices) {
      seen.add(device.mac);
      let row = deviceRows.get(device.mac);
      const isNew = !row;
      if (isNew) {
        row = createDeviceRow(device);
        deviceRows.set(device.mac, row);
        updateDeviceRow(row, device, true);
      } else {
        updateDeviceRow(row, device, false);
      }
      // Rows are only inserted, never moved, so a focused input keeps its focus.
      if (cursor !== row.tr) body.insertBefore(row.tr, cursor);
      if (row.detailTr && row.tr.nextSibling !== row.detailTr) body.insertBefore(row.detailTr, row.tr.nextSibling);
      cursor = (row.detailTr || row.tr).nextSibling;
      if (isNew && body.dataset.initialised) {
        row.tr.classList.add('flash');
        setTimeout(() => row.tr.classList.remove('flash'), 1500);
      }
    }
    for (const [mac, row] of deviceRows) {
      if (seen.has(mac)) continue;
      row.tr.remove();
      if (row.detailTr) row.detailTr.remove();
      deviceRows.delete(mac);
    }
    body.dataset.initialised = '1';
    $('devices-empty').hidden = state.devices.length > 0;
  }

  function isEditing(row) {
    const active = document.activeElement;
    const focused = active && row.tr.contains(active) && ['INPUT', 'SELECT', 'TEXTAREA'].includes(active.tagName);
    return row.dirty || focused;
  }

  function setDirty(row, dirty) {
    row.dirty = dirty;
    row.tr.classList.toggle('editing', dirty);
    row.saveButton.classList.toggle('dirty', dirty);
  }

  function createDeviceRow(device) {
    const c = compactMAC(device.mac);
    const row = { mac: device.mac, device, signature: '', dirty: false, detailTr: null, detailMode: null };
    const tid = (what) => `device-${what}-${c}`;

    row.macText = el('span', { class: 'mono', 'data-testid': tid('mac') });
    row.ipText = el('span', { class: 'sub mono' });
    row.vendorText = el('span');
    row.modelText = el('span', { class: 'sub' });
    row.linesText = el('span', { 'data-testid': tid('lines') });
    row.line = el('input', { type: 'number', class: 'line-no', min: 1, max: 16, value: '1', title: 'Line (account) number', 'aria-label': 'Line', 'data-testid': tid('line') });
    row.ext = el('input', { class: 'ext', list: 'accounts-datalist', placeholder: 'extension', title: 'Extension for this line (pick or type)', 'aria-label': 'Extension', spellcheck: 'false', 'data-testid': tid('ext') });
    row.template = el('select', { class: 'tpl', title: 'Template', 'aria-label': 'Template', 'data-testid': tid('template') });
    row.statusCell = el('td', { 'data-testid': tid('status-cell') });
    row.seenText = el('span', { 'data-testid': tid('seen') });
    row.message = el('span', { class: 'form-status sub', 'data-testid': tid('message') });

    row.saveButton = el('button', { type: 'button', class: 'small primary', text: 'Save', title: 'Save extension and template', 'data-testid': tid('save'), on: { click: () => saveDevice(row) } });
    const unbind = el('button', { type: 'button', class: 'small', text: 'Unbind', title: 'Remove the extension from the chosen line', 'data-testid': tid('unbind'), on: { click: () => unbindDevice(row) } });
    const keys = el('button', { type: 'button', class: 'small', text: 'Keys', title: 'BLF / speed-dial keys, vendor and model', 'data-testid': tid('keys'), on: { click: () => toggleDetail(row, 'keys') } });
    const preview = el('button', { type: 'button', class: 'small', text: 'Preview', title: 'The file this phone gets (passwords masked)', 'data-testid': tid('preview'), on: { click: () => toggleDetail(row, 'preview') } });
    const reboot = el('button', { type: 'button', class: 'small', text: 'Reboot', title: 'Make the phone reboot and fetch its file again', 'data-testid': tid('reboot'), on: { click: () => rebootDevice(row) } });
    const remove = el('button', { type: 'button', class: 'small danger', text: 'Remove', title: 'Forget this phone and its bindings', 'data-testid': tid('remove'), on: { click: () => removeDevice(row) } });

    row.line.addEventListener('input', () => {
      if (!row.extTouched) row.ext.value = extensionFor(row.device, row.line.value);
    });
    row.ext.addEventListener('input', () => { row.extTouched = true; setDirty(row, true); });
    row.template.addEventListener('change', () => setDirty(row, true));
    const onEnter = (event) => { if (event.key === 'Enter') { event.preventDefault(); saveDevice(row); } };
    row.ext.addEventListener('keydown', onEnter);

    row.tr = el('tr', { 'data-mac': device.mac, 'data-testid': `device-row-${c}` },
      el('td', null, row.macText, row.ipText),
      el('td', null, row.vendorText, row.modelText),
      el('td', null, row.linesText),
      el('td', { class: 'mono' }, row.line, ' ', row.ext),
      el('td', null, row.template),
      row.statusCell,
      el('td', null, row.seenText),
      el('td', { class: 'actions' }, row.saveButton, unbind, keys, preview, reboot, remove, row.message));
    return row;
  }

  function updateDeviceRow(row, device, force) {
    const signature = JSON.stringify(device);
    const changed = signature !== row.signature;
    row.device = device;
    row.signature = signature;
    if (changed || force) {
      row.macText.textContent = device.mac;
      row.ipText.textContent = device.lastIP || '';
      row.vendorText.textContent = device.vendor || '?';
      row.modelText.textContent = [device.model, device.firmware].filter(Boolean).join(' · ');
      row.linesText.textContent = linesText(device);
      clear(row.statusCell);
      row.statusCell.appendChild(statusBadge(device.status, device.statusReason));
      if (device.registered === true) row.statusCell.appendChild(el('span', { class: 'sub reg-yes', text: 'registered' }));
      else if (device.registered === false) row.statusCell.appendChild(el('span', { class: 'sub reg-no', text: 'not registered' }));
    }
    row.seenText.textContent = formatAgo(device.lastSeen);
    row.seenText.title = device.lastSeen ? `last seen ${formatDate(device.lastSeen)}; last config fetch ${formatDate(device.lastConfigFetch)}` : 'never seen';
    if (force || !isEditing(row)) {
      row.ext.value = extensionFor(device, row.line.value);
      row.extTouched = false;
      setOptions(row.template, templateOptions(device.vendor, device.template), device.template || '');
      setDirty(row, false);
    } else if (document.activeElement !== row.template) {
      // Keep the admin's choice, but offer templates added meanwhile.
      setOptions(row.template, templateOptions(device.vendor, row.template.value || device.template));
    }
  }

  function statusBadge(status, reason) {
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

  async function saveDevice(row) {
    const line = parseInt(row.line.value, 10);
    if (!Number.isInteger(line) || line < 1 || line > 16) {
      setStatus(row.message, 'The line must be a number from 1 to 16.', 'error');
      return;
    }
    const extension = row.ext.value.trim();
    const current = extensionFor(row.device, line);
    const template = row.template.value;
    const currentTemplate = row.device.template || '';
    const mac = macPath(row.mac);
    setStatus(row.message, 'Saving…', 'busy');
    row.saveButton.disabled = true;
    mutated();
    let device = null;
    try {
      if (extension !== current) {
        if (extension) device = await api('PUT', `api/devices/${mac}/lines/${line}`, { extension });
        else if (current) device = await api('DELETE', `api/devices/${mac}/lines/${line}`);
      }
      if (template !== currentTemplate) {
        device = await api('PATCH', `api/devices/${mac}`, { template: template || null });
      }
      if (!device) {
        setStatus(row.message, 'Nothing to save.', 'ok');
        setDirty(row, false);
        return;
      }
      mutated();
      setDirty(row, false);
      updateDeviceRow(row, device, true);
      replaceDevice(device);
      setStatus(row.message, 'Saved.', 'ok');
    } catch (error) {
      reportError(error, row.message);
    } finally {
      row.saveButton.disabled = false;
    }
  }

  async function unbindDevice(row) {
    const line = parseInt(row.line.value, 10) || 1;
    if (!extensionFor(row.device, line)) {
      setStatus(row.message, `Line ${line} is not bound.`, 'error');
      return;
    }
    setStatus(row.message, 'Unbinding…', 'busy');
    mutated();
    try {
      const device = await api('DELETE', `api/devices/${macPath(row.mac)}/lines/${line}`);
      mutated();
      if (device) { updateDeviceRow(row, device, true); replaceDevice(device); }
      setStatus(row.message, `Line ${line} unbound.`, 'ok');
    } catch (error) {
      reportError(error, row.message);
    }
  }

  async function rebootDevice(row) {
    if (!window.confirm(`Reboot the phone ${row.mac}? A call in progress on it is cut.`)) return;
    setStatus(row.message, 'Sending reboot…', 'busy');
    try {
      const answer = await api('POST', `api/devices/${macPath(row.mac)}/reboot`);
      const via = (answer && answer.via ? ` via ${answer.via}` : '') + (answer && answer.detail ? ` (${answer.detail})` : '');
      setStatus(row.message, `Reboot sent${via}.`, 'ok');
      toast(`Reboot sent to ${row.mac}${via}.`);
    } catch (error) {
      reportError(error, row.message);
    }
  }

  async function removeDevice(row) {
    if (!window.confirm(`Remove the phone ${row.mac} and its line bindings?`)) return;
    mutated();
    try {
      await api('DELETE', `api/devices/${macPath(row.mac)}`);
      mutated();
      state.devices = state.devices.filter((d) => d.mac !== row.mac);
      renderDevices();
      renderStatusTable();
      toast(`Removed ${row.mac}.`);
    } catch (error) {
      reportError(error, row.message);
    }
  }

  function closeDetail(row) {
    if (row.detailTr) row.detailTr.remove();
    row.detailTr = null;
    row.detailMode = null;
  }

  function toggleDetail(row, mode) {
    if (row.detailMode === mode) { closeDetail(row); return; }
    closeDetail(row);
    const c = compactMAC(row.mac);
    const content = mode === 'keys' ? buildKeysPanel(row) : buildPreviewPanel(row);
    row.detailTr = el('tr', { class: 'detail', 'data-testid': `device-detail-${c}` },
      el('td', { colspan: '8' }, content));
    row.detailMode = mode;
    row.tr.parentNode.insertBefore(row.detailTr, row.tr.nextSibling);
  }

  function buildKeysPanel(row) {
    const c = compactMAC(row.mac);
    const status = el('span', { class: 'form-status', 'data-testid': `keys-status-${c}` });

    // Vendor and model of the device.
    const vendor = el('select', { 'data-testid': `device-vendor-${c}` });
    fillVendorSelect(vendor, '? (by MAC prefix)');
    vendor.value = row.device.vendor || '';
    const model = el('input', { size: '10', value: row.device.model || '', placeholder: 'model', 'data-testid': `device-model-${c}` });
    const deviceStatus = el('span', { class: 'form-status' });
    const saveDevice = el('button', {
      type: 'button', class: 'small primary', text: 'Save vendor & model', on: {
        click: async () => {
          const patch = {};
          if ((vendor.value || null) !== (row.device.vendor || null)) patch.vendor = vendor.value || null;
          if (model.value.trim() !== (row.device.model || '')) patch.model = model.value.trim();
          if (!Object.keys(patch).length) { setStatus(deviceStatus, 'Nothing changed.', 'ok'); return; }
          mutated();
          try {
            const device = await api('PATCH', `api/devices/${macPath(row.mac)}`, patch);
            mutated();
            updateDeviceRow(row, device, true);
            replaceDevice(device);
            setStatus(deviceStatus, 'Saved.', 'ok');
          } catch (error) { reportError(error, deviceStatus); }
        },
      },
    });

    // Keys.
    const keysBody = el('tbody', { 'data-testid': `keys-body-${c}` });
    const addKeyRow = (key) => {
      const type = el('select', { class: 'key-type', 'aria-label': 'Type' },
        el('option', { value: 'blf', text: 'BLF' }), el('option', { value: 'speed', text: 'Speed dial' }));
      type.value = key && key.type === 'speed' ? 'speed' : 'blf';
      const value = el('input', { class: 'key-value', value: (key && key.value) || '', placeholder: 'extension/number', 'aria-label': 'Value' });
      const label = el('input', { class: 'key-label', value: (key && key.label) || '', placeholder: 'label', 'aria-label': 'Label' });
      const tr = el('tr', null,
        el('td', { class: 'key-pos' }),
        el('td', null, type), el('td', null, value), el('td', null, label),
        el('td', null,
          el('button', { type: 'button', class: 'small', text: '↑', title: 'Move up', on: { click: () => { if (tr.previousSibling) keysBody.insertBefore(tr, tr.previousSibling); renumber(); } } }),
          el('button', { type: 'button', class: 'small', text: '↓', title: 'Move down', on: { click: () => { if (tr.nextSibling) keysBody.insertBefore(tr.nextSibling, tr); renumber(); } } }),
          el('button', { type: 'button', class: 'small danger', text: '✕', title: 'Remove key', on: { click: () => { tr.remove(); renumber(); } } })));
      tr.keyInputs = { type, value, label };
      keysBody.appendChild(tr);
      renumber();
      return tr;
    };
    const renumber = () => { Array.from(keysBody.children).forEach((tr, i) => { tr.firstChild.textContent = String(i + 1); }); };
    const load = async () => {
      setStatus(status, 'Loading…', 'busy');
      try {
        const keys = await api('GET', `api/devices/${macPath(row.mac)}/keys`);
        clear(keysBody);
        for (const key of keys || []) addKeyRow(key);
        setStatus(status, keys && keys.length ? '' : 'No keys yet.', 'ok');
      } catch (error) { reportError(error, status); }
    };
    const save = async () => {
      const keys = Array.from(keysBody.children).map((tr) => ({
        type: tr.keyInputs.type.value, value: tr.keyInputs.value.value.trim(), label: tr.keyInputs.label.value,
      }));
      setStatus(status, 'Saving…', 'busy');
      mutated();
      try {
        const saved = await api('PUT', `api/devices/${macPath(row.mac)}/keys`, keys);
        mutated();
        clear(keysBody);
        for (const key of saved || []) addKeyRow(key);
        setStatus(status, `Saved ${keys.length} key${keys.length === 1 ? '' : 's'}.`, 'ok');
      } catch (error) { reportError(error, status); }
    };
    load();

    return el('div', { class: 'detail-grid' },
      el('div', null,
        el('h4', { text: 'Device' }),
        el('div', { class: 'row-buttons' }, el('label', null, 'Vendor ', vendor), el('label', null, 'Model ', model)),
        el('div', { class: 'row-buttons' }, saveDevice, deviceStatus)),
      el('div', null,
        el('h4', { text: 'Programmable keys (BLF / speed dial), in the phone\'s order' }),
        el('table', { class: 'keys-table' },
          el('thead', null, el('tr', null, el('th', { text: '#' }), el('th', { text: 'Type' }), el('th', { text: 'Value' }), el('th', { text: 'Label' }), el('th'))),
          keysBody),
        el('div', { class: 'row-buttons' },
          el('button', { type: 'button', class: 'small', text: 'Add key', 'data-testid': `keys-add-${c}`, on: { click: () => addKeyRow(null).keyInputs.value.focus() } }),
          el('button', { type: 'button', class: 'small primary', text: 'Save keys', 'data-testid': `keys-save-${c}`, on: { click: save } }),
          el('button', { type: 'button', class: 'small', text: 'Reload', on: { click: load } }),
          el('button', { type: 'button', class: 'small', text: 'Close', on: { click: () => closeDetail(row) } }),
          status)));
  }

  function buildPreviewPanel(row) {
    const c = compactMAC(row.mac);
    const vendor = el('select', { 'data-testid': `preview-vendor-${c}` });
    fillVendorSelect(vendor, 'as recorded');
    const info = el('span', { class: 'form-status', 'data-testid': `preview-status-${c}` });
    const problems = el('ul', { class: 'problems' });
    const pre = el('pre', { class: 'preview', 'data-testid': `device-preview-body-${c}` });
    const load = async () => {
      setStatus(info, 'Loading…', 'busy');
      const query = vendor.value ? `?vendor=${enc(vendor.value)}` : '';
      try {
        const preview = await api('GET', `api/devices/${macPath(row.mac)}/preview${query}`);
        pre.textContent = preview.body || '';
        clear(problems);
        for (const problem of preview.problems || []) problems.appendChild(el('li', { text: problem }));
        setStatus(info, `${preview.vendor || ''} · ${preview.contentType || ''} · passwords masked`, 'ok');
      } catch (error) {
        pre.textContent = '';
        reportError(error, info);
      }
    };
    vendor.addEventListener('change', load);
    load();
    return el('div', null,
      el('div', { class: 'row-buttons' },
        el('strong', { text: `File for ${row.mac}` }),
        el('label', null, 'Vendor ', vendor),
        el('button', { type: 'button', class: 'small', text: 'Refresh', on: { click: load } }),
        el('button', { type: 'button', class: 'small', text: 'Close', on: { click: () => closeDetail(row) } }),
        info),
      problems, pre);
  }

  function refreshAddPhoneTemplates() {
    setOptions($('add-phone-template'), templateOptions($('add-phone-vendor').value || null, null));
  }

  async function addPhone(event) {
    event.preventDefault();
    const status = $('add-phone-status');
    const body = { mac: $('add-phone-mac').value.trim() };
    const vendor = $('add-phone-vendor').value;
    const extension = $('add-phone-extension').value.trim();
    const template = $('add-phone-template').value;
    if (vendor) body.vendor = vendor;
    if (extension) body.extension = extension;
    if (template) body.template = template;
    setStatus(status, 'Adding…', 'busy');
    mutated();
    try {
      const device = await api('POST', 'api/devices', body);
      mutated();
      replaceDevice(device);
      setStatus(status, `Added ${device.mac}.`, 'ok');
      $('add-phone-form').reset();
      refreshAddPhoneTemplates();
      const row = deviceRows.get(device.mac);
      if (row) {
        row.tr.classList.add('flash');
        setTimeout(() => row.tr.classList.remove('flash'), 1500);
      }
    } catch (error) {
      reportError(error, status);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Settings templates

  async function loadTemplates() {
    try {
      const templates = await api('GET', 'api/templates');
      state.templates = Array.isArray(templates) ? templates : [];
    } catch (error) {
      reportError(error, $('templates-status'));
      return;
    }
    renderTemplates();
    for (const row of deviceRows.values()) updateDeviceRow(row, row.device, false);
    refreshAddPhoneTemplates();
    const names = state.templates.map((t) => t.name).sort((a, b) => a.localeCompare(b));
    setOptions($('uri-template'), [['', '— choose —'], ...names.map((n) => [n, n])]);
  }

  function renderTemplates() {
    const body = $('templates-body');
    clear(body);
    const sorted = [...state.templates].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.name.localeCompare(b.name));
    for (const template of sorted) {
      const edit = () => openEditor(template);
      const tr = el('tr', { 'data-template-id': String(template.id), 'data-testid': 'template-row', class: state.editor && state.editor.id === template.id ? 'selected' : '' },
        el('td', { class: 'template-name', 'data-testid': 'template-name-cell', text: template.name }),
        el('td', { text: template.vendor }),
        el('td', { text: template.isVendorDefault ? '✓ default' : '' }),
        el('td', { text: formatDate(template.updatedAt) }),
        el('td', { text: formatSize(new Blob([template.body || '']).size) }),
        el('td', { class: 'actions' },
          el('button', { type: 'button', class: 'small', text: 'Edit', 'data-testid': `template-edit-${template.id}`, on: { click: edit } })));
      tr.addEventListener('dblclick', edit);
      body.appendChild(tr);
    }
    $('templates-empty').hidden = state.templates.length > 0;
  }

  function openEditor(template) {
    if (state.editor && state.editor.dirty && !window.confirm('Discard the unsaved changes of the template being edited?')) return;
    state.editor = { id: template ? template.id : null, dirty: false };
    $('template-editor').hidden = false;
    $('template-editor-title').textContent = template ? `Edit template “${template.name}”` : 'New template';
    $('template-name').value = template ? template.name : '';
    $('template-vendor').value = template ? template.vendor : '';
    $('template-default').checked = !!(template && template.isVendorDefault);
    $('template-body').value = template ? template.body || '' : '';
    $('template-delete').hidden = !template;
    setStatus($('template-status'), '', null);
    renderTemplates();
    refreshPreviewDeviceOptions();
    schedulePreview(0);
    (template ? $('template-body') : $('template-name')).focus();
    $('template-editor').scrollIntoView({ block: 'nearest' });
  }

  function closeEditor(force) {
    if (!force && state.editor && state.editor.dirty && !window.confirm('Discard the unsaved changes?')) return;
    state.editor = null;
    $('template-editor').hidden = true;
    renderTemplates();
  }

  function editorChanged() {
    if (state.editor) state.editor.dirty = true;
    schedulePreview(PREVIEW_DEBOUNCE_MS);
  }

  function refreshPreviewDeviceOptions() {
    const select = $('template-preview-mac');
    if (document.activeElement === select) return;
    const vendor = $('template-vendor').value;
    const devices = [...state.devices].sort((a, b) => {
      const am = a.vendor === vendor ? 0 : 1;
      const bm = b.vendor === vendor ? 0 : 1;
      return am - bm || a.mac.localeCompare(b.mac);
    });
    const options = [['', 'a sample phone']];
    for (const device of devices) {
      const ext = extensionFor(device, 1);
      options.push([device.mac, `${device.mac} — ${device.vendor || '?'}${device.model ? ` ${device.model}` : ''}${ext ? ` (${ext})` : ''}`]);
    }
    setOptions(select, options);
  }

  function schedulePreview(delay) {
    if (state.previewTimer) clearTimeout(state.previewTimer);
    state.previewTimer = setTimeout(runPreview, delay);
  }

  async function runPreview() {
    state.previewTimer = null;
    if (!state.editor) return;
    const sequence = ++state.previewSequence;
    const info = $('template-preview-state');
    const pre = $('template-preview');
    const problems = $('template-preview-problems');
    const vendor = $('template-vendor').value;
    if (!vendor) {
      setStatus(info, 'Choose a vendor to see the preview.', null);
      pre.textContent = '';
      clear(problems);
      return;
    }
    const body = { vendor, body: $('template-body').value };
    const mac = $('template-preview-mac').value;
    if (mac) body.mac = mac;
    setStatus(info, 'Rendering…', 'busy');
    pre.dataset.state = 'loading';
    try {
      const preview = await api('POST', 'api/templates/preview', body);
      if (sequence !== state.previewSequence) return; // a newer edit is on its way
      pre.textContent = preview.body || '';
      clear(problems);
      for (const problem of preview.problems || []) problems.appendChild(el('li', { text: problem }));
      setStatus(info, `${mac ? `for ${mac}` : 'for a sample phone'} · ${preview.contentType || ''} · passwords masked`, 'ok');
      pre.dataset.state = 'ok';
    } catch (error) {
      if (sequence !== state.previewSequence || error.unauthorized) return;
      pre.textContent = '';
      clear(problems);
      setStatus(info, `Preview failed: ${error.message}`, 'error');
      pre.dataset.state = 'error';
    }
  }

  function insertPlaceholder(name) {
    const area = $('template-body');
    const text = name.startsWith('{') ? name : `{${name}}`;
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    area.focus();
    area.setRangeText(text, start, end, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  async function loadPlaceholders() {
    try {
      const list = await api('GET', 'api/placeholders');
      state.placeholders = Array.isArray(list) ? list : [];
    } catch (error) {
      reportError(error, $('template-status'));
      return;
    }
    const box = $('placeholders');
    clear(box);
    for (const placeholder of state.placeholders) {
      box.appendChild(el('button', {
        type: 'button', text: placeholder.name, title: placeholder.description || '',
        'data-testid': 'placeholder', on: { click: () => insertPlaceholder(String(placeholder.name)) },
      }));
      box.appendChild(document.createTextNode(' '));
    }
  }

  async function saveTemplate(event) {
    event.preventDefault();
    if (!state.editor) return;
    const status = $('template-status');
    const body = {
      name: $('template-name').value.trim(),
      vendor: $('template-vendor').value,
      body: $('template-body').value,
      isVendorDefault: $('template-default').checked,
    };
    setStatus(status, 'Saving…', 'busy');
    try {
      const saved = state.editor.id == null
        ? await api('POST', 'api/templates', body)
        : await api('PUT', `api/templates/${enc(state.editor.id)}`, body);
      mutated();
      state.editor = { id: saved.id, dirty: false };
      $('template-editor-title').textContent = `Edit template “${saved.name}”`;
      $('template-delete').hidden = false;
      setStatus(status, `Saved “${saved.name}”.`, 'ok');
      toast(`Template “${saved.name}” saved.`);
      await loadTemplates();
      refreshDevices();
    } catch (error) {
      reportError(error, status);
      if (error.field === 'name') $('template-name').focus();
    }
  }

  async function deleteTemplate() {
    if (!state.editor || state.editor.id == null) return;
    const name = $('template-name').value;
    if (!window.confirm(`Delete the template “${name}”? Phones using it fall back to their vendor's default.`)) return;
    try {
      await api('DELETE', `api/templates/${enc(state.editor.id)}`);
      mutated();
      toast(`Template “${name}” deleted.`);
      closeEditor(true);
      await loadTemplates();
      refreshDevices();
    } catch (error) {
      reportError(error, $('template-status'));
    }
  }

  async function loadExamples() {
    const status = $('templates-status');
    setStatus(status, 'Loading examples…', 'busy');
    try {
      const answer = await api('POST', 'api/templates/examples');
      const added = (answer && answer.added) || [];
      setStatus(status, added.length ? `Added: ${added.join(', ')}.` : 'The examples are already there.', 'ok');
      await loadTemplates();
    } catch (error) {
      reportError(error, status);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // URI Settings

  async function loadURIMappings() {
    let mappings;
    try {
      mappings = await api('GET', 'api/uri-mappings');
    } catch (error) {
      reportError(error, $('uri-status'));
      return;
    }
    const body = $('uri-body');
    clear(body);
    for (const mapping of mappings || []) {
      body.appendChild(el('tr', { 'data-testid': 'uri-row', 'data-id': String(mapping.id) },
        el('td', { class: 'mono', text: mapping.path }),
        el('td', { text: mapping.template }),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `uri-remove-${mapping.id}`,
          on: { click: () => removeURIMapping(mapping) },
        }))));
    }
    $('uri-empty').hidden = (mappings || []).length > 0;
    markLoaded('uri');
  }

  async function addURIMapping(event) {
    event.preventDefault();
    const status = $('uri-status');
    const path = $('uri-path').value.trim();
    const template = $('uri-template').value;
    setStatus(status, 'Adding…', 'busy');
    try {
      await api('POST', 'api/uri-mappings', { path, template });
      setStatus(status, `Added ${path} → ${template}.`, 'ok');
      $('uri-path').value = '';
      await loadURIMappings();
    } catch (error) {
      reportError(error, status);
    }
  }

  async function removeURIMapping(mapping) {
    if (!window.confirm(`Remove the mapping ${mapping.path}?`)) return;
    try {
      await api('DELETE', `api/uri-mappings/${enc(mapping.id)}`);
      setStatus($('uri-status'), `Removed ${mapping.path}.`, 'ok');
      await loadURIMappings();
    } catch (error) {
      reportError(error, $('uri-status'));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Phone book

  async function loadPhonebook() {
    const status = $('pb-status');
    try {
      const [sources, entries] = await Promise.all([api('GET', 'api/phonebook/sources'), api('GET', 'api/phonebook/entries')]);
      const sourcesBody = $('pb-sources-body');
      clear(sourcesBody);
      for (const source of sources || []) {
        sourcesBody.appendChild(el('tr', { 'data-testid': 'pb-source-row', 'data-id': String(source.id) },
          el('td', { text: source.name || '' }),
          el('td', { class: 'mono', text: source.url }),
          el('td', { class: 'actions' }, el('button', {
            type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `pb-remove-${source.id}`,
            on: { click: () => removePhonebookSource(source) },
          }))));
      }
      $('pb-sources-empty').hidden = (sources || []).length > 0;
      const entriesBody = $('pb-entries-body');
      clear(entriesBody);
      for (const entry of entries || []) {
        entriesBody.appendChild(el('tr', { 'data-testid': 'pb-entry-row' },
          el('td', { text: entry.name }), el('td', { class: 'mono', text: entry.number })));
      }
      $('pb-entries-empty').hidden = (entries || []).length > 0;
      $('pb-count').textContent = `${(entries || []).length} entr${(entries || []).length === 1 ? 'y' : 'ies'}`;
      markLoaded('phonebook');
    } catch (error) {
      reportError(error, status);
    }
  }

  async function addPhonebookSource(event) {
    event.preventDefault();
    const status = $('pb-status');
    const body = { url: $('pb-url').value.trim() };
    const name = $('pb-name').value.trim();
    if (name) body.name = name;
    setStatus(status, 'Adding…', 'busy');
    try {
      await api('POST', 'api/phonebook/sources', body);
      setStatus(status, `Added ${body.url}. It is fetched in the background.`, 'ok');
      $('pb-form').reset();
      await loadPhonebook();
    } catch (error) {
      reportError(error, status);
    }
  }

  async function removePhonebookSource(source) {
    if (!window.confirm(`Remove the phonebook source ${source.url}?`)) return;
    try {
      await api('DELETE', `api/phonebook/sources/${enc(source.id)}`);
      setStatus($('pb-status'), 'Source removed.', 'ok');
      await loadPhonebook();
    } catch (error) {
      reportError(error, $('pb-status'));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // PnP Settings

  function onOff(value) {
    return ['1', 'on', 'true', 'yes'].includes(String(value).trim().toLowerCase()) ? 'on' : 'off';
  }

  function settingsDirty() {
    return Array.from(document.querySelectorAll('#settings-fields [data-key]')).some((input) => input.classList.contains('changed'));
  }

  async function loadSettings(force) {
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

  // ---------------------------------------------------------------------------------------------
  // Firmware

  async function loadFirmware() {
    let list;
    try {
      list = await api('GET', 'api/firmware');
    } catch (error) {
      reportError(error, $('fw-status'));
      return;
    }
    const body = $('fw-body');
    clear(body);
    for (const firmware of list || []) {
      const sha = String(firmware.sha256 || '');
      const href = safeHref(firmware.url);
      const link = href
        ? el('a', { href, text: firmware.fileName || firmware.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': `fw-link-${firmware.id}` })
        : el('span', { text: firmware.fileName || String(firmware.url || ''), 'data-testid': `fw-link-${firmware.id}` });
      body.appendChild(el('tr', { 'data-testid': 'fw-row', 'data-id': String(firmware.id), 'data-file-name': String(firmware.fileName || '') },
        el('td', { text: firmware.vendor }),
        el('td', firmware.model ? { text: firmware.model } : { class: 'muted', text: 'all models' }),
        el('td', { text: firmware.version || '' }),
        el('td', { text: formatSize(firmware.size), title: `${firmware.size} bytes` }),
        el('td', { class: 'mono', text: sha.slice(0, 12), title: sha }),
        el('td', null, link, el('span', { class: 'sub mono', text: String(firmware.url || '') })),
        el('td', { class: 'wrap', text: firmware.notes || '' }),
        el('td', { text: formatDate(firmware.createdAt) }),
        el('td', { class: 'actions' },
          el('button', { type: 'button', class: 'small', text: 'Replace file', 'data-testid': `fw-replace-${firmware.id}`, on: { click: () => chooseReplacement(firmware) } }),
          el('button', { type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `fw-remove-${firmware.id}`, on: { click: () => removeFirmware(firmware) } }))));
    }
    $('fw-empty').hidden = (list || []).length > 0;
    markLoaded('firmware');
  }

  async function uploadFirmware(event) {
    event.preventDefault();
    const status = $('fw-status');
    const file = $('fw-file').files[0];
    const vendor = $('fw-vendor').value;
    if (!file) { setStatus(status, 'Choose a file.', 'error'); return; }
    if (!vendor) { setStatus(status, 'Choose the vendor.', 'error'); return; }
    const params = [['vendor', vendor]];
    for (const [name, id] of [['model', 'fw-model'], ['version', 'fw-version'], ['notes', 'fw-notes']]) {
      const value = $(id).value.trim();
      if (value) params.push([name, value]);
    }
    params.push(['filename', file.name]);
    const query = queryString(params);
    const button = $('fw-upload');
    button.disabled = true;
    setStatus(status, `Uploading ${file.name} (${formatSize(file.size)})…`, 'busy');
    try {
      const firmware = await upload('POST', `api/firmware?${query}`, file, $('fw-progress'));
      setStatus(status, `Uploaded ${firmware ? firmware.fileName : file.name}.`, 'ok');
      toast(`Firmware ${firmware ? firmware.fileName : file.name} uploaded.`);
      $('fw-file').value = '';
      await loadFirmware();
    } catch (error) {
      reportError(error, status);
    } finally {
      button.disabled = false;
    }
  }

  function chooseReplacement(firmware) {
    state.replaceFirmwareId = firmware.id;
    const input = $('fw-replace-file');
    input.value = '';
    input.click();
  }

  async function replaceFirmware() {
    const input = $('fw-replace-file');
    const file = input.files[0];
    const id = state.replaceFirmwareId;
    if (!file || id == null) return;
    const status = $('fw-status');
    setStatus(status, `Replacing the file of row ${id} with ${file.name}…`, 'busy');
    try {
      const firmware = await upload('PUT', `api/firmware/${enc(id)}/file?${queryString([['filename', file.name]])}`, file, $('fw-progress'));
      setStatus(status, `Replaced with ${firmware ? firmware.fileName : file.name}.`, 'ok');
      await loadFirmware();
    } catch (error) {
      reportError(error, status);
    } finally {
      state.replaceFirmwareId = null;
      input.value = '';
    }
  }

  async function removeFirmware(firmware) {
    if (!window.confirm(`Remove the firmware ${firmware.fileName}? Phones stop being offered it.`)) return;
    try {
      await api('DELETE', `api/firmware/${enc(firmware.id)}`);
      setStatus($('fw-status'), `Removed ${firmware.fileName}.`, 'ok');
      await loadFirmware();
    } catch (error) {
      reportError(error, $('fw-status'));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Device status and audit log

  function renderStatusTable() {
    const signature = JSON.stringify(state.devices.map((d) => [d.mac, d.vendor, d.model, d.firmware, d.lastIP, d.lines, d.lastSeen, d.lastConfigFetch, d.firstSeen, d.registered, d.status]));
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
        el('td', { text: formatDate(device.lastConfigFetch), title: formatAgo(device.lastConfigFetch) }),
        el('td', { text: formatDate(device.firstSeen) }),
        el('td', null, registered),
        el('td', null, statusBadge(device.status, device.statusReason),
          device.statusReason ? el('span', { class: 'sub', text: String(device.statusReason) }) : null)));
    }
    $('status-empty').hidden = state.devices.length > 0;
  }

  async function loadAudit() {
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

  // ---------------------------------------------------------------------------------------------
  // Accounts

  async function loadAccounts() {
    let accounts;
    try {
      accounts = await api('GET', 'api/accounts');
    } catch (error) {
      reportError(error, $('account-status'));
      return;
    }
    state.accounts = Array.isArray(accounts) ? accounts : [];
    const body = $('accounts-body');
    clear(body);
    const datalist = $('accounts-datalist');
    clear(datalist);
    for (const account of state.accounts) {
      body.appendChild(el('tr', { 'data-testid': 'account-row', 'data-extension': String(account.extension) },
        el('td', { class: 'mono', text: account.extension }),
        el('td', { text: account.displayName || '' }),
        el('td', { class: 'mono', text: account.authUsername || '' }),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: 'small danger', text: 'Remove', 'data-testid': `account-remove-${account.extension}`,
          on: { click: () => removeAccount(account) },
        }))));
      datalist.appendChild(el('option', { value: String(account.extension), label: account.displayName ? `${account.extension} — ${account.displayName}` : String(account.extension) }));
    }
    $('accounts-empty').hidden = state.accounts.length > 0;
    markLoaded('accounts');
  }

  async function addAccount(event) {
    event.preventDefault();
    const status = $('account-status');
    const password = $('account-password');
    const body = { extension: $('account-extension').value.trim() };
    const displayName = $('account-name').value.trim();
    const authUsername = $('account-username').value.trim();
    if (displayName) body.displayName = displayName;
    if (authUsername) body.authUsername = authUsername;
    if (password.value) body.password = password.value;
    password.value = ''; // never keep a password in the page longer than needed
    setStatus(status, 'Adding…', 'busy');
    try {
      const account = await api('POST', 'api/accounts', body);
      const generated = body.password ? '' : ' with a generated password';
      setStatus(status, `Added ${account ? account.extension : body.extension}${generated}.`, 'ok');
      $('account-form').reset();
      await loadAccounts();
    } catch (error) {
      reportError(error, status);
    }
  }

  async function removeAccount(account) {
    if (!window.confirm(`Remove the account ${account.extension}? Phones bound to it get no credentials.`)) return;
    try {
      await api('DELETE', `api/accounts/${enc(account.extension)}`);
      setStatus($('account-status'), `Removed ${account.extension}.`, 'ok');
      await loadAccounts();
    } catch (error) {
      reportError(error, $('account-status'));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  function init() {
    for (const select of document.querySelectorAll('select.vendor-select')) {
      fillVendorSelect(select, select.dataset.empty || '— choose —');
    }
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('login-token').value.trim();
      if (!token) { showLogin('Enter the admin token.'); return; }
      login(token, false);
    });
    $('logout').addEventListener('click', logout);
    for (const tab of TABS) $(`tab-${tab}`).addEventListener('click', () => selectTab(tab));
    $('app').querySelector('.tabs').addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const index = TABS.indexOf(state.activeTab) + (event.key === 'ArrowRight' ? 1 : -1);
      const next = TABS[(index + TABS.length) % TABS.length];
      selectTab(next);
      $(`tab-${next}`).focus();
    });

    $('add-phone-form').addEventListener('submit', addPhone);
    $('add-phone-vendor').addEventListener('change', refreshAddPhoneTemplates);

    $('template-add').addEventListener('click', () => openEditor(null));
    $('template-load-examples').addEventListener('click', loadExamples);
    $('template-editor').addEventListener('submit', saveTemplate);
    $('template-delete').addEventListener('click', deleteTemplate);
    $('template-close').addEventListener('click', () => closeEditor(false));
    $('template-body').addEventListener('input', editorChanged);
    $('template-name').addEventListener('input', () => { if (state.editor) state.editor.dirty = true; });
    $('template-default').addEventListener('change', () => { if (state.editor) state.editor.dirty = true; });
    $('template-vendor').addEventListener('change', () => { editorChanged(); refreshPreviewDeviceOptions(); });
    $('template-preview-mac').addEventListener('change', () => schedulePreview(0));

    $('uri-form').addEventListener('submit', addURIMapping);
    $('pb-form').addEventListener('submit', addPhonebookSource);
    $('pb-refresh').addEventListener('click', loadPhonebook);
    $('settings-form').addEventListener('submit', saveSettings);
    $('settings-reset').addEventListener('click', () => { renderSettings(); setStatus($('settings-status'), 'Changes undone.', 'ok'); });
    $('astconf-show').addEventListener('click', showAsteriskConf);
    $('fw-form').addEventListener('submit', uploadFirmware);
    $('fw-replace-file').addEventListener('change', replaceFirmware);
    $('audit-refresh').addEventListener('click', loadAudit);
    $('audit-limit').addEventListener('change', loadAudit);
    $('account-form').addEventListener('submit', addAccount);

    window.addEventListener('beforeunload', (event) => {
      if ((state.editor && state.editor.dirty) || settingsDirty()) { event.preventDefault(); event.returnValue = ''; }
    });

    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) login(saved, true);
    else showLogin('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

// Accounts tab: local SIP accounts, and the extensions offered in the phone rows.
import { api, enc } from './api.js';
import { $, clear, el, markLoaded, setStatus } from './dom.js';
import { state } from './state.js';
import { reportError } from './toast.js';

export async function loadAccounts() {
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

export function initAccounts() {
  $('account-form').addEventListener('submit', addAccount);
}

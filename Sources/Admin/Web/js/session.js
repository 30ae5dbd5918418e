// Signing in with the admin token, signing out, and what a refused token does to the page.
import { api, forgetToken, savedToken, saveToken, setToken, setUnauthorizedHandler } from './api.js';
import { $ } from './dom.js';
import { refreshDevices } from './phones.js';
import { state, TABS } from './state.js';
import { refreshLists, selectTab, showServerStatus, startPolling, stopPolling } from './tabs.js';
import { loadPlaceholders } from './template-editor.js';
import { toast } from './toast.js';

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
  forgetToken();
  const why = serverMessage ? ` (${serverMessage})` : '';
  let message;
  if (wasLoggedIn) message = `Your token is no longer accepted${why}. Sign in again with the current token from \`autoprovision admin token\`.`;
  else if (state.silentLogin) message = `The token saved in this tab was refused${why}. Sign in again with the token from \`autoprovision admin token\`.`;
  else message = `Wrong token: the server refused it with 401${why}. Copy it again from \`autoprovision admin token\` or admin.token.`;
  showLogin(message);
}

async function login(token, silent) {
  setToken(token);
  state.silentLogin = silent;
  const button = $('login-submit');
  button.disabled = true;
  let status;
  try {
    status = await api('GET', 'api/status');
  } catch (error) {
    if (!error.unauthorized) {
      setToken(null);
      showLogin(silent ? '' : `Could not sign in: ${error.message}`);
    }
    return;
  } finally {
    button.disabled = false;
  }
  saveToken(token);
  $('login-token').value = '';
  enterApp(status);
}

function logout() {
  forgetToken();
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

/** Wires the login form and the logout button, then signs in with the tab's saved token if there is one. */
export function startSession() {
  setUnauthorizedHandler(unauthorized);
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('login-token').value.trim();
    if (!token) { showLogin('Enter the admin token.'); return; }
    login(token, false);
  });
  $('logout').addEventListener('click', logout);
  const saved = savedToken();
  if (saved) login(saved, true);
  else showLogin('');
}

// What the page knows between requests, shared by the tabs' modules.

export const VENDORS = ['yealink', 'snom', 'fanvil', 'grandstream', 'htek'];
export const POLL_MS = 2000;
export const LISTS_REFRESH_MS = 15000;
export const AUDIT_REFRESH_MS = 10000;
export const PREVIEW_DEBOUNCE_MS = 300;
export const TABS = ['phones', 'templates', 'uri', 'phonebook', 'pnp', 'firmware', 'status', 'accounts'];

export const state = {
  loggedIn: false,
  silentLogin: false,
  activeTab: 'phones',
  devices: [],
  devicesLoaded: false,
  templates: [],
  accounts: [],
  placeholders: [],
  settings: null,
  mutationGeneration: 0,
  pollTimer: null,
  lastListsRefresh: 0,
  lastAuditRefresh: 0,
  statusSignature: '',
  editor: null,           // { id, dirty } while the template editor is open
  previewSequence: 0,
  previewTimer: null,
  replaceFirmwareId: null,
  firmwareEditor: null,   // { id, tr } while a firmware row's edit form is open
};

/** Called after any change made from this page, so an in-flight poll cannot undo what it shows. */
export function mutated() { state.mutationGeneration += 1; }

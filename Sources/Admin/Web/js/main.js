// Autoprovision admin page. Plain JavaScript modules (ES2020), no framework, no build step.
// The tabs' modules do the work; this one wires them to the page once it is parsed.
import { initAccounts } from './accounts.js';
import { fillVendorSelect } from './choices.js';
import { initFirmware } from './firmware.js';
import { initPhonebook } from './phonebook.js';
import { initPhones } from './phones.js';
import { initPnP, settingsDirty } from './pnp.js';
import { startSession } from './session.js';
import { state } from './state.js';
import { initBans } from './bans.js';
import { initStatus } from './status.js';
import { initTabs } from './tabs.js';
import { initTemplates } from './templates.js';
import { initURI } from './uri.js';

function init() {
  for (const select of document.querySelectorAll('select.vendor-select')) {
    fillVendorSelect(select, select.dataset.empty || '— choose —');
  }
  initTabs();
  initPhones();
  initTemplates();
  initURI();
  initPhonebook();
  initPnP();
  initFirmware();
  initStatus();
  initBans();
  initAccounts();

  window.addEventListener('beforeunload', (event) => {
    if ((state.editor && state.editor.dirty) || settingsDirty()) { event.preventDefault(); event.returnValue = ''; }
  });

  startSession();
}

// Module scripts run after the document is parsed; the check keeps init() safe if that changes.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();

// Device status tab: addresses banned for guessing phones' files, with a button to lift each ban.
import { api, enc } from './api.js';
import { $, clear, el } from './dom.js';
import { formatDate } from './format.js';
import { reportError, toast } from './toast.js';

export async function loadBans() {
  let bans;
  try {
    bans = await api('GET', 'api/bans');
  } catch (error) {
    reportError(error, null);
    return;
  }
  const body = $('bans-body');
  clear(body);
  for (const ban of bans || []) {
    const lift = el('button', {
      type: 'button', class: 'small', text: 'Lift ban', 'data-testid': `ban-clear-${ban.address}`, on: {
        click: async () => {
          try {
            await api('DELETE', `api/bans/${enc(ban.address)}`);
            toast(`The ban of ${ban.address} is lifted.`);
          } catch (error) { reportError(error, null); }
          await loadBans();
        },
      },
    });
    body.appendChild(el('tr', { 'data-testid': 'ban-row' },
      el('td', { class: 'mono', text: ban.address }),
      el('td', { text: formatDate(ban.since) }),
      el('td', { text: formatDate(ban.until) }),
      el('td', { text: String(ban.failures) }),
      el('td', null, lift)));
  }
  $('bans-empty').hidden = (bans || []).length > 0;
}

export function initBans() {
  $('bans-refresh').addEventListener('click', loadBans);
}

// Search an IMEI: its record (GET /v1/imei/{imei}), its whole history with actor and comment, and the notices sent
// about it (GET /v1/notices?imei=).
import { call, ApiError, SignedOut } from './api.js';
import { el, clear, put, say, shown, table, facts } from './dom.js';

let session = null;

export function initSearch(current) {
  session = current;
  document.getElementById('search-form').addEventListener('submit', event => {
    event.preventDefault();
    search(document.getElementById('imei').value.trim());
  });
}

export function resetSearch() {
  document.getElementById('imei').value = '';
  say('search-error', '');
  clear('record');
}

async function search(imei) {
  say('search-error', '');
  const target = clear('record');
  if (!imei) return;
  let record;
  try {
    record = (await call('GET', `/v1/imei/${encodeURIComponent(imei)}`)).json;
  } catch (e) {
    if (!(e instanceof SignedOut)) say('search-error', e.message);
    return;
  }
  put(target,
    el('h3', null, `IMEI ${record.imei}`),
    facts([
      ['List', el('span', { class: `list ${record.list}` }, record.list), 'record-list'],
      ['Reason', record.reason, 'record-reason'],
      ['Deadline', record.deadline, 'record-deadline'],
      ['Paired IMSIs', (record.pairedImsis ?? []).join(', '), 'record-imsis'],
      ['Last change', record.sequence],
    ]),
    el('h3', null, 'History'),
    history(record.history ?? []),
    el('h3', null, 'Notices sent'),
    el('div', { id: 'notices' }, el('p', { class: 'muted' }, 'Loading…')));
  await notices(record.imei);
}

function history(changes) {
  if (changes.length === 0) return el('p', { class: 'muted' }, 'No changes recorded.');
  return table('history', ['#', 'Time (UTC)', 'Change', 'Deadline', 'By', 'Comment', 'Origin'],
    changes.map(c => [
      String(c.sequence),
      shown(c.time).replace('T', ' ').replace('Z', ''),
      describe(c),
      shown(c.deadline),
      el('span', { class: 'actor' }, shown(c.actor)),
      el('span', { class: 'comment' }, shown(c.comment)),
      shown(c.origin),
    ]));
}

function describe(change) {
  switch (change.op) {
    case 'remove': return `removed (was ${change.list})`;
    case 'pair': return `paired with IMSI ${shown(change.imsi)}`;
    case 'unpair': return `unpaired from IMSI ${shown(change.imsi)}`;
    default: return `${change.list}, ${change.reason}` + (change.relatedImei ? ` (related ${change.relatedImei})` : '');
  }
}

async function notices(imei) {
  const target = document.getElementById('notices');
  let answer;
  try {
    // A reader may be refused here while the whole console still works for them: that 401 is about this list only.
    answer = await call('GET', `/v1/notices?imei=${encodeURIComponent(imei)}`, { allow401: session.role !== 'admin' });
  } catch (e) {
    if (e instanceof SignedOut) return;
    put(clear(target), el('p', { class: 'error', id: 'notices-error' },
      e instanceof ApiError && e.status === 401
        ? 'Notices need an admin or a named reader credential (the generated reader token, which nodes hold, may not read them).'
        : e instanceof ApiError && e.status === 404 ? 'This registry has no notifier.' : e.message));
    return;
  }
  const list = answer.json?.notices ?? [];
  put(clear(target), list.length === 0
    ? el('p', { class: 'muted' }, 'No notices about this IMEI.')
    : table('notices-table', ['Created (UTC)', 'Kind', 'State', 'IMSI', 'MSISDN', 'Sent', 'Attempts', 'Last error'],
      list.map(n => [shown(n.created), shown(n.kind), shown(n.state), shown(n.imsi), shown(n.msisdn), shown(n.sent),
        String(n.attempts ?? 0), shown(n.lastError)])));
}

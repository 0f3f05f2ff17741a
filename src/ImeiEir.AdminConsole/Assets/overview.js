// The registry at a glance. GET /v1/overview (records per list, changes per day, sightings, grey devices expiring,
// the nodes following the feed), GET /v1/notices/summary (the SMS outbox) and GET /v1/clones?limit=10; where the
// registry is older and has no /v1/overview, GET /v1/status's sequence and record count stand in.
import { call, ApiError, SignedOut } from './api.js';
import { el, clear, put, say, shown, table } from './dom.js';

let loading = false;

export function initOverview() {
  document.getElementById('overview-refresh').addEventListener('click', loadOverview);
}

export function resetOverview() {
  clear('overview');
  say('overview-error', '');
  document.getElementById('overview-time').textContent = '';
}

/**
 * Fetches one part of the overview: its JSON, or null when this registry lacks it (404) or refuses the role (403;
 * 401 too for a reader where the part is admin-only: the reader stays signed in, the card says it is not for them).
 */
async function part(path, adminOnly = false, alsoMissing = []) {
  const reader = document.body.dataset.role !== 'admin';
  try {
    return (await call('GET', path, { allow401: adminOnly && reader })).json;
  } catch (e) {
    if (e instanceof ApiError && [404, 403, 401, ...alsoMissing].includes(e.status)) return null;
    throw e;
  }
}

export async function loadOverview() {
  if (loading) return;
  loading = true;
  say('overview-error', '');
  try {
    const overview = await part('/v1/overview', false, [503]); // 503: this registry keeps no overview
    const status = overview ? null : await part('/v1/status');
    const [outbox, clones] = await Promise.all([
      part('/v1/notices/summary', true).catch(e => (e instanceof SignedOut ? Promise.reject(e) : null)),
      part('/v1/clones?limit=10').catch(e => (e instanceof SignedOut ? Promise.reject(e) : { error: e.message })),
    ]);
    const cards = clear('overview');
    if (overview) put(cards, records(overview), changes(overview.changesPerDay ?? []), sightings(overview.sightings),
      expiring(overview.greyExpiring ?? []));
    else if (status) put(cards, statusCard(status));
    put(cards, outboxCard(outbox), clonesCard(clones));
    if (overview) put(cards, followers(overview.followers ?? []));
    document.getElementById('overview-time').textContent = overview?.now
      ? `as of ${when(overview.now)} (registry time)` : `as of ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  } catch (e) {
    if (!(e instanceof SignedOut)) say('overview-error', e.message);
  } finally {
    loading = false;
  }
}

function card(id, title, ...body) {
  return el('section', { class: 'card', id }, el('h3', null, title), body);
}

/** A time the API wrote as ISO 8601 (with its offset), a little easier to read. */
function when(value) {
  return typeof value === 'string' ? value.replace('T', ' ') : shown(value);
}

function number(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : shown(value);
}

function statusCard(status) {
  return card('card-status', 'Registry', el('dl', { class: 'facts' },
    el('dt', null, 'Records'), el('dd', { id: 'status-records' }, number(status.records)),
    el('dt', null, 'Last change'), el('dd', null, number(status.sequence)),
    el('dt', null, 'Generation'), el('dd', null, shown(status.generation)),
    el('dt', null, 'View consistent'), el('dd', null, status.consistent ? 'yes' : 'NO')));
}

function records(o) {
  const r = o.records ?? {};
  return card('card-records', 'Records per list', el('dl', { class: 'facts lists' },
    ['white', 'grey', 'black'].map(list => [el('dt', { class: `list ${list}` }, list), el('dd', { id: `records-${list}` }, number(r[list]))]),
    el('dt', null, 'paired'), el('dd', { id: 'records-paired' }, number(r.paired)),
    el('dt', null, 'last change'), el('dd', null, number(o.sequence))));
}

/** Changes per day, the last 14 local days. */
function changes(days) {
  return card('card-changes', 'Changes per day', bars(days.map(d => [d.day, d.changes])), range(days));
}

/** A bar chart of plain elements, [day, value] pairs: each bar's height is its share of the largest value. */
function bars(pairs) {
  const most = Math.max(1, ...pairs.map(([, value]) => value ?? 0));
  return el('div', { class: 'bars', role: 'img', 'aria-label': pairs.map(([day, value]) => `${day}: ${value}`).join(', ') },
    pairs.map(([day, value]) => el('div', { class: 'bar', title: `${day}: ${value}` },
      el('span', { class: 'value' }, number(value)),
      barFill(value ?? 0, most),
      el('span', { class: 'day' }, String(day ?? '').slice(8)))));
}

function range(days) {
  return el('p', { class: 'muted' }, `${shown(days[0]?.day)} to ${shown(days.at(-1)?.day)}, local days`);
}

function barFill(value, most) {
  const fill = el('span', { class: 'fill' });
  // Heights go through the CSSOM (not a style attribute), which the Content-Security-Policy allows.
  fill.style.height = `${Math.round((value / most) * 100)}%`;
  return fill;
}

function sightings(s) {
  if (!s) return null;
  return card('card-sightings', 'Sightings', el('dl', { class: 'facts' },
    el('dt', null, 'Received'), el('dd', { id: 'sightings-received' }, number(s.received)),
    el('dt', null, 'First sightings'), el('dd', null, number(s.firstSightings)),
    el('dt', null, 'Since'), el('dd', null, when(s.since))));
}

/** Grey devices whose deadline falls on each of the next 7 local days (today first): blocked unless verified. */
function expiring(days) {
  return card('card-expiring', 'Grey devices expiring',
    el('div', { id: 'expiring' }, bars(days.map(d => [d.day, d.devices]))), range(days));
}

function outboxCard(s) {
  if (!s) return card('card-outbox', 'SMS outbox', el('p', { class: 'muted' }, 'Not available on this registry (or for this role).'));
  const names = ['parked', 'pending', 'sent', 'delivered', 'undelivered', 'failed', 'retries'];
  return card('card-outbox', 'SMS outbox', el('dl', { class: 'facts' },
    names.map(n => [el('dt', null, n), el('dd', { id: `outbox-${n}` }, number(s[n]))])));
}

function clonesCard(c) {
  if (!c) return card('card-clones', 'Suspected clones', el('p', { class: 'muted' }, 'Not available on this registry.'));
  if (c.error) return card('card-clones', 'Suspected clones', el('p', { class: 'error' }, c.error));
  const list = c.clones ?? [];
  return card('card-clones', `Suspected clones: ${number(c.suspected)}`,
    list.length === 0 ? el('p', { class: 'muted' }, 'None.')
      : table('clones', ['IMEI', 'IMSIs', 'Last seen'], list.map(x => [
        shown(x.imei), String(x.count ?? (x.imsis ?? []).length),
        when((x.imsis ?? []).map(i => i.lastSeen).sort().at(-1))])));
}

function followers(list) {
  return card('card-followers', 'Nodes following the feed', list.length === 0 ? el('p', { class: 'muted' }, 'None connected.')
    : table('followers', ['Node', 'Address', 'Sent up to', 'Lag (changes)', 'Connected', 'Last seen'],
      list.map(f => [shown(f.name), shown(f.address), number(f.sentSequence), number(f.lag), f.connected ? 'yes' : 'no', when(f.lastSeen)])));
}

// Push a delta (admins only): a dry run first (POST /v1/deltas?dryRun=true) with every line's outcome and the bad
// lines by number, then the apply with a required comment. The apply's Idempotency-Key is made once per dry-run
// delta, so a double click or a retry after a lost answer gets the first apply's report and changes nothing twice.
import { call, newIdempotencyKey, ApiError, SignedOut } from './api.js';
import { el, clear, put, say, shown, table } from './dom.js';

/** The delta a dry run accepted: its text, its partial flag, and the key its apply will carry. */
let checked = null;
let busy = false;
const shownLines = 1000;

function byId(id) { return document.getElementById(id); }

export function initPush() {
  byId('delta-file').addEventListener('change', async () => {
    const file = byId('delta-file').files[0];
    if (!file) return;
    byId('delta-text').value = await file.text();
    invalidate();
  });
  byId('delta-text').addEventListener('input', invalidate);
  byId('delta-partial').addEventListener('change', invalidate);
  byId('dry-run').addEventListener('click', dryRun);
  byId('apply').addEventListener('click', apply);
}

export function resetPush() {
  byId('push-form').reset();
  invalidate();
  clear('push-report');
}

/** The delta changed since its dry run: it has to be run dry again before it can be applied. */
function invalidate() {
  checked = null;
  byId('apply-box').hidden = true;
  say('push-error', '');
}

function delta() {
  const text = byId('delta-text').value;
  // NDJSON lines are objects; anything else is CSV (the registry says what is wrong with it).
  const type = text.trimStart().startsWith('{') ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8';
  return { text, type, partial: byId('delta-partial').checked };
}

async function dryRun() {
  if (busy) return;
  invalidate();
  const d = delta();
  if (!d.text.trim()) { say('push-error', 'Choose a delta file or paste one first.'); return; }
  const report = clear('push-report');
  busy = true;
  byId('dry-run').disabled = true;
  try {
    const { json } = await call('POST', `/v1/deltas?dryRun=true${d.partial ? '&partial=true' : ''}`,
      { body: d.text, headers: { 'Content-Type': d.type } });
    put(report, summary('Dry run: nothing was written', json, 'dry'), badLines(json.lines ?? []), lines(json.lines ?? []));
    const canApply = json.rejected === 0 || d.partial;
    if (canApply && json.applied > 0) {
      checked = { text: d.text, partial: d.partial, key: newIdempotencyKey() };
      byId('apply-box').hidden = false;
    } else if (!canApply) {
      say('push-error', `${json.rejected} line(s) are bad, so applying would change nothing: fix them, or tick "apply the good lines".`);
    } else {
      say('push-error', 'Nothing to apply: every line is already as it says.');
    }
  } catch (e) {
    if (!(e instanceof SignedOut)) failed(e);
  } finally {
    busy = false;
    byId('dry-run').disabled = false;
  }
}

async function apply() {
  if (busy || !checked) return;
  const d = delta();
  if (d.text !== checked.text || d.partial !== checked.partial) { invalidate(); say('push-error', 'The delta changed since its dry run: run it dry again.'); return; }
  const comment = byId('delta-comment').value.trim();
  if (!comment) { say('push-error', 'A comment is required: say why (it is recorded with every change of this push).'); return; }
  say('push-error', '');
  busy = true;
  byId('apply').disabled = true;
  try {
    const { json } = await call('POST', `/v1/deltas${checked.partial ? '?partial=true' : ''}`, {
      body: checked.text,
      headers: { 'Content-Type': d.type, 'Idempotency-Key': checked.key, 'ImeiEir-Comment': encodeURIComponent(comment) },
    });
    const sequences = !json.firstSequence ? '' : json.firstSequence === json.lastSequence ? ` (change ${json.firstSequence})`
      : ` (changes ${json.firstSequence}–${json.lastSequence})`;
    put(clear('push-report'), summary(`Applied${sequences}`, json, 'applied'), badLines(json.lines ?? []), lines(json.lines ?? []));
    byId('apply-box').hidden = true;
    byId('delta-comment').value = '';
  } catch (e) {
    if (!(e instanceof SignedOut)) failed(e);
  } finally {
    busy = false;
    byId('apply').disabled = false;
  }
}

function failed(e) {
  say('push-error', e.message);
  const errors = e instanceof ApiError ? e.body?.errors : null;
  if (Array.isArray(errors)) put(clear('push-report'), badLines(errors.map(x => ({ ...x, outcome: 'rejected' }))));
}

function summary(title, json, kind) {
  const verb = kind === 'dry' ? 'would be applied' : 'applied';
  return el('div', { id: 'push-summary', 'data-kind': kind },
    el('h3', null, title),
    el('p', { class: 'counts' },
      el('span', { id: 'count-applied' }, String(json.applied ?? 0)), ` ${verb}, `,
      el('span', { id: 'count-unchanged' }, String(json.unchanged ?? 0)), ' unchanged, ',
      el('span', { id: 'count-rejected' }, String(json.rejected ?? 0)), ' rejected'));
}

function badLines(all) {
  const bad = all.filter(l => l.outcome === 'rejected');
  if (bad.length === 0) return null;
  return el('div', null,
    el('h3', null, 'Bad lines'),
    el('ul', { id: 'bad-lines', class: 'bad' },
      bad.slice(0, shownLines).map(l => el('li', { 'data-line': l.line }, `Line ${l.line}: ${shown(l.reason)}`))),
    bad.length > shownLines ? el('p', { class: 'muted' }, `…and ${bad.length - shownLines} more.`) : null);
}

function lines(all) {
  if (all.length === 0) return null;
  return el('details', { open: all.length <= 50 },
    el('summary', null, `Every line (${all.length})`),
    table('push-lines', ['Line', 'IMEI', 'Outcome', 'Reason'],
      all.slice(0, shownLines).map(l => [String(l.line), shown(l.imei), el('span', { class: `outcome ${l.outcome}` }, l.outcome), shown(l.reason)])),
    all.length > shownLines ? el('p', { class: 'muted' }, `…and ${all.length - shownLines} more.`) : null);
}

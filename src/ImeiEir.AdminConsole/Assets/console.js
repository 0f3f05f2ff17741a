// The console's start: sign in with a named credential (GET /v1/whoami), show the views the role may use, sign out.
import { call, keepToken, forgetToken, token, whenRefused, ApiError, SignedOut } from './api.js';
import { say } from './dom.js';
import { initSearch, resetSearch } from './search.js';
import { initPush, resetPush } from './push.js';
import { initOverview, loadOverview, resetOverview } from './overview.js';

const session = { name: null, role: null };
const views = ['overview', 'search', 'push'];

function byId(id) { return document.getElementById(id); }

function showSignIn(message) {
  session.name = session.role = null;
  delete document.body.dataset.role;
  byId('app').hidden = true;
  byId('who').hidden = true;
  byId('signin').hidden = false;
  say('notice', message);
  byId('token').value = '';
  byId('token').focus();
}

function signOut(message) {
  forgetToken();
  resetSearch();
  resetPush();
  resetOverview();
  showSignIn(message);
}

function show(view) {
  if (view === 'push' && session.role !== 'admin') view = 'search';
  for (const name of views) byId(`view-${name}`).hidden = name !== view;
  for (const tab of document.querySelectorAll('nav.tabs button')) {
    if (tab.dataset.view === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view === 'overview') loadOverview();
}

function enter(name, role) {
  session.name = name;
  session.role = role;
  document.body.dataset.role = role;
  byId('who-name').textContent = name;
  byId('who-role').textContent = role === 'admin' ? 'admin: reads and changes' : 'reader: reads only';
  byId('who').hidden = false;
  byId('signin').hidden = true;
  say('signin-error', '');
  say('notice', '');
  // Readers do not see the push form at all; the registry would refuse their push anyway (admin only).
  byId('tab-push').hidden = role !== 'admin';
  byId('view-push').hidden = true;
  byId('app').hidden = false;
  show('overview');
}

/** Asks the registry who the stored token is; a node credential or an unknown token is refused here. */
async function whoAmI() {
  try {
    const { json } = await call('GET', '/v1/whoami', { allow401: true });
    if (json.role !== 'admin' && json.role !== 'reader') {
      refuse(`"${json.name}" is a ${json.role} credential: the console takes admin and reader credentials only.`);
      return;
    }
    enter(json.name, json.role);
  } catch (e) {
    if (e instanceof SignedOut) return;
    refuse(e instanceof ApiError && e.status === 401 ? 'The registry does not know this token (mistyped, or revoked).' : e.message);
  }
}

/** A sign-in refused: the token is forgotten and the form shows why (also after a reload, when the form was hidden). */
function refuse(why) {
  forgetToken();
  showSignIn('');
  say('signin-error', why);
}

function start() {
  whenRefused(message => signOut(message));
  byId('signin-form').addEventListener('submit', event => {
    event.preventDefault();
    const value = byId('token').value.trim();
    if (!value) return;
    byId('token').value = '';
    keepToken(value);
    whoAmI();
  });
  byId('sign-out').addEventListener('click', () => signOut('You have signed out; the token was forgotten.'));
  for (const tab of document.querySelectorAll('nav.tabs button')) tab.addEventListener('click', () => show(tab.dataset.view));
  initSearch(session);
  initPush();
  initOverview();
  if (token()) whoAmI(); // a reload in the same tab keeps the session
  else showSignIn('');
}

start();

// The portal's shell: who is signed in, the hash router and the navigation.
import {get, post, setCsrfToken} from './api.js';
import {clear, errorBox, h} from './dom.js';
import {session} from './session.js';
import {signInPage} from './pages/signin.js';
import {explorePage} from './pages/explore.js';
import {analysePage} from './pages/analyse.js';
import {experimentPage} from './pages/experiment.js';
import {historyPage} from './pages/history.js';
import {adminPage} from './pages/admin.js';

const main = document.getElementById('main');
let leave = null;

const routes = [
  {pattern: /^\/explore$/, page: 'explore', render: () => explorePage(main)},
  {pattern: /^\/analyse$/, page: 'analyse', render: () => analysePage(main)},
  {pattern: /^\/experiments\/([\w-]+)$/, page: 'history', render: (id) => experimentPage(main, id)},
  {pattern: /^\/history$/, page: 'history', render: () => historyPage(main)},
  {pattern: /^\/admin$/, page: 'admin', admin: true, render: () => adminPage(main)},
];

async function whoAmI() {
  try {
    const me = await get('/auth/me');
    signedIn(me);
  } catch (e) {
    session.user = null;
    if (e.status !== 401) console.warn('GET /auth/me:', e.message);
  }
}

function signedIn(me) {
  session.user = me;
  setCsrfToken(me.csrf_token || null);
  document.getElementById('who-name').textContent = `${me.username} (${me.role})`;
}

function renderChrome() {
  const user = session.user;
  document.getElementById('nav').hidden = !user;
  document.getElementById('who').hidden = !user;
  document.getElementById('nav-admin').hidden = !user || user.role !== 'admin';
}

async function route() {
  if (leave) {
    leave();
    leave = null;
  }
  renderChrome();
  const path = location.hash.replace(/^#/, '') || '/explore';
  if (!session.user) {
    signInPage(main, async (me) => {
      signedIn(me);
      if (path === '/signin') location.hash = '#/explore';
      else await route();
    });
    return;
  }
  for (const r of routes) {
    const match = path.match(r.pattern);
    if (!match) continue;
    document.querySelectorAll('#nav a').forEach((a) => {
      if (a.dataset.page === r.page) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    if (r.admin && session.user.role !== 'admin') {
      clear(main, h('h1', {}, 'Administer'),
        h('p', {class: 'error', role: 'alert', id: 'forbidden'}, 'This page needs the admin role; you are signed in as a researcher.'));
      return;
    }
    try {
      leave = await r.render(...match.slice(1)) || null;
    } catch (e) {
      clear(main, errorBox(e));
    }
    main.focus({preventScroll: true});
    return;
  }
  location.hash = '#/explore';
}

window.addEventListener('hashchange', route);
window.addEventListener('mipfed:signed-out', () => {
  if (session.user) {
    session.user = null;
    route();
  }
});
document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await post('/auth/logout');
  } catch (e) {
    console.warn('sign-out:', e.message);
  }
  session.user = null;
  setCsrfToken(null);
  location.hash = '#/signin';
  route();
});

await whoAmI();
await route();

// The dashboard's single page: a hash router, the read-only flag, and a poll loop for live updates.
import { loadConfig } from './api.js';
import { clearFlash, flash, h, replace } from './dom.js';
import { dlqView } from './views/dlq-view.js';
import { historyView } from './views/history-view.js';
import { overviewView } from './views/overview-view.js';
import { resultsView } from './views/results-view.js';
import { schedulesView } from './views/schedules-view.js';
import { taskDetailView } from './views/task-detail-view.js';
import { tasksView } from './views/tasks-view.js';
import { workersView } from './views/workers-view.js';

/** How often the open view refreshes itself. */
const POLL_MS = 3000;

const routes = [
  [/^\/$/, overviewView],
  [/^\/queues\/([^/]+)\/tasks$/, tasksView],
  [/^\/queues\/([^/]+)\/dlq$/, dlqView],
  [/^\/queues\/([^/]+)\/history$/, historyView],
  [/^\/queues\/([^/]+)\/workers$/, workersView],
  [/^\/queues\/([^/]+)\/schedules$/, schedulesView],
  [/^\/tasks\/([^/]+)$/, taskDetailView],
  [/^\/results(?:\/([^/]+))?$/, resultsView],
];

const ctx = { readOnly: false, navigate: (hash) => (location.hash = hash) };
let current = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

async function refresh(view, gen) {
  try {
    await view.refresh();
    document.getElementById('live').classList.remove('stale');
  } catch (error) {
    if (gen !== generation) return;
    document.getElementById('live').classList.add('stale');
    flash(`Refresh failed: ${error.message}`, 'error');
  }
}

async function route() {
  const gen = ++generation;
  // A message about the page left behind would mislead on the next one.
  clearFlash();
  const { path, query } = parseHash();
  const main = document.getElementById('app');
  const match = routes.map(([re, view]) => [re.exec(path), view]).find(([m]) => m);
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the queues')));
    current = null;
    return;
  }
  const [m, view] = match;
  // Each view draws into its own container: a refresh of the previous view that lands after navigation
  // writes into a detached element instead of over the new page.
  const container = h('div', { class: 'view' });
  replace(main, container);
  current = view(
    container,
    m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))),
    query,
    ctx,
  );
  await refresh(current, gen);
}

async function start() {
  try {
    const config = await loadConfig();
    ctx.readOnly = config.readOnly;
    document.getElementById('mode').hidden = !config.readOnly;
  } catch (error) {
    flash(`Cannot reach the dashboard API: ${error.message}`, 'error');
  }
  window.addEventListener('hashchange', route);
  await route();
  setInterval(() => {
    if (current && !document.hidden) refresh(current, generation);
  }, POLL_MS);
}

start();

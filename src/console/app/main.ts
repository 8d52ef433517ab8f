/**
 * The Riffle web console: login (the server's users, HTTP Basic), then pages by URL hash:
 * #/editor, #/catalog, #/plan/<query id>, #/topic/<topic>, #/models, #/models/<name>, #/log.
 * The editor page lives for the whole visit (its push queries keep running while other pages
 * show); other pages are built when opened and stopped (timers, streams) when left.
 */
import './style.css';
import { h, clear } from './dom.ts';
import { clearCredentials, getJson, ServerError, setCredentials, type Whoami } from './api.ts';
import { editorPage, type EditorPage } from './page-editor.ts';
import { catalogPage } from './page-catalog.ts';
import { planPage } from './page-plan.ts';
import { topicPage } from './page-topic.ts';
import { modelPage, modelsListPage } from './page-models.ts';
import { logPage } from './page-log.ts';

type Page = { el: HTMLElement; stop(): void };

const root = document.getElementById('app')!;

async function whoami(): Promise<Whoami | null> {
  try {
    return await getJson<Whoami>('/riffle/console/whoami');
  } catch (e) {
    if (e instanceof ServerError && e.status === 401) return null;
    throw e;
  }
}

function loginForm(message: string): Promise<void> {
  return new Promise((resolve) => {
    const user = h('input', { name: 'user', autocomplete: 'username', required: true, id: 'login-user' });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', id: 'login-password' });
    const note = h('div', { class: 'error', id: 'login-error' }, message);
    const form = h(
      'form',
      { class: 'login', id: 'login' },
      h('h1', {}, 'Riffle'),
      h('label', {}, 'User', user),
      h('label', {}, 'Password', password),
      h('button', { type: 'submit', class: 'primary' }, 'Log in'),
      note,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      setCredentials((user as HTMLInputElement).value, (password as HTMLInputElement).value);
      resolve();
    });
    clear(root);
    root.append(form);
    (user as HTMLInputElement).focus();
  });
}

async function boot(): Promise<void> {
  let message = '';
  let me = await whoami();
  while (!me) {
    await loginForm(message);
    me = await whoami();
    if (!me) {
      clearCredentials();
      message = 'Wrong user name or password.';
    }
  }
  start(me);
}

function start(me: Whoami): void {
  const editor: EditorPage = editorPage();
  void editor.refreshCatalog();
  const main = h('main', {});
  const links: [string, string][] = [
    ['#/editor', 'Editor'],
    ['#/catalog', 'Catalog'],
    ['#/models', 'Models'],
    ['#/log', 'Processing log'],
  ];
  const nav = h(
    'nav',
    {},
    h('span', { class: 'brand' }, 'Riffle'),
    links.map(([href, label]) => h('a', { href, 'data-nav': href }, label)),
    h('span', { class: 'who', id: 'whoami' }, `${me.name} (${me.role})`),
    h('button', { class: 'link', onclick: () => (clearCredentials(), location.reload()) }, 'Log out'),
  );
  clear(root);
  root.append(nav, main, editor.el);
  document.body.dataset.role = me.role;
  let current: Page | null = null;

  const route = () => {
    current?.stop();
    current = null;
    clear(main);
    const [, page = 'editor', arg = ''] = location.hash.split('/').map((s) => decodeURIComponent(s));
    const top = `#/${page}`;
    for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.nav === top || (page === 'plan' && a.dataset.nav === '#/catalog') || (page === 'topic' && a.dataset.nav === '#/catalog'));
    editor.el.hidden = page !== 'editor';
    switch (page) {
      case 'editor':
        editor.editor.view.requestMeasure();
        break;
      case 'catalog':
        current = catalogPage();
        break;
      case 'plan':
        current = planPage(arg);
        break;
      case 'topic':
        current = topicPage(arg);
        break;
      case 'models':
        current = arg ? modelPage(arg) : modelsListPage();
        break;
      case 'log':
        current = logPage();
        break;
      default:
        main.append(h('p', {}, `No page ${location.hash}`));
    }
    if (current) main.append(current.el);
    document.body.dataset.page = page;
  };
  window.addEventListener('hashchange', route);
  route();
}

boot().catch((e) => {
  clear(root);
  root.append(h('div', { class: 'error' }, `The console could not start: ${(e as Error).message}`));
});

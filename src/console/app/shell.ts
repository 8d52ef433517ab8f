/**
 * The console after login: the navigation, the editor page (alive for the whole visit: its push
 * queries keep running while other pages show), and pages by URL hash: #/editor, #/catalog,
 * #/plan/<query id>, #/topic/<topic>, #/models, #/models/<name>, #/log. Pages other than the
 * editor are built when opened and stopped (timers, streams) when left. A chunk of its own
 * (CodeMirror is most of the bundle): main.ts starts loading it while the user logs in.
 */
import { h, clear } from './dom.ts';
import { clearCredentials, type Whoami } from './api.ts';
import { editorPage, type EditorPage } from './page-editor.ts';
import { catalogPage } from './page-catalog.ts';
import { planPage } from './page-plan.ts';
import { topicPage } from './page-topic.ts';
import { modelPage, modelsListPage } from './page-models.ts';
import { logPage } from './page-log.ts';

type Page = { el: HTMLElement; stop(): void };

export function start(root: HTMLElement, me: Whoami): void {
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
  if (!performance.getEntriesByName('riffle:first-screen').length) performance.mark('riffle:first-screen');
}

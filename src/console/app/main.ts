/**
 * The Riffle web console's entry: login (the server's users, HTTP Basic), then the console
 * itself (./shell.ts), whose chunk starts loading at once, while the login form shows.
 */
import './style.css';
import { h, clear } from './dom.ts';
import { clearCredentials, getJson, markLoggedIn, ServerError, setCredentials, type Whoami } from './api.ts';

const root = document.getElementById('app')!;
const shell = import('./shell.ts');

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
    // The first screen's time since navigation start (the browser tests report it).
    if (!performance.getEntriesByName('riffle:first-screen').length) performance.mark('riffle:first-screen');
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
  markLoggedIn();
  (await shell).start(root, me);
}

boot().catch((e) => {
  clear(root);
  root.append(h('div', { class: 'error' }, `The console could not start: ${(e as Error).message}`));
});

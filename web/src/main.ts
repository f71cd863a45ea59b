import './style.css';
import { App, setToastHost } from './app.ts';
import { $, h, replace } from './dom.ts';
import { homeView } from './home.ts';
import { lobbyView } from './lobby.ts';
import type { View } from './view.ts';

const main = $('#main');
const banner = $('#banner');
const whoami = $('#whoami');
setToastHost($('#toasts'));

const audioHost = h('div', { class: 'remote-audio', 'aria-hidden': 'true' });
document.body.appendChild(audioHost);

const app = new App(audioHost);
let view: View | null = null;

function route(): { name: 'home' } | { name: 'lobby'; id: string } {
  const match = /^\/lobby\/([^/]+)\/?$/.exec(location.pathname);
  if (match?.[1]) {
    try {
      return { name: 'lobby', id: decodeURIComponent(match[1]) };
    } catch {
      /* a malformed link: fall through to home */
    }
  }
  return { name: 'home' };
}

function navigate(path: string, replaceEntry = false): void {
  if (path !== location.pathname) {
    if (replaceEntry) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
  }
  render(true);
}

function render(focus: boolean): void {
  const current = route();
  if (current.name !== 'lobby' || app.lobby?.id !== current.id) {
    // Leaving a lobby page leaves the lobby.
    if (app.lobby && (current.name !== 'lobby' || app.lobby.id !== current.id)) app.leave();
  }
  view?.destroy();
  view = current.name === 'lobby' ? lobbyView(app, current.id, navigate) : homeView(app, navigate);
  replace(main, view.el);
  if (focus) view.el.querySelector<HTMLElement>('h1')?.focus();
}

function renderWhoami(): void {
  const name = app.session?.name;
  replace(
    whoami,
    name ? h('span', null, 'Signed in as ', h('strong', { 'data-testid': 'whoami-name' }, name)) : null,
  );
}

function renderBanner(): void {
  const status = app.status;
  document.body.dataset.connection = status.kind;
  if (app.kickedReason) {
    banner.hidden = false;
    banner.className = 'banner error';
    replace(banner, app.kickedReason);
    return;
  }
  if (status.kind === 'reconnecting') {
    banner.hidden = false;
    banner.className = 'banner warn';
    const retry = h('button', { type: 'button', onclick: () => app.conn.retryNow() }, 'Retry now');
    replace(
      banner,
      h(
        'span',
        { 'data-testid': 'reconnecting' },
        status.reason === 'offline'
          ? 'You are offline. Reconnecting when the network is back…'
          : `Connection lost. Reconnecting… (attempt ${status.attempt})`,
      ),
      ' ',
      retry,
    );
  } else if (status.kind === 'stopped') {
    banner.hidden = false;
    banner.className = 'banner error';
    const again = h('button', { type: 'button', onclick: () => app.conn.start() }, 'Reconnect here');
    replace(
      banner,
      h('span', null, 'Disconnected: this session is open in another tab or window.'),
      ' ',
      again,
    );
  } else {
    banner.hidden = true;
    replace(banner);
  }
}

app.onChange((change) => {
  if (change === 'session') renderWhoami();
  if (change === 'connection') renderBanner();
  view?.update(change);
});

document.addEventListener('click', (event) => {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const link = (event.target as Element | null)?.closest?.('a[data-nav]');
  if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin) return;
  event.preventDefault();
  navigate(link.pathname);
});
window.addEventListener('popstate', () => render(true));

render(false);
renderBanner();
app.start();

import type { LobbySummary } from '../../src/protocol/entities.ts';
import { LOBBY_NAME_MAX, normalizeDisplayName } from '../../src/protocol/text-rules.ts';
import { api } from './api.ts';
import type { App, Change } from './app.ts';
import { field, h, replace } from './dom.ts';
import { nameForm } from './name-form.ts';
import type { View } from './view.ts';

export function homeView(app: App, navigate: (path: string) => void): View {
  const nameSection = h('section', { class: 'card', 'aria-labelledby': 'name-h' });
  let editingName = false;
  const renderName = () => {
    const name = app.session?.name;
    if (name && !editingName) {
      replace(
        nameSection,
        h('h2', { id: 'name-h' }, 'Your name'),
        h(
          'p',
          { class: 'current-name' },
          'You are ',
          h('strong', { 'data-testid': 'current-name' }, name),
          app.session?.protected ? h('span', { class: 'badge' }, 'protected') : null,
        ),
        h('button', { type: 'button', onclick: () => ((editingName = true), renderName()) }, 'Change name'),
      );
    } else {
      replace(
        nameSection,
        h('h2', { id: 'name-h' }, name ? 'Change your name' : 'Pick a name'),
        nameForm(app, () => {
          editingName = false;
          renderName();
        }),
        name
          ? h(
              'button',
              { type: 'button', class: 'link', onclick: () => ((editingName = false), renderName()) },
              'Cancel',
            )
          : null,
      );
    }
  };

  const list = h('ul', { class: 'lobby-list', 'data-testid': 'lobby-list' });
  const listStatus = h('p', { class: 'muted', role: 'status' });
  let lobbies: LobbySummary[] = [];
  const renderList = () => {
    replace(
      list,
      ...lobbies.map((lobby) =>
        h(
          'li',
          { 'data-lobby-id': lobby.id },
          h(
            'a',
            { href: `/lobby/${encodeURIComponent(lobby.id)}`, 'data-nav': true, class: 'lobby-link' },
            lobby.name,
          ),
          h(
            'span',
            { class: 'count', 'data-testid': 'lobby-count' },
            lobby.participants === 1 ? '1 person' : `${lobby.participants} people`,
          ),
        ),
      ),
    );
    listStatus.textContent = lobbies.length ? '' : 'No public lobbies yet. Create one below.';
  };
  const refresh = async () => {
    try {
      lobbies = (await api.lobbies()).lobbies;
      renderList();
    } catch (error) {
      listStatus.textContent = `Could not load the lobbies: ${error instanceof Error ? error.message : error}`;
    }
  };

  const lobbyName = h('input', {
    type: 'text',
    name: 'lobby',
    required: true,
    maxlength: LOBBY_NAME_MAX * 2,
    'data-testid': 'lobby-name',
  });
  const isPrivate = h('input', { type: 'checkbox', name: 'private', id: 'private-lobby' });
  const createError = h('p', { class: 'form-error', role: 'alert' });
  const createButton = h('button', { type: 'submit', class: 'primary' }, 'Create lobby');
  const createForm = h(
    'form',
    { class: 'create-form', 'aria-labelledby': 'create-h', novalidate: true },
    field('Lobby name', lobbyName),
    h(
      'div',
      { class: 'check' },
      isPrivate,
      h('label', { for: 'private-lobby' }, 'Private: not listed, only people with the link can join'),
    ),
    h('div', { class: 'actions' }, createButton),
    createError,
  );
  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    createError.textContent = '';
    const clean = normalizeDisplayName(lobbyName.value, LOBBY_NAME_MAX);
    if (!clean) {
      createError.textContent = `A lobby name is 1–${LOBBY_NAME_MAX} characters, without control characters.`;
      lobbyName.focus();
      return;
    }
    if (!app.token) {
      createError.textContent = 'Not connected yet; try again in a moment.';
      return;
    }
    createButton.disabled = true;
    api
      .createLobby(app.token, clean, isPrivate.checked)
      .then(({ lobby }) => navigate(`/lobby/${encodeURIComponent(lobby.id)}`))
      .catch((error: unknown) => {
        createError.textContent = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        createButton.disabled = false;
      });
  });

  const el = h(
    'div',
    { class: 'home' },
    h('h1', { tabindex: -1 }, 'Voice lobbies'),
    h(
      'p',
      { class: 'lead' },
      'Talk with people and AI bots in your browser. Pick a name, then join or create a lobby.',
    ),
    nameSection,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'lobbies-h' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'lobbies-h' }, 'Public lobbies'),
        h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh'),
      ),
      list,
      listStatus,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'create-h' },
      h('h2', { id: 'create-h' }, 'Create a lobby'),
      createForm,
    ),
  );

  renderName();
  void refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, 5000);
  document.title = 'AI Voice Bot';

  return {
    el,
    update(change: Change) {
      if (change === 'session' && !nameSection.contains(document.activeElement)) renderName();
      if (change === 'connection' && app.connected) void refresh();
    },
    destroy() {
      clearInterval(timer);
    },
  };
}

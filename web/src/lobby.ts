import type { ChatMessage, Participant } from '../../src/protocol/entities.ts';
import { CHAT_TEXT_MAX, normalizeChatText } from '../../src/protocol/text-rules.ts';
import { api } from './api.ts';
import { toast, type App, type Change, type LobbyState } from './app.ts';
import { append, field, formatTime, h, replace } from './dom.ts';
import { nameForm } from './name-form.ts';
import type { View } from './view.ts';

const STATUS_TEXT: Record<string, string> = {
  new: 'connecting…',
  connecting: 'connecting…',
  disconnected: 'reconnecting audio…',
  failed: 'audio failed',
};

export function lobbyView(app: App, id: string, navigate: (path: string) => void): View {
  const lobby: LobbyState = app.openLobby(id);

  const title = h('h1', { tabindex: -1, 'data-testid': 'lobby-title' }, 'Lobby');
  const privacy = h('span', { class: 'badge' });
  const shareInput = h('input', {
    type: 'text',
    readonly: true,
    value: location.href,
    'data-testid': 'share-link',
  });
  const copyButton = h('button', { type: 'button' }, 'Copy link');
  copyButton.addEventListener('click', () => {
    shareInput.select();
    navigator.clipboard?.writeText(shareInput.value).then(
      () => toast('Link copied.'),
      () => toast('Select the link and copy it.'),
    );
  });
  const share = h('div', { class: 'share' }, field('Invite link', shareInput), copyButton);

  // Join panel (not joined) and controls (joined).
  const joinPanel = h('section', { class: 'card join-panel', 'aria-label': 'Join this lobby' });
  const muteButton = h(
    'button',
    { type: 'button', class: 'mute', 'aria-pressed': 'false', 'data-testid': 'mute' },
    'Mute',
  );
  muteButton.addEventListener('click', () => app.toggleMute());
  const micSelect = h('select', { name: 'mic', 'data-testid': 'mic-select' });
  micSelect.addEventListener('change', () => {
    void app.chooseMic(micSelect.value).then(() => {
      if (app.local.problem) toast('That microphone could not be opened.');
    });
  });
  const leaveButton = h('button', { type: 'button', class: 'danger', 'data-testid': 'leave' }, 'Leave');
  leaveButton.addEventListener('click', () => {
    app.leave();
    navigate('/');
  });
  const processing = h('input', { type: 'checkbox', id: `processing-${id}`, 'data-testid': 'processing' });
  processing.addEventListener('change', () => void app.setProcessing(processing.checked));
  const processingField = h(
    'div',
    { class: 'check' },
    processing,
    h(
      'label',
      { for: processing.id },
      'Echo cancellation and noise suppression (turn off when you wear headphones)',
    ),
  );
  const micMessage = h('div', { class: 'mic-message', role: 'status' });
  const roomStatus = h('p', { class: 'room-status', role: 'status', 'data-testid': 'room-status' });
  const controls = h(
    'section',
    { class: 'card controls', 'aria-label': 'Your audio' },
    h('div', { class: 'control-row' }, muteButton, field('Microphone', micSelect), leaveButton),
    processingField,
    micMessage,
    roomStatus,
  );
  const audioNotice = h('div', { class: 'notice', role: 'alert' });

  // Participants.
  const peopleHeading = h('h2', { id: 'people-h' }, 'In this lobby');
  const people = h('ul', { class: 'participants', 'data-testid': 'participants' });
  const nobody = h('p', { class: 'muted' }, 'Nobody is here yet.');
  const rows = new Map<string, HTMLLIElement>();
  const botTools = h('div', { class: 'bots' });

  // Chat.
  const olderButton = h('button', { type: 'button', class: 'link older' }, 'Load older messages');
  olderButton.addEventListener('click', () => void loadOlder());
  const chatList = h('ol', { class: 'chat-list', 'data-testid': 'chat-list' });
  const chatLog = h(
    'div',
    { class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages', tabindex: 0 },
    olderButton,
    chatList,
  );
  const chatInput = h('textarea', {
    name: 'message',
    rows: 2,
    maxlength: CHAT_TEXT_MAX,
    'data-testid': 'chat-input',
  });
  const chatError = h('p', { class: 'form-error', role: 'alert' });
  const sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const chatForm = h(
    'form',
    { class: 'chat-form', 'aria-label': 'Send a message', novalidate: true },
    field('Message', chatInput, 'Enter sends; Shift+Enter starts a new line.'),
    sendButton,
    chatError,
  );
  const chatSection = h(
    'section',
    { class: 'card chat', 'aria-labelledby': 'chat-h' },
    h('h2', { id: 'chat-h' }, 'Chat'),
    chatLog,
    chatForm,
  );

  const el = h(
    'div',
    { class: 'lobby', 'data-lobby-id': id },
    h('div', { class: 'lobby-head' }, h('div', { class: 'title-row' }, title, privacy), share),
    audioNotice,
    joinPanel,
    controls,
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'card people', 'aria-labelledby': 'people-h' },
        peopleHeading,
        people,
        nobody,
        botTools,
      ),
      chatSection,
    ),
  );

  // ---- rendering -------------------------------------------------------------------------

  const renderHead = () => {
    const info = lobby.info;
    title.textContent = info?.name ?? 'Lobby';
    document.title = info ? `${info.name} · AI Voice Bot` : 'AI Voice Bot';
    privacy.textContent = info?.private ? 'private' : info ? 'public' : '';
    privacy.hidden = !info;
  };

  // The join panel's parts are built once and shown or hidden, so a re-render never wipes a
  // half-typed name or moves the keyboard focus.
  const joinError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'lobby-error' });
  const joinNameHeading = h('h2', null, 'Pick a name to join');
  const joinNameForm = nameForm(app);
  const rejoining = h('p', { class: 'muted' }, 'Rejoining as soon as the connection is back…');
  const joinAs = h('strong');
  const joinIntro = h('p', null, 'Joining as ', joinAs, '. Your browser will ask to use your microphone.');
  const joinButton = h(
    'button',
    { type: 'button', class: 'primary big', 'data-testid': 'join' },
    'Join lobby',
  );
  joinButton.addEventListener('click', () => {
    void app.join(id).catch(() => undefined);
  });
  append(joinPanel, [
    joinError,
    joinNameHeading,
    joinNameForm,
    rejoining,
    joinIntro,
    joinButton,
    h('p', null, h('a', { href: '/', 'data-nav': true }, 'Back to all lobbies')),
  ]);

  const renderJoin = () => {
    const joined = lobby.joined;
    // A drop keeps the room on screen (chat, people, controls) with a note, until it is back.
    const reconnecting = !joined && lobby.wanted && lobby.joinedOnce && !lobby.error;
    const showRoom = joined || reconnecting;
    joinPanel.hidden = showRoom;
    controls.hidden = !showRoom;
    chatSection.hidden = !showRoom;
    sendButton.disabled = !joined;
    roomStatus.textContent = reconnecting
      ? 'Reconnecting… audio and chat resume when the connection is back.'
      : '';
    if (showRoom) return;
    joinError.textContent = lobby.error ?? '';
    const name = app.session?.name ?? null;
    const waiting = !!name && lobby.wanted && !app.connected;
    joinNameHeading.hidden = joinNameForm.hidden = !!name;
    rejoining.hidden = !waiting;
    joinIntro.hidden = joinButton.hidden = !name || waiting;
    joinAs.textContent = name ?? '';
    const nameError = joinNameForm.querySelector('.form-error');
    if (!name && app.nameError && nameError && !nameError.textContent) nameError.textContent = app.nameError;
    joinButton.disabled = lobby.joining || !app.connected;
    joinButton.textContent = lobby.joining ? 'Joining…' : 'Join lobby';
  };

  const renderMic = () => {
    const local = app.local;
    const listenOnly = local.listenOnly;
    muteButton.disabled = listenOnly;
    processing.checked = local.processing;
    processingField.hidden = listenOnly;
    muteButton.setAttribute('aria-pressed', String(local.muted || listenOnly));
    // A toggle button keeps its label; its state is aria-pressed (and the red style).
    muteButton.title = local.muted ? 'Your microphone is muted' : 'Mute your microphone';
    muteButton.classList.toggle('on', local.muted);
    if (listenOnly) {
      const reason =
        local.problem === 'denied'
          ? 'Microphone access was refused, so you are in listen-only mode: you hear everyone, but nobody hears you. Allow the microphone for this site in your browser settings, then retry.'
          : local.problem === 'missing'
            ? 'No microphone was found, so you are in listen-only mode: you hear everyone, but nobody hears you.'
            : local.problem === 'busy'
              ? 'The microphone is in use by another program, so you are in listen-only mode.'
              : 'The microphone could not be opened, so you are in listen-only mode.';
      const retry = h('button', { type: 'button', 'data-testid': 'retry-mic' }, 'Retry microphone');
      retry.addEventListener('click', () => void app.retryMic());
      replace(micMessage, h('p', { class: 'warning', 'data-testid': 'listen-only' }, reason), retry);
    } else {
      replace(micMessage);
    }
    void app.local.devices().then((devices) => {
      const current = local.deviceId;
      replace(
        micSelect,
        ...(devices.length ? devices : []).map((device, index) =>
          h(
            'option',
            { value: device.deviceId, selected: device.deviceId === current },
            device.label || `Microphone ${index + 1}`,
          ),
        ),
      );
      micSelect.disabled = devices.length === 0;
    });
  };

  const participantRow = (p: Participant): HTMLLIElement => {
    let row = rows.get(p.session_id);
    if (!row) {
      row = h('li', { class: 'participant', 'data-session-id': p.session_id });
      rows.set(p.session_id, row);
    }
    const me = p.session_id === app.session?.id;
    const status = me ? undefined : lobby.joined ? lobby.peerStatus.get(p.session_id) : undefined;
    row.dataset.muted = String(p.state.muted);
    row.dataset.speaking = String(p.state.speaking && !p.state.muted);
    row.dataset.connection = status ?? '';
    row.classList.toggle('speaking', p.state.speaking && !p.state.muted);
    const stateText = p.state.muted ? 'muted' : p.state.speaking ? 'speaking' : '';
    const removeBot =
      p.is_bot && lobby.joined && app.token
        ? h('button', { type: 'button', class: 'link', 'aria-label': `Remove bot ${p.name}` }, 'Remove')
        : null;
    removeBot?.addEventListener('click', () => {
      api
        .removeBot(app.token!, id, p.session_id)
        .catch((e: unknown) => toast(e instanceof Error ? e.message : String(e)));
    });
    replace(
      row,
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, [...p.name][0]?.toUpperCase() ?? '?'),
      h('span', { class: 'pname', 'data-testid': 'participant-name' }, p.name),
      me ? h('span', { class: 'you' }, '(you)') : null,
      p.is_bot ? h('span', { class: 'badge bot', 'data-testid': 'bot-badge' }, 'bot') : null,
      h('span', { class: `pstate ${stateText}`, 'data-testid': 'participant-state' }, stateText),
      status && STATUS_TEXT[status] ? h('span', { class: 'conn' }, STATUS_TEXT[status]) : null,
      removeBot,
    );
    return row;
  };

  const renderPeople = () => {
    const list = [...lobby.participants.values()];
    peopleHeading.textContent = `In this lobby (${list.length})`;
    nobody.hidden = list.length > 0;
    for (const [sessionId, row] of rows) {
      if (!lobby.participants.has(sessionId)) {
        row.remove();
        rows.delete(sessionId);
      }
    }
    list.forEach((p, index) => {
      const row = participantRow(p);
      if (people.children[index] !== row) people.insertBefore(row, people.children[index] ?? null);
    });
  };

  let botsLoaded = false;
  const renderBots = async () => {
    if (!lobby.joined || botsLoaded) {
      if (!lobby.joined) replace(botTools);
      return;
    }
    botsLoaded = true;
    try {
      const { bots } = await api.bots();
      if (!bots.length) return;
      const select = h(
        'select',
        { name: 'bot' },
        ...bots.map((bot) => h('option', { value: bot.name }, `${bot.name} — ${bot.description}`)),
      );
      const add = h('button', { type: 'submit' }, 'Add bot');
      const form = h('form', { class: 'bot-form', 'aria-label': 'Add a bot' }, field('Bot', select), add);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!app.token) return;
        add.disabled = true;
        api
          .addBot(app.token, id, select.value)
          .then(({ name }) => toast(`${name} is joining…`))
          .catch((e: unknown) => toast(e instanceof Error ? e.message : String(e)))
          .finally(() => (add.disabled = false));
      });
      replace(botTools, form);
    } catch {
      botsLoaded = false;
    }
  };

  const renderedIds = new Set<string>();
  const messageItem = (m: ChatMessage): HTMLLIElement =>
    h(
      'li',
      { class: m.sender_id === app.session?.id ? 'msg mine' : 'msg', 'data-message-id': m.id },
      h(
        'div',
        { class: 'meta' },
        h('span', { class: 'sender' }, m.sender_name),
        h('time', { datetime: m.sent_at }, formatTime(m.sent_at)),
      ),
      h('p', { class: 'text' }, m.text),
    );

  const atBottom = () => chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;

  const renderChat = () => {
    const stick = atBottom() || renderedIds.size === 0;
    const wanted = new Set(lobby.chat.map((m) => m.id));
    for (const item of [...chatList.children] as HTMLElement[]) {
      if (!wanted.has(item.dataset.messageId ?? '')) {
        renderedIds.delete(item.dataset.messageId ?? '');
        item.remove();
      }
    }
    for (const m of lobby.chat) {
      if (renderedIds.has(m.id)) continue;
      renderedIds.add(m.id);
      chatList.appendChild(messageItem(m));
    }
    olderButton.hidden = !lobby.hasOlder;
    if (stick) chatLog.scrollTop = chatLog.scrollHeight;
  };

  const renderOlder = () => {
    const before = chatLog.scrollHeight - chatLog.scrollTop;
    const first = chatList.firstChild;
    for (const m of lobby.chat) {
      if (renderedIds.has(m.id)) break;
      renderedIds.add(m.id);
      chatList.insertBefore(messageItem(m), first);
    }
    olderButton.hidden = !lobby.hasOlder;
    chatLog.scrollTop = chatLog.scrollHeight - before;
  };

  const loadOlder = async () => {
    try {
      await app.loadOlderChat();
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e));
    }
  };
  chatLog.addEventListener('scroll', () => {
    if (chatLog.scrollTop < 30 && lobby.hasOlder && !lobby.loadingOlder) void loadOlder();
  });

  const sendChat = () => {
    chatError.textContent = '';
    if (!lobby.joined) {
      chatError.textContent = 'Reconnecting… send it again once the connection is back.';
      return;
    }
    const text = normalizeChatText(chatInput.value);
    if (!text) {
      if (chatInput.value.trim()) chatError.textContent = 'A chat message is 1–2000 characters.';
      return;
    }
    const original = chatInput.value;
    chatInput.value = '';
    app.sendChat(text).catch((e: unknown) => {
      if (!chatInput.value) chatInput.value = original;
      chatError.textContent = e instanceof Error ? e.message : String(e);
    });
  };
  chatForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sendChat();
  });
  chatInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendChat();
    }
  });

  const renderAudioNotice = () => {
    if (app.audioBlocked) {
      const button = h('button', { type: 'button', class: 'primary' }, 'Enable audio');
      button.addEventListener('click', () => app.enableAudio());
      replace(audioNotice, h('p', null, 'Your browser blocked sound from this page.'), button);
      audioNotice.hidden = false;
    } else {
      replace(audioNotice);
      audioNotice.hidden = true;
    }
  };

  renderHead();
  renderJoin();
  renderMic();
  renderPeople();
  renderChat();
  renderAudioNotice();

  return {
    el,
    update(change: Change) {
      switch (change) {
        case 'lobby':
          renderHead();
          renderJoin();
          renderPeople();
          void renderBots();
          break;
        case 'session':
        case 'connection':
          renderJoin();
          renderPeople();
          break;
        case 'participants':
        case 'peers':
          renderPeople();
          break;
        case 'chat':
          renderChat();
          break;
        case 'chat-older':
          renderOlder();
          break;
        case 'mic':
          renderMic();
          break;
        case 'audio-blocked':
          renderAudioNotice();
          break;
      }
    },
    destroy() {},
  };
}

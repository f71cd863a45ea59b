import {
  NAME_MAX,
  PASSWORD_MAX,
  isValidPassword,
  normalizeDisplayName,
} from '../../src/protocol/text-rules.ts';
import type { App } from './app.ts';
import { field, h } from './dom.ts';

/** Pick a name, optionally protect it with a password, or sign in to a protected one. */
export function nameForm(app: App, onDone?: () => void): HTMLFormElement {
  const name = h('input', {
    type: 'text',
    name: 'name',
    autocomplete: 'nickname',
    required: true,
    maxlength: NAME_MAX * 2,
    value: app.session?.name ?? '',
    'data-testid': 'name-input',
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    maxlength: PASSWORD_MAX,
    'data-testid': 'password-input',
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  if (app.nameError) error.textContent = app.nameError;
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save name');
  const form = h(
    'form',
    { class: 'name-form', novalidate: true },
    field('Your name', name, `1–${NAME_MAX} characters. Others see it in the lobby and in chat.`),
    field(
      'Password (optional)',
      password,
      'Give a password to protect this name so only you can use it, or enter the password of a name you protected before to sign in to it.',
    ),
    h('div', { class: 'actions' }, submit),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const clean = normalizeDisplayName(name.value, NAME_MAX);
    if (!clean) {
      error.textContent = `A name is 1–${NAME_MAX} characters, without control characters.`;
      name.focus();
      return;
    }
    if (password.value && !isValidPassword(password.value)) {
      error.textContent = 'A password is 8–128 characters.';
      password.focus();
      return;
    }
    submit.disabled = true;
    app
      .setName(clean, password.value || undefined)
      .then(() => {
        password.value = '';
        onDone?.();
      })
      .catch((e: unknown) => {
        error.textContent = e instanceof Error ? e.message : String(e);
        name.focus();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

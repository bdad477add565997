// The invitation screen (/app/accept#token=inv_…), the link the Members section shows. The token
// travels in the fragment, so it never reaches a server log or a Referer, and the screen takes it out
// of the address bar (and the history) as soon as it has read it.
//   - A new person picks a name and password: POST /invitations/accept creates the account with
//     the invited email, then the screen signs in with it and opens the dashboard.
//   - Someone already signed in here can join with that account (POST /me/invitations/accept; the
//     server accepts only if the account's email is the invited one).
import { h, clear } from './dom.js';
import { api, login, logout, signedIn, ApiError } from './api.js';
import {
  ensureStyles, field, invalidField, clearErrors, formError, setFormError, showProblem, problemText,
} from './settings/kit.js';

/** @param {unknown} error */
function invalidLink(error) {
  return error instanceof ApiError && (error.status === 404 || error.status === 410)
    ? 'This invitation link is not valid: it may have expired, been revoked, or been used already. Ask for a new one.'
    : problemText(error);
}

/**
 * Renders the screen into `container`.
 * @param {HTMLElement} container
 * @param {(orgId: string) => void} joined called once a membership exists: with the organization
 *   joined, or '' when the account has none to show
 * @returns {'ready' | 'error'} the app state: `error` when the link carries no token
 */
export function renderAccept(container, joined) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  if (location.hash) history.replaceState(null, '', location.pathname);
  ensureStyles('/app/settings/settings.css');

  const main = h('main', { class: 'st-accept', 'aria-labelledby': 'accept-title' },
    h('h1', { id: 'accept-title' }, 'Join an organization on Parley'));
  clear(container);
  container.append(main);
  if (!/^inv_[A-Za-z0-9_-]+$/.test(token)) {
    main.append(h('p', { class: 'st-error', 'data-testid': 'accept-error', role: 'alert' },
      'This page needs the full invitation link (it ends with #token=…). Ask the person who invited you to send it again.'));
    return 'error';
  }

  // Join with the account signed in in this browser.
  if (signedIn()) {
    const join = h('button', { type: 'button', class: 'st-btn st-primary', 'data-testid': 'accept-join' }, 'Join with my account');
    const joinError = h('p', { class: 'st-error', role: 'alert', hidden: true });
    join.addEventListener('click', async () => {
      join.disabled = true;
      joinError.hidden = true;
      try {
        /** @type {{organization: {id: string}, role: string}} */
        const membership = await api('POST', '/me/invitations/accept', { token });
        joined(membership.organization.id);
      } catch (error) {
        join.disabled = false;
        joinError.textContent = error instanceof ApiError && error.status === 404
          ? 'This invitation is not for the account signed in here (or the link is no longer valid).'
          : problemText(error);
        joinError.hidden = false;
      }
    });
    main.append(h('section', { class: 'st-card', 'aria-labelledby': 'accept-existing' },
      h('h2', { id: 'accept-existing', class: 'st-subheading' }, 'You are signed in'),
      h('p', {}, 'If the invitation was sent to the email of this account, join with it:'),
      join, joinError));
  }

  // Create an account.
  const name = h('input', { type: 'text', 'data-testid': 'accept-name', autocomplete: 'name', maxlength: '200', required: true });
  const password = h('input', { type: 'password', 'data-testid': 'accept-password', autocomplete: 'new-password', minlength: '10', required: true });
  const nameWrap = field('Your name', name, { name: 'name' });
  const passwordWrap = field('Choose a password', password, { name: 'password', hint: 'At least 10 characters.' });
  const submit = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'accept-submit' }, 'Create account and join');
  const formProblem = formError();
  // A ctx stand-in for kit.showProblem: problems without a field go to the form's error line.
  const formCtx = /** @type {import('./settings/types').Ctx} */ (/** @type {unknown} */ ({
    toast: (/** @type {string} */ text) => setFormError(formProblem, text),
  }));
  const form = h('form', { class: 'st-card st-form', novalidate: true, 'aria-labelledby': 'accept-new' },
    h('h2', { id: 'accept-new', class: 'st-subheading' }, signedIn() ? 'Or create a new account' : 'Create your account'),
    h('p', { class: 'st-hint' }, 'Your account uses the email address the invitation was sent to.'),
    nameWrap, passwordWrap, h('div', { class: 'st-actions' }, submit), formProblem);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!name.value.trim()) return invalidField(nameWrap, 'Enter your name.');
    if (password.value.length < 10) return invalidField(passwordWrap, 'Use at least 10 characters.');
    submit.disabled = true;
    try {
      const res = await fetch('/api/v1/invitations/accept', {
        method: 'POST', credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ token, name: name.value.trim(), password: password.value }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(res.status, body);
      // Sign in through the dashboard's client (it keeps the session the way every tab expects),
      // and end the session the accept call opened.
      if (signedIn()) await logout().catch(() => {});
      await fetch('/api/v1/auth/logout', {
        method: 'POST', credentials: 'omit',
        headers: { Authorization: 'Bearer ' + body.access_token, 'Content-Type': 'application/json' }, body: '{}',
      }).catch(() => {});
      await login(body.user.email, password.value);
      const me = await api('GET', '/me');
      const memberships = Array.isArray(me.memberships) ? me.memberships : [];
      joined(memberships[0] ? memberships[0].organization.id : '');
    } catch (error) {
      submit.disabled = false;
      if (error instanceof ApiError && error.status === 409) {
        setFormError(formProblem, 'An account with the invited email exists already. Sign in to the dashboard in this browser, '
          + 'then open the invitation link again and choose “Join with my account”.');
        if (!form.querySelector('.st-signin')) form.append(h('p', { class: 'st-signin' }, h('a', { href: '/app/login' }, 'Sign in')));
      } else if (error instanceof ApiError && error.status === 404) {
        setFormError(formProblem, invalidLink(error));
      } else {
        showProblem(error, form, formProblem, formCtx);
      }
    }
  });
  main.append(form);
  (signedIn() ? /** @type {HTMLElement} */ (main.querySelector('[data-testid="accept-join"]')) : name).focus();
  return 'ready';
}

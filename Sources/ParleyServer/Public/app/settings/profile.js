// Settings → Profile: who I am, password change (the server then signs out every session, this one
// included, so the dashboard returns to the sign-in page), and two-factor authentication: setup
// shows the secret (in groups of four) and the otpauth URL as text, then a code turns it on.
import { h, clear } from '../dom.js';
import { api, logout } from '../api.js';
import { field, invalidField, clearErrors, formError, showProblem, copyButton } from './kit.js';

/** @typedef {import('./types').Ctx} Ctx */

/** Where the dashboard goes after a password change; the sign-in page explains `reason`. */
const SIGNED_OUT_PATH = '/app/login?reason=password-changed';

/**
 * "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP".
 * @param {string} secret
 */
function groupSecret(secret) {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) || []).join(' ');
}

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderProfile(container, ctx) {
  let alive = true;

  // Who I am
  container.append(
    h('dl', { class: 'st-facts', 'data-testid': 'profile-facts' },
      h('dt', {}, 'Name'), h('dd', { 'data-testid': 'profile-name' }, ctx.me.name),
      h('dt', {}, 'Email'), h('dd', { 'data-testid': 'profile-email' }, ctx.me.email),
      h('dt', {}, 'Role in ' + ctx.org.name), h('dd', { 'data-testid': 'profile-role' }, ctx.role)));

  // Password
  const current = h('input', { type: 'password', 'data-testid': 'profile-current-password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', 'data-testid': 'profile-new-password', autocomplete: 'new-password', minlength: '10', required: true });
  const currentWrap = field('Current password', current, { name: 'current_password' });
  const nextWrap = field('New password', next, { name: 'new_password', hint: 'At least 10 characters. Every session, this one included, is signed out afterwards.' });
  const passwordSave = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'profile-password-save' }, 'Change password');
  const passwordError = formError();
  const passwordForm = h('form', { class: 'st-card st-form', novalidate: true, 'aria-labelledby': 'st-password-h' },
    h('h2', { id: 'st-password-h', class: 'st-subheading' }, 'Password'),
    // A hidden username field lets password managers attach the new password to the right account.
    h('input', { type: 'email', autocomplete: 'username', value: ctx.me.email, hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' }),
    currentWrap, nextWrap, h('div', { class: 'st-actions' }, passwordSave), passwordError);
  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(passwordForm);
    if (!current.value) return invalidField(currentWrap, 'Enter your current password.');
    if (next.value.length < 10) return invalidField(nextWrap, 'Use at least 10 characters.');
    passwordSave.disabled = true;
    try {
      await api('POST', '/me/password', { current_password: current.value, new_password: next.value });
    } catch (error) {
      passwordSave.disabled = false;
      showProblem(error, passwordForm, passwordError, ctx);
      return;
    }
    // Every session is revoked now: forget the tokens and go to the sign-in page, which says why.
    await logout().catch(() => {});
    ctx.navigate(SIGNED_OUT_PATH);
    ctx.toast('Your password was changed and every session was signed out. Sign in with the new password.');
  });
  container.append(passwordForm);

  // Two-factor authentication
  const totpBox = h('section', { class: 'st-card st-form', 'data-testid': 'totp', 'aria-labelledby': 'st-totp-h' });
  container.append(totpBox);
  drawTotp();

  function drawTotp() {
    clear(totpBox);
    const enabled = !!ctx.me.totp_enabled;
    totpBox.dataset.enabled = String(enabled);
    totpBox.append(
      h('h2', { id: 'st-totp-h', class: 'st-subheading' }, 'Two-factor authentication'),
      h('p', { 'data-testid': 'totp-status', class: enabled ? 'st-ok' : 'st-hint' },
        enabled ? 'On: signing in needs a code from your authenticator app.' : 'Off: signing in needs only your password.'));
    if (enabled) {
      totpBox.append(codeForm('Turn off', 'totp-disable', async (code) => {
        await api('POST', '/me/totp/disable', { code });
        ctx.toast('Two-factor authentication is off.');
      }));
      return;
    }
    const setup = h('button', { type: 'button', class: 'st-btn st-primary', 'data-testid': 'totp-setup' }, 'Set up two-factor authentication');
    const setupError = formError();
    setup.addEventListener('click', async () => {
      setup.disabled = true;
      try {
        /** @type {{manual_entry_key: string, otpauth_url: string}} */
        const answer = await api('POST', '/me/totp/setup');
        if (!alive) return;
        showSetup(answer.manual_entry_key, answer.otpauth_url);
      } catch (error) {
        setup.disabled = false;
        showProblem(error, totpBox, setupError, ctx);
      }
    });
    totpBox.append(setup, setupError);
  }

  /**
   * @param {string} key the base32 key an authenticator app takes when typed in
   * @param {string} url
   */
  function showSetup(key, url) {
    clear(totpBox);
    const urlField = h('input', { type: 'text', readonly: true, class: 'st-code', 'data-testid': 'totp-url' });
    urlField.value = url;
    totpBox.append(
      h('h2', { id: 'st-totp-h', class: 'st-subheading' }, 'Two-factor authentication'),
      h('ol', { class: 'st-steps' },
        h('li', {}, 'In your authenticator app, add an account by entering this key (time-based, 6 digits):',
          h('p', {}, h('code', { class: 'st-secret', 'data-testid': 'totp-secret', 'aria-label': 'Secret key, in groups of four characters' }, groupSecret(key)))),
        h('li', {}, 'Or, if your app takes a link, use this otpauth URL:',
          h('div', { class: 'st-row' }, urlField, copyButton(urlField, 'totp-url-copy'))),
        h('li', {}, 'Enter the 6-digit code the app shows to turn two-factor authentication on.')),
      codeForm('Turn on', 'totp-enable', async (code) => {
        await api('POST', '/me/totp/enable', { code });
        ctx.toast('Two-factor authentication is on.');
      }));
    /** @type {HTMLElement} */ (totpBox.querySelector('[data-testid="totp-code"]')).focus();
  }

  /**
   * A code input and a button; on success the profile is reloaded and the section redrawn.
   * @param {string} label @param {string} testid @param {(code: string) => Promise<void>} action
   */
  function codeForm(label, testid, action) {
    const code = h('input', {
      type: 'text', 'data-testid': 'totp-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6',
      pattern: '[0-9]{6}', class: 'st-code st-totp-code',
    });
    const codeWrap = field('Code from your authenticator app', code, { name: 'code' });
    const button = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': testid }, label);
    const error = formError();
    const form = h('form', { class: 'st-inline-form', novalidate: true }, codeWrap, button, error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const value = code.value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(value)) return invalidField(codeWrap, 'Enter the 6 digits your app shows.');
      button.disabled = true;
      try {
        await action(value);
        await ctx.refreshMe().catch(() => {});
        if (!alive) return;
        // refreshMe updates ctx.me when the shell keeps the same object; the answer settles it anyway.
        ctx.me.totp_enabled = testid === 'totp-enable';
        drawTotp();
        const focus = /** @type {HTMLElement | null} */ (totpBox.querySelector('button'));
        if (focus) focus.focus();
      } catch (e) {
        button.disabled = false;
        showProblem(e, form, error, ctx);
      }
    });
    return form;
  }

  return () => { alive = false; };
}


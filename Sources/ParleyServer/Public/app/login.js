// Sign-in: email and password, then a two-factor step when the server answers `totp-required`.
import { h, clear } from './dom.js';
import { login, ApiError } from './api.js';

/**
 * @param {unknown} e
 */
function describe(e) {
  if (!(e instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (e.code) {
    case 'invalid-credentials': return 'That email and password do not match an account.';
    case 'invalid-totp': return 'That code is not valid. Check your authenticator app and try again.';
    case 'totp-used': return 'That code was already used. Enter the next code from your authenticator app.';
    case 'login-locked': return 'Too many failed attempts. Try again in a few minutes.';
    case 'network': return 'The server cannot be reached. Check your connection.';
    case 'validation': return e.detail;
    default: return e.detail || 'Sign-in failed.';
  }
}

/** Why the user is here, when another page sent them (`/app/login?reason=…`). */
function notice() {
  const reasons = /** @type {Record<string, string>} */ ({
    'password-changed': 'Your password was changed and every session was signed out. Sign in with the new password.',
  });
  const text = reasons[new URLSearchParams(location.search).get('reason') || ''];
  return text ? h('p', { class: 'login-notice', role: 'status', 'data-testid': 'login-notice' }, text) : null;
}

/**
 * @param {HTMLElement} container
 * @param {() => void} done called once signed in
 */
export function renderLogin(container, done) {
  let step = /** @type {'password' | 'totp'} */ ('password');
  const email = h('input', { id: 'login-email', 'data-testid': 'login-email', type: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', 'data-testid': 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const totp = h('input', { id: 'login-totp', 'data-testid': 'login-totp', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9 ]{6,8}', maxlength: '8' });
  const error = h('p', { class: 'form-error', 'data-testid': 'login-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn primary block', 'data-testid': 'login-submit' }, 'Sign in');
  const passwordStep = h('div', { class: 'login-step' },
    h('div', { class: 'field' }, h('label', { for: 'login-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password));
  const back = h('button', { type: 'button', class: 'btn link' }, 'Use another account');
  const totpStep = h('div', { class: 'login-step', hidden: true },
    h('p', { class: 'muted' }, 'Two-factor authentication is on for this account. Enter the 6-digit code from your authenticator app.'),
    h('div', { class: 'field' }, h('label', { for: 'login-totp' }, 'Authentication code'), totp));
  const form = h('form', { class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' },
    passwordStep, totpStep, error, submit, h('div', { class: 'login-alt', hidden: true }, back));

  /**
   * @param {string} text
   */
  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  function showStep(/** @type {'password' | 'totp'} */ s) {
    step = s;
    passwordStep.hidden = s !== 'password';
    totpStep.hidden = s !== 'totp';
    /** @type {HTMLElement} */ (back.parentElement).hidden = s !== 'totp';
    submit.textContent = s === 'totp' ? 'Verify' : 'Sign in';
    (s === 'totp' ? totp : email).focus();
  }

  back.addEventListener('click', () => {
    totp.value = '';
    showError('');
    showStep('password');
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    if (!email.value.trim() || !password.value) return showError('Enter your email and password.');
    const code = totp.value.replace(/\s+/g, '');
    if (step === 'totp' && !/^[0-9]{6,8}$/.test(code)) return showError('Enter the 6-digit code.');
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      await login(email.value.trim(), password.value, step === 'totp' ? code : undefined);
      done();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp-required') {
        showStep('totp');
      } else {
        showError(describe(err));
        if (step === 'totp') totp.select();
      }
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  clear(container);
  container.append(h('main', { class: 'login-page' },
    h('div', { class: 'login-card' },
      h('div', { class: 'brand brand-lg' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'P'), 'Parley'),
      h('h1', { id: 'login-title' }, 'Sign in to your inbox'),
      notice(), form)));
  email.focus();
}

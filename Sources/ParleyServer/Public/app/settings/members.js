// Settings → Members: the organization's members with their roles, and invitations. Parley sends
// no email, so a new invitation shows its accept link for the inviter to pass on. The server's rules
// (nobody grants a role above their own, only owners touch owners, one owner always stays) are
// mirrored in the controls and its 403/409 answers are shown where they happened.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import {
  field, invalidField, clearErrors, formError, setFormError, showProblem, showLoadError, confirmButton, copyButton,
  select, problemText, items, shortDate,
} from './kit.js';

/**
 * @typedef {import('./types').Ctx} Ctx
 * @typedef {import('./types').Member} Member
 * @typedef {import('./types').Invitation} Invitation
 * @typedef {import('./types').Role} Role
 */

/** @type {Array<[Role, string]>} */
const ROLES = [['owner', 'Owner'], ['admin', 'Admin'], ['agent', 'Agent']];
/** @type {Record<Role, number>} */
const RANK = { owner: 3, admin: 2, agent: 1 };

/**
 * Where an invitee accepts: the dashboard's invitation screen, the token in the fragment (never sent
 * to a server).
 * @param {string} token
 */
function acceptLink(token) {
  return `${location.origin}/app/accept#token=${encodeURIComponent(token)}`;
}

/**
 * @param {HTMLElement} container
 * @param {Ctx} ctx
 */
export function renderMembers(container, ctx) {
  let alive = true;
  const org = encodeURIComponent(ctx.org.id);
  /** @type {Member[]} */
  let members = [];
  /** @type {Invitation[]} */
  let invitations = [];

  const membersBody = h('tbody', {});
  const membersStatus = h('p', { class: 'st-hint', role: 'status' }, 'Loading members…');
  const membersError = formError();
  const invitationsList = h('ul', { class: 'st-list', 'data-testid': 'invitation-list', 'aria-label': 'Pending invitations' });
  const invitationsStatus = h('p', { class: 'st-hint', role: 'status' });

  // Invite form
  const email = h('input', { type: 'email', 'data-testid': 'invite-email', autocomplete: 'off', maxlength: '254', required: true });
  const emailWrap = field('Email', email, { name: 'email' });
  const grantable = ROLES.filter(([role]) => RANK[role] <= RANK[ctx.role]);
  const role = select(grantable, 'agent', { 'data-testid': 'invite-role' });
  const submit = h('button', { type: 'submit', class: 'st-btn st-primary', 'data-testid': 'invite-submit' }, 'Create invitation');
  const inviteError = formError();
  const created = h('div', { class: 'st-card st-invite-created', 'data-testid': 'invite-created', role: 'status', hidden: true });
  const inviteForm = h('form', { class: 'st-inline-form', novalidate: true, 'aria-label': 'Invite someone' },
    emailWrap, field('Role', role, { name: 'role' }), submit, inviteError);
  inviteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(inviteForm);
    const address = email.value.trim();
    if (!address || !email.checkValidity()) return invalidField(emailWrap, 'Enter the email address of the person to invite.');
    submit.disabled = true;
    try {
      /** @type {{invitation: Invitation, token: string}} */
      const answer = await api('POST', `/orgs/${org}/invitations`, { email: address, role: role.value });
      if (!alive) return;
      invitations = [answer.invitation, ...invitations.filter((i) => i.id !== answer.invitation.id)];
      drawInvitations();
      email.value = '';
      const link = h('input', { type: 'text', readonly: true, class: 'st-code', 'data-testid': 'invite-link', 'aria-label': 'Accept link' });
      link.value = acceptLink(answer.token);
      clear(created);
      created.append(
        h('p', {}, `Invitation for ${answer.invitation.email} (${answer.invitation.role}) created. Parley does not send email: `
          + 'send them this link yourself. It is shown only now and works until ' + new Date(answer.invitation.expires_at).toLocaleString() + '.'),
        h('div', { class: 'st-row' }, link, copyButton(link, 'invite-copy')));
      created.hidden = false;
      link.focus();
      link.select();
    } catch (error) {
      showProblem(error, inviteForm, inviteError, ctx);
    } finally {
      submit.disabled = false;
    }
  });

  container.append(
    membersStatus,
    h('table', { class: 'st-table', 'data-testid': 'member-list' },
      h('caption', { class: 'st-sr' }, 'Members of ' + ctx.org.name),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'),
        h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Joined'), h('th', { scope: 'col' }, h('span', { class: 'st-sr' }, 'Actions')))),
      membersBody),
    membersError,
    h('h2', { class: 'st-subheading' }, 'Invite someone'),
    inviteForm,
    created,
    h('h2', { class: 'st-subheading' }, 'Pending invitations'),
    invitationsStatus,
    invitationsList);

  /**
   * Whether I may change or remove `member` (the server decides in the end).
   * @param {Member} member
   */
  const canManage = (member) => member.user_id === ctx.me.id || RANK[member.role] <= RANK[ctx.role];

  function drawMembers() {
    clear(membersBody);
    membersStatus.hidden = members.length > 0;
    membersStatus.textContent = members.length ? '' : 'No members.';
    for (const member of members) {
      const me = member.user_id === ctx.me.id;
      const options = ROLES.map(([value, text]) => {
        const option = h('option', { value }, text);
        // Nobody grants a role above their own.
        if (RANK[value] > RANK[ctx.role]) option.disabled = true;
        return option;
      });
      const roleSelect = h('select', { 'data-testid': 'member-role', 'aria-label': `Role of ${member.name}` }, options);
      roleSelect.value = member.role;
      roleSelect.disabled = !canManage(member);
      roleSelect.addEventListener('change', async () => {
        const wanted = /** @type {Role} */ (roleSelect.value);
        roleSelect.disabled = true;
        setFormError(membersError, '');
        try {
          /** @type {Member} */
          const updated = await api('PATCH', `/orgs/${org}/members/${encodeURIComponent(member.user_id)}`, { role: wanted });
          if (!alive) return;
          members = members.map((m) => (m.user_id === updated.user_id ? updated : m));
          ctx.toast(`${updated.name} is now ${updated.role === 'admin' ? 'an admin' : 'an ' + updated.role}.`);
          if (me) {
            // My own role changed: the whole dashboard's permissions follow.
            await ctx.refreshMe().catch(() => {});
            ctx.navigate(`/app/o/${org}/settings/${RANK[updated.role] >= RANK.admin ? 'members' : 'profile'}`);
            return;
          }
          drawMembers();
        } catch (error) {
          roleSelect.value = member.role;
          roleSelect.disabled = !canManage(member);
          setFormError(membersError, `Could not change ${member.name}’s role: ${problemText(error)}`);
          ctx.toast(problemText(error), 'error');
        }
      });
      const remove = confirmButton({
        label: me ? 'Leave…' : 'Remove…', confirmLabel: me ? 'Leave organization' : 'Remove', testid: 'member-remove',
        prompt: me ? `Leave ${ctx.org.name}? You lose access at once.` : `Remove ${member.name} from ${ctx.org.name}?`,
        async action() {
          setFormError(membersError, '');
          try {
            await api('DELETE', `/orgs/${org}/members/${encodeURIComponent(member.user_id)}`);
            if (me) {
              ctx.toast(`You left ${ctx.org.name}.`);
              await ctx.refreshMe().catch(() => {});
              ctx.navigate('/app');
              return;
            }
            members = members.filter((m) => m.user_id !== member.user_id);
            ctx.toast(`${member.name} was removed.`);
            drawMembers();
          } catch (error) {
            setFormError(membersError, `Could not remove ${member.name}: ${problemText(error)}`);
            ctx.toast(problemText(error), 'error');
          }
        },
      });
      if (!canManage(member)) {
        for (const b of remove.querySelectorAll('button')) /** @type {HTMLButtonElement} */ (b).disabled = true;
      }
      membersBody.append(h('tr', { 'data-testid': 'member-row', 'data-id': member.user_id, 'data-role': member.role },
        h('td', { 'data-testid': 'member-name' }, member.name, me ? h('span', { class: 'st-badge' }, 'you') : null),
        h('td', { 'data-testid': 'member-email' }, member.email),
        h('td', {}, roleSelect),
        h('td', {}, shortDate(member.joined_at)),
        h('td', {}, remove)));
    }
  }

  function drawInvitations() {
    clear(invitationsList);
    const now = Date.now();
    const pending = invitations.filter((i) => !i.accepted_at && new Date(i.expires_at).getTime() > now);
    invitationsStatus.textContent = pending.length ? '' : 'No pending invitations.';
    invitationsStatus.hidden = pending.length > 0;
    for (const invitation of pending) {
      const revoke = confirmButton({
        label: 'Revoke…', confirmLabel: 'Revoke', testid: 'invitation-revoke',
        prompt: `Revoke the invitation for ${invitation.email}? Its link stops working.`,
        async action() {
          try {
            await api('DELETE', `/orgs/${org}/invitations/${encodeURIComponent(invitation.id)}`);
            invitations = invitations.filter((i) => i.id !== invitation.id);
            ctx.toast(`Invitation for ${invitation.email} revoked.`);
            drawInvitations();
          } catch (error) {
            ctx.toast(`Could not revoke: ${problemText(error)}`, 'error');
          }
        },
      });
      invitationsList.append(h('li', { 'data-testid': 'invitation-row', 'data-id': invitation.id, class: 'st-list-row' },
        h('span', { 'data-testid': 'invitation-email', class: 'st-grow' }, invitation.email),
        h('span', { class: 'st-badge', 'data-testid': 'invitation-role' }, invitation.role),
        h('span', { class: 'st-hint' }, 'expires ' + shortDate(invitation.expires_at)),
        revoke));
    }
  }

  Promise.all([api('GET', `/orgs/${org}/members`), api('GET', `/orgs/${org}/invitations`)]).then(([m, i]) => {
    if (!alive) return;
    members = items(m);
    invitations = items(i);
    drawMembers();
    drawInvitations();
  }, (error) => {
    if (alive) showLoadError(membersStatus, 'the members', error);
  });

  return () => { alive = false; };
}

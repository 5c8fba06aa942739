// What the pane shows in each state. Everything from the mailbox or the user is inserted as text (dom.js).
import { h } from './dom.js';
import { when, day, inDays } from './dates.js';

const STATES = {
  'not-interview': 'Not an interview', maybe: 'Maybe an interview', upcoming: 'Interview coming up', 'thank-you': 'Thank-you notes due',
  waiting: 'Waiting for their answer', 'following-up': 'Following up', paused: 'Paused', 'next-round': 'Next round',
  offer: 'Offer', rejected: 'Not selected', 'moved-on': 'Moved on', 'on-hold': 'Role on hold',
};
const KINDS = {
  'thank-you': 'Thank-you note', 'follow-up': 'Follow-up', 'rejection-reply': 'Reply to their decision', 'keep-searching': 'Move on',
  'connect-linkedin': 'Connect on LinkedIn', 'alert-references': 'Alert your references', 'prepare-next-round': 'Prepare the next round',
  'send-thank-you': 'Send your thank-you notes', 'stay-in-touch': 'Stay in touch', call: 'Call them',
  'ask-recommendation': 'Ask for a recommendation', 'answer-offer': 'Answer the offer', 'before-interview': 'Before the interview',
};
// A closed process: nothing the user tells us changes it, so the pane shows what is left to do instead of the facts form.
const CLOSED = ['not-interview', 'rejected', 'offer', 'moved-on', 'on-hold'];
// What an employer's message can be read as, in the words the user corrects it with.
const READINGS = [
  ['rejection', 'A rejection'], ['other', 'Not a rejection (no outcome)'], ['in-process', 'Still in process'], ['offer', 'An offer'],
  ['next-round', 'Next round'], ['on-hold', 'The role is on hold'], ['references', 'Asks for references'], ['auto-reply', 'An automatic reply'],
];
const CHANNELS = [['', 'Not said'], ['email', 'By email'], ['phone', 'By phone (they will call)'], ['person', 'Through a named person'], ['wait', 'Wait for them']];

export const stateLabel = (state) => STATES[state] ?? state;
export const kindLabel = (kind) => KINDS[kind] ?? kind;

export function loading(text = 'Loading your follow-up plan…') {
  return h('p', { className: 'status', role: 'status' }, text);
}

/** An error that says what to do, with the action that does it. */
export function problem(error, { retry, signIn }, level = 'h1') {
  const consent = error.kind === 'consent' || error.kind === 'signed-out' || error.kind === 'cancelled' || error.kind === 'blocked';
  const title = {
    unreachable: 'Cannot reach OutlookFollowUp', consent: 'Permission needed', 'signed-out': 'Not signed in', cancelled: 'Not signed in',
    blocked: 'Sign-in window blocked', unavailable: 'Sign-in not available here', busy: 'Outlook is busy', forbidden: 'Not allowed',
  }[error.kind] ?? 'Something went wrong';
  return h('section', { className: 'notice error', role: 'alert', 'aria-labelledby': 'problem-title' },
    h(level, { id: 'problem-title', tabindex: '-1' }, title),
    h('p', {}, error.message),
    h('div', { className: 'actions' },
      consent && signIn ? h('button', { className: 'primary', 'data-key': 'sign-in', onclick: signIn }, 'Sign in') : null,
      retry ? h('button', { className: consent ? '' : 'primary', 'data-key': 'retry', onclick: retry }, 'Try again') : null));
}

function badge(step) {
  const written = step.written;
  const text = written?.sent ? 'Sent'
    : step.status === 'done' ? 'Done'
    : written ? (written.editedByUser ? 'Draft edited by you' : 'Draft ready')
    : { due: 'Ready to draft', 'needs-review': 'Check before drafting', scheduled: 'Planned', skipped: 'Skipped', cancelled: 'Not needed' }[step.status] ?? step.status;
  const tone = written?.sent || step.status === 'done' ? 'done' : written || step.status === 'due' ? 'due' : '';
  return h('span', { className: `badge ${tone}` }, text);
}

function names(step) {
  return step.recipients.map((p) => p.name || p.address).join(', ');
}

function mailItem(step, on, zone) {
  const open = step.written && !step.written.sent && on.openDraft
    ? h('button', { className: 'link', 'data-key': `open-${step.key}`, onclick: () => on.openDraft(step.written.id) }, `Open the draft to ${names(step)}`)
    : null;
  return h('li', { 'data-step': step.key },
    h('div', { className: 'row' }, h('span', { className: 'name' }, step.kind === 'thank-you' ? names(step) : `${kindLabel(step.kind)} to ${names(step)}`), badge(step)),
    h('p', { className: 'sub', 'data-time': '' }, `${step.status === 'scheduled' ? 'Planned for' : 'Due'} ${when(step.dueLocal, zone)}`),
    h('p', { className: 'why' }, step.reason),
    open);
}

function reminderItem(step, on, zone) {
  const r = step.reminder;
  const decided = r.accepted
    ? h('p', { className: 'saved' }, 'In your calendar')
    : h('div', { className: 'actions' },
      h('button', { className: 'primary', 'data-key': `accept-${step.key}`, onclick: () => on.accept(step.key), 'aria-label': `Accept: ${r.title}` }, 'Accept'),
      h('button', { 'data-key': `dismiss-${step.key}`, onclick: () => on.dismiss(step.key), 'aria-label': `Dismiss: ${r.title}` }, 'Dismiss'));
  return h('li', { 'data-step': step.key },
    h('div', { className: 'row' }, h('span', { className: 'name' }, r.title)),
    h('p', { className: 'sub', 'data-time': '' }, when(step.dueLocal, zone)),
    h('p', { className: 'why' }, step.reason),
    decided);
}

function spelling(steps) {
  const words = new Map();
  for (const step of steps) for (const w of step.review?.unknownWords ?? []) words.set(w.word, w.suggestions);
  if (words.size === 0) return null;
  return h('section', { className: 'notice', 'aria-labelledby': 'spelling-title' },
    h('h2', { id: 'spelling-title' }, 'Check the spelling'),
    h('ul', {}, [...words].map(([word, suggestions]) => h('li', {},
      h('span', { className: 'spelling' }, word), suggestions.length ? ` — did you mean ${suggestions.slice(0, 3).join(', ')}?` : ' — not in the dictionary'))));
}

function detection(plan, on) {
  const state = plan.process.state;
  if (state !== 'not-interview' && state !== 'maybe') return null;
  const reasons = plan.process.detection?.reasons ?? [];
  return h('section', { className: 'notice', 'aria-labelledby': 'detect-title' },
    h('h2', { id: 'detect-title' }, state === 'maybe' ? 'Is this an interview?' : 'This does not look like an interview'),
    reasons.length ? h('ul', { className: 'why' }, reasons.map((r) => h('li', {}, r))) : null,
    h('div', { className: 'actions' },
      h('button', { className: 'primary', 'data-key': 'is-interview', onclick: () => on.markInterview(true) }, state === 'maybe' ? 'Yes, it is an interview' : 'Treat as an interview'),
      state === 'maybe' ? h('button', { 'data-key': 'not-interview', onclick: () => on.markInterview(false) }, 'No, it is not') : null));
}

/** A reading the product is not sure of: one question, one tap to confirm or to say it is not so. */
function question(plan, on) {
  const q = plan.process.question;
  if (!q || !q.messageId) return null;
  return h('section', { className: 'notice', 'aria-labelledby': 'question-title' },
    h('h2', { id: 'question-title' }, q.text),
    h('p', { className: 'why' }, 'Their latest message may say so, but OutlookFollowUp is not sure. Follow-ups wait for your answer.'),
    h('div', { className: 'actions' },
      h('button', { className: 'primary', 'data-key': 'answer-yes', onclick: () => on.correct(q.messageId, q.class) }, 'Yes'),
      h('button', { 'data-key': 'answer-no', onclick: () => on.correct(q.messageId, 'other') }, 'No, not that')));
}

/** Every employer message since the interview, as it was read; the user corrects a reading in one choice. */
function readings(plan, on) {
  const replies = (plan.process.replies ?? []).filter((r) => r.messageId);
  if (!replies.length) return null;
  return h('section', { 'aria-labelledby': 'replies-title' },
    h('h2', { id: 'replies-title' }, 'What they wrote'),
    h('ul', { className: 'items' }, replies.map((r, i) => {
      const label = `What the message of ${day(r.receivedLocal)} from ${r.from} is`;
      const choice = h('select', { id: `reading-${i}`, 'data-key': `reading-${i}`, 'aria-label': label, onchange: (e) => on.correct(r.messageId, e.target.value) },
        READINGS.map(([value, text]) => h('option', { value, selected: r.class === value }, text)));
      const by = r.readBy === 'you' ? 'as you said' : r.sure ? 'read with confidence' : 'not sure';
      return h('li', { 'data-reply': r.messageId },
        h('div', { className: 'row' }, h('span', { className: 'name' }, r.from), h('span', { className: 'badge' }, day(r.receivedLocal))),
        h('p', { className: 'sub' }, `${READINGS.find(([v]) => v === r.class)?.[1] ?? r.class} (${by})`),
        choice);
    })));
}

/** [001, 004]: before a round, what to do in the room. */
function inTheRoom(plan) {
  const tips = plan.process.inTheRoom ?? [];
  if (!tips.length) return null;
  return h('section', { className: 'notice', 'aria-labelledby': 'room-title' },
    h('h2', { id: 'room-title' }, 'In the room'),
    h('ul', {}, tips.map((t) => h('li', {}, t))));
}

/** Right after the interview: the date they gave decides the follow-up, so the pane asks for it first. */
function askDecisionDate(view, on) {
  if (!view.plan.process.askDecisionDate) return null;
  const save = (days) => () => on.saveFacts({ ...(view.facts ?? {}), decisionDate: days === null ? null : inDays(days), noDecisionDate: days === null ? true : null });
  const pick = (label, days) => h('button', { type: 'button', 'data-key': `decide-${days ?? 'none'}`, onclick: save(days) }, label);
  return h('section', { className: 'notice', 'aria-labelledby': 'decide-title' },
    h('h2', { id: 'decide-title' }, 'When did they say they would decide?'),
    h('p', { className: 'why' }, 'The first follow-up waits until the day after that date; with no date, a week after the interview.'),
    h('div', { className: 'picks', role: 'group', 'aria-label': 'When they said they would decide' },
      pick('In a week', 7), pick('In two weeks', 14), pick('In a month', 30), pick('They did not say', null)));
}

/** A closed process: what is left to do, or that nothing is. */
function leftToDo(plan, zone) {
  const open = plan.steps.filter((s) => ['due', 'needs-review', 'scheduled'].includes(s.status));
  return h('section', { 'aria-labelledby': 'left-title' },
    h('h2', { id: 'left-title' }, 'What is left to do'),
    open.length
      ? h('ul', { className: 'items' }, open.map((s) => h('li', { 'data-left': s.key },
        h('div', { className: 'row' }, h('span', { className: 'name' }, kindLabel(s.kind)), badge(s)),
        h('p', { className: 'sub', 'data-time': '' }, when(s.dueLocal, zone)))))
      : h('p', {}, 'Nothing: this process is closed.'));
}

function factsForm(view, on) {
  const facts = view.facts ?? {};
  const people = [];
  for (const round of view.plan.process.rounds ?? []) for (const p of round.interviewers) if (p.address && !people.some((q) => q.address === p.address)) people.push(p);
  const decision = h('input', { id: 'decision', type: 'date', name: 'decisionDate', value: facts.decisionDate ?? '' });
  const pick = (label, days) => h('button', { type: 'button', 'data-key': `pick-${days}`, onclick: () => { decision.value = inDays(days); } }, label);
  const channel = h('select', { id: 'channel', name: 'channel' },
    CHANNELS.map(([value, label]) => h('option', { value, selected: (facts.channel ?? '') === value }, label)));
  const contactName = h('input', { id: 'contact-name', name: 'contactName', value: facts.contactPerson?.name ?? '', autocomplete: 'off' });
  const contactAddress = h('input', { id: 'contact-address', type: 'email', name: 'contactAddress', value: facts.contactPerson?.address ?? '', autocomplete: 'off' });
  const notes = people.map((p, i) => ({
    address: p.address,
    field: h('textarea', { id: `note-${i}`, name: `note-${i}`, spellcheck: 'true', value: facts.interviewerNotes?.[p.address] ?? '' }),
    label: `What stood out with ${p.name || p.address}`,
  }));
  const fit = h('input', { id: 'fit', name: 'fitLine', spellcheck: 'true', value: facts.fitLine ?? '', maxlength: '300' });
  const status = h('p', { role: 'status', className: 'saved', id: 'facts-status' });

  const submit = async (event) => {
    event.preventDefault();
    const interviewerNotes = {};
    for (const n of notes) if (n.field.value.trim()) interviewerNotes[n.address] = n.field.value.trim();
    const contact = contactAddress.value.trim() ? { name: contactName.value.trim() || null, address: contactAddress.value.trim() } : null;
    await on.saveFacts({
      ...facts,
      decisionDate: decision.value || null,
      channel: channel.value || null,
      contactPerson: contact,
      interviewerNotes,
      fitLine: fit.value.trim() || null,
    });
  };
  return h('form', { 'aria-labelledby': 'facts-title', onsubmit: submit, novalidate: true },
    h('h2', { id: 'facts-title' }, 'What they told you'),
    h('label', { for: 'decision' }, 'Decision expected by'),
    decision,
    h('div', { className: 'picks', role: 'group', 'aria-label': 'Quick picks for the decision date' }, pick('In a week', 7), pick('In two weeks', 14), pick('In a month', 30)),
    h('label', { for: 'channel' }, 'How to follow up'),
    channel,
    h('label', { for: 'contact-name' }, 'Contact person (name)'),
    contactName,
    h('label', { for: 'contact-address' }, 'Contact person (email)'),
    contactAddress,
    notes.map((n) => [h('label', { for: n.field.id }, n.label), n.field]),
    h('label', { for: 'fit' }, 'Why you fit, in one sentence'),
    fit,
    h('div', { className: 'actions' }, h('button', { className: 'primary', type: 'submit', 'data-key': 'save-facts' }, 'Save')),
    status);
}

/** The plan for one process: interviewers and their thank-yous, the follow-up schedule, reminders, the facts form. */
export function plan(view, on, message) {
  const p = view.plan;
  const steps = p.steps;
  const visible = (s) => s.status !== 'cancelled' || s.written;
  const thankYous = steps.filter((s) => s.kind === 'thank-you' && visible(s));
  const mail = steps.filter((s) => ['follow-up', 'rejection-reply'].includes(s.kind) && visible(s));
  const reminders = steps.filter((s) => s.reminder && ['due', 'scheduled'].includes(s.status));
  const draftable = steps.some((s) => s.mail && !s.written && ['due', 'needs-review'].includes(s.status));
  const title = [p.process.role, p.process.company].filter(Boolean).join(' at ') || 'Interview';
  const zone = p.timeZone;
  const closed = CLOSED.includes(p.process.state);
  return [
    h('header', {},
      h('h1', { tabindex: '-1', id: 'plan-title' }, title),
      h('p', { className: 'sub' }, stateLabel(p.process.state)),
      zone ? h('p', { className: 'sub', id: 'zone' }, `Times are in ${zone}, your mailbox's time zone.`) : null),
    message ? h('p', { className: 'saved', role: 'status' }, message) : null,
    detection(p, on),
    question(p, on),
    closed ? null : askDecisionDate(view, on),
    inTheRoom(p),
    thankYous.length ? h('section', { 'aria-labelledby': 'ty-title' },
      h('h2', { id: 'ty-title' }, 'Thank-you notes'),
      h('ul', { className: 'items' }, thankYous.map((s) => mailItem(s, on, zone)))) : null,
    draftable ? h('div', { className: 'actions' }, h('button', { className: 'primary', 'data-key': 'draft-now', onclick: on.draftNow }, 'Draft them now')) : null,
    mail.length ? h('section', { 'aria-labelledby': 'fu-title' },
      h('h2', { id: 'fu-title' }, 'Follow-ups'),
      p.process.decisionDate ? h('p', { className: 'sub' }, `They expect to decide by ${day(p.process.decisionDate.date)}.`) : null,
      h('ul', { className: 'items' }, mail.map((s) => mailItem(s, on, zone)))) : null,
    reminders.length ? h('section', { 'aria-labelledby': 'rem-title' },
      h('h2', { id: 'rem-title' }, 'Suggested reminders'),
      h('ul', { className: 'items' }, reminders.map((s) => reminderItem(s, on, zone)))) : null,
    spelling(steps),
    on.correct ? readings(p, on) : null,
    // Nothing the user tells us changes a closed process: after a rejection the form would only invite a chase.
    closed ? (p.process.state === 'not-interview' ? null : leftToDo(p, zone)) : factsForm(view, on),
    on.backToList ? h('p', {}, h('button', { className: 'link', 'data-key': 'all', onclick: on.backToList }, 'All your interview processes')) : null,
  ];
}

/** Every process, next step first: what the pane shows outside Outlook, or when asked. */
export function dashboard(items, on, note) {
  return [
    h('h1', { tabindex: '-1' }, 'Your interview processes'),
    note ? h('p', { className: 'notice' }, note) : null,
    items.length === 0
      ? h('p', {}, 'No interviews yet. Open an interview invitation in Outlook and choose Follow up.')
      : h('ul', { className: 'items' }, items.map((item) => h('li', {},
        h('div', { className: 'row' },
          h('button', { className: 'link', 'data-key': `open-${item.key}`, onclick: () => on.open(item.key) }, item.company || item.title || 'Interview'),
          h('span', { className: 'badge' }, stateLabel(item.state))),
        item.title ? h('p', { className: 'sub' }, item.title) : null,
        item.nextStepKind ? h('p', { className: 'why' }, `Next: ${kindLabel(item.nextStepKind)}${item.nextStepDueLocal ? `, ${when(item.nextStepDueLocal, item.timeZone)}` : ''}`) : null))),
    on.forget ? forgetSection(on.forget) : null,
  ];
}

// Office add-ins cannot use confirm(): the second step is a button of its own, and Cancel puts the first one back.
function forgetSection(forget) {
  const section = h('section', { className: 'forget', 'aria-labelledby': 'forget-heading' });
  const ask = () => {
    section.replaceChildren(
      h('h2', { id: 'forget-heading' }, 'Stop using OutlookFollowUp'),
      h('p', { className: 'sub' }, 'OutlookFollowUp stops reading your mailbox and deletes what it keeps about you: your processes, what you told it, your corrections and its index of your mail. The drafts and calendar events it wrote stay in your mailbox.'),
      h('button', { className: 'link', 'data-key': 'forget', onclick: confirm }, 'Delete what OutlookFollowUp keeps about me'));
  };
  const confirm = () => {
    section.replaceChildren(
      h('h2', { id: 'forget-heading' }, 'Delete everything OutlookFollowUp keeps about you?'),
      h('p', { className: 'sub' }, 'This cannot be undone. Opening OutlookFollowUp again starts afresh.'),
      h('div', { className: 'row' },
        h('button', { className: 'primary', 'data-key': 'forget-yes', onclick: forget }, 'Yes, delete it'),
        h('button', { className: 'link', 'data-key': 'forget-cancel', onclick: () => { ask(); section.querySelector('button')?.focus(); } }, 'Cancel')));
    section.querySelector('button')?.focus();
  };
  ask();
  return section;
}

export function forgotten() {
  return [
    h('h1', { tabindex: '-1' }, 'Deleted'),
    h('p', {}, 'OutlookFollowUp no longer reads your mailbox and has deleted what it kept about you. The drafts and events it wrote are still in your mailbox, yours to keep or delete. Open OutlookFollowUp again to start afresh.'),
  ];
}

// The pane's start and its flow: which item Outlook opened it on, what to ask the service, what to show.
import { show } from './dom.js';
import { createSignIn } from './auth.js';
import { createApi } from './api.js';
import * as ui from './view.js';

const root = document.getElementById('app');
let api;
let getToken;
let office = null;
let current = null; // the process shown, as the service last returned it

start();

async function start() {
  show(root, ui.loading());
  office = await officeReady();
  // For the benchmark: from Office.js ready to the plan on screen (performance.measure('ofu-plan')).
  performance.mark('ofu-office-ready');
  let config;
  try {
    const response = await fetch('config.json');
    if (!response.ok) throw new Error(String(response.status));
    config = await response.json();
  } catch {
    fail({ kind: 'unreachable', message: 'OutlookFollowUp cannot be reached. Check your connection, then choose Try again.' }, start);
    return;
  }
  getToken = createSignIn(config, office);
  api = createApi(getToken);
  await openWhatOutlookShows();
}

/** Office.js reports its host when it runs inside Office; in a plain browser it reports none (or never loads). */
function officeReady() {
  if (!window.Office?.onReady) return Promise.resolve(null);
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
  const ready = window.Office.onReady().then((info) => (info?.host ? window.Office : null), () => null);
  return Promise.race([ready, timeout]);
}

async function openWhatOutlookShows() {
  const item = office?.context?.mailbox?.item;
  if (!item) return openDashboard();
  await attempt(openWhatOutlookShows, async () => {
    if (item.itemType === 'appointment') {
      const id = await itemId(item);
      if (!id) return openDashboard('Save the meeting first: the plan appears once it is in your calendar.');
      return showPlan(await api.planForEvent(office.context.mailbox.convertToRestId(id, office.MailboxEnums?.RestVersion?.v2_0 ?? 'v2.0')));
    }
    const sender = item.from?.emailAddress ?? item.sender?.emailAddress;
    if (!sender) return openDashboard();
    try {
      return showPlan(await api.planForPerson(sender));
    } catch (error) {
      if (error.kind !== 'not-found') throw error;
      return openDashboard('This message is not part of an interview process yet. Open the interview in your calendar to start one.');
    }
  });
}

// A meeting the user organizes is a compose form: its id exists only once saved (Mailbox 1.8).
function itemId(item) {
  if (item.itemId) return Promise.resolve(item.itemId);
  if (!item.getItemIdAsync) return Promise.resolve(null);
  return new Promise((resolve) => item.getItemIdAsync((r) => resolve(r.status === 'succeeded' ? r.value : null)));
}

async function openDashboard(note) {
  current = null;
  await attempt(() => openDashboard(note), async () => {
    const items = await api.processes();
    show(root, ui.dashboard(items, {
      open: (key) => attempt(() => openProcess(key), () => openProcess(key)),
      forget: () => attempt(null, async () => {
        root.setAttribute('aria-busy', 'true');
        await api.forget();
        current = null;
        show(root, ui.forgotten());
        root.querySelector('h1')?.focus();
      }),
    }, note));
    root.querySelector('h1')?.focus();
  });
}

async function openProcess(key) {
  show(root, ui.loading());
  showPlan(await api.process(key), null, true);
}

function showPlan(view, message, fromList = current?.fromList ?? false) {
  current = { ...view, fromList };
  const focusedBefore = document.activeElement?.dataset?.key;
  show(root, ui.plan(view, handlers(fromList), message));
  if (!performance.getEntriesByName('ofu-plan').length) performance.measure('ofu-plan', 'ofu-office-ready');
  if (!focusedBefore || !root.contains(document.activeElement)) root.querySelector('h1')?.focus();
}

function handlers(fromList) {
  const inOutlook = Boolean(office?.context?.mailbox?.displayMessageForm);
  const key = () => current.processKey;
  // An action that fails leaves the pane as it was (what the user typed included) with the problem above it.
  const act = (run) => async function again() {
    root.setAttribute('aria-busy', 'true');
    try {
      await run();
    } catch (error) {
      above(error, again);
    } finally {
      root.setAttribute('aria-busy', 'false');
    }
  };
  return {
    openDraft: inOutlook ? (restId) => office.context.mailbox.displayMessageForm(
      office.context.mailbox.convertToEwsId(restId, office.MailboxEnums?.RestVersion?.v2_0 ?? 'v2.0')) : null,
    draftNow: act(async () => {
      const result = await api.draftNow(key());
      const n = result.writes.created + result.writes.alreadyThere;
      showPlan(result.view, n === 1 ? 'One draft is in your Drafts folder.' : `${n} drafts are in your Drafts folder.`);
    }),
    accept: (step) => act(async () => showPlan((await api.accept(key(), step)).view, 'Added to your calendar.'))(),
    dismiss: (step) => act(async () => showPlan((await api.dismiss(key(), step)).view, 'Reminder dismissed.'))(),
    correct: (messageId, reading) => act(async () => {
      const result = await api.correct(key(), messageId, reading);
      const { created, withdrawn } = result.writes;
      const notes = ['Saved. The plan below follows what you said.'];
      if (created) notes.push(created === 1 ? 'One new draft is in your Drafts folder.' : `${created} new drafts are in your Drafts folder.`);
      if (withdrawn) notes.push(withdrawn === 1 ? 'One draft that no longer fits was withdrawn.' : `${withdrawn} drafts that no longer fit were withdrawn.`);
      showPlan(result.view, notes.join(' '));
    })(),
    markInterview: (yes) => act(async () => showPlan(await api.saveFacts(key(), { ...current.facts, isInterview: yes }), 'Saved.'))(),
    saveFacts: (facts) => act(async () => {
      try {
        showPlan(await api.saveFacts(key(), facts), 'Saved. The plan below follows what you entered.');
      } catch (error) {
        if (error.kind !== 'invalid') throw error;
        const status = root.querySelector('#facts-status');
        status.className = 'spelling';
        status.textContent = Object.values(error.errors).flat().join(' ');
      }
    })(),
    backToList: fromList || !office?.context?.mailbox?.item ? () => openDashboard() : null,
  };
}

/** Runs a step of the flow; any failure becomes a message that says what to do, with a retry. */
async function attempt(retry, run) {
  try {
    await run();
  } catch (error) {
    fail(error, retry ?? (() => (current ? showPlan(current) : openWhatOutlookShows())));
  }
}

function above(error, retry) {
  root.querySelector('#action-problem')?.remove();
  const notice = ui.problem(error, { retry, signIn: () => getToken({ claims: error.claims, fresh: true }).then(retry, (again) => above(again, retry)) }, 'h2');
  notice.id = 'action-problem';
  root.prepend(notice);
  notice.querySelector('h2')?.focus();
}

function fail(error, retry) {
  const signIn = async () => {
    try {
      await getToken({ claims: error.claims, fresh: true });
      await retry();
    } catch (again) {
      fail(again, retry);
    }
  };
  show(root, ui.problem(error, { retry, signIn }));
  root.querySelector('h1')?.focus();
}

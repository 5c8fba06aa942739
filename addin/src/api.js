// Every call to the service: one place that turns HTTP answers (ProblemDetails) into errors the pane can explain.

export class ApiError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.kind = kind;
    Object.assign(this, extra);
  }
}

export function createApi(getToken) {
  async function call(method, path, body, retried = false) {
    const token = await getToken({ fresh: retried });
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('unreachable', 'OutlookFollowUp cannot be reached. Check your connection, then choose Try again.');
    }
    if (response.status === 204) return null;
    if (response.ok) return response.json();
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    const status = response.status;
    if (status === 401 && !retried) return call(method, path, body, true);
    if (status === 401) throw new ApiError('signed-out', 'Your sign-in was not accepted. Choose Sign in to try again.');
    if (status === 403 && String(problem.type ?? '').endsWith('/sign-in-required')) {
      throw new ApiError('consent', problem.detail || 'Outlook needs your permission again before OutlookFollowUp can read your calendar.', { claims: problem.claims });
    }
    if (status === 403) throw new ApiError('forbidden', 'Your account is not allowed to use OutlookFollowUp. Ask your administrator.');
    if (status === 404) throw new ApiError('not-found', problem.title || 'Not found.', { detail: problem.detail });
    if (status === 400 && problem.errors) throw new ApiError('invalid', problem.title || 'Some fields need a change.', { errors: problem.errors });
    if (status === 429 || status === 503) throw new ApiError('busy', 'Outlook is busy right now. Choose Try again in a moment.');
    throw new ApiError('failed', `${problem.title || 'Something went wrong'}. Choose Try again.`);
  }

  const process = (key) => `/api/processes/${encodeURIComponent(key)}`;
  return {
    planForEvent: (restId) => call('GET', `/api/events/${encodeURIComponent(restId)}/plan`),
    planForPerson: (address) => call('GET', `/api/people/${encodeURIComponent(address)}/process`),
    processes: () => call('GET', '/api/processes'),
    process: (key) => call('GET', process(key)),
    saveFacts: (key, facts) => call('PUT', `${process(key)}/facts`, facts),
    draftNow: (key) => call('POST', `${process(key)}/drafts`),
    accept: (key, step) => call('POST', `${process(key)}/reminders/${encodeURIComponent(step)}/accept`),
    dismiss: (key, step) => call('POST', `${process(key)}/reminders/${encodeURIComponent(step)}/dismiss`),
    correct: (key, messageId, reading) => call('PUT', `${process(key)}/replies/${encodeURIComponent(messageId)}`, { class: reading }),
    forget: () => call('DELETE', '/api/me'),
  };
}

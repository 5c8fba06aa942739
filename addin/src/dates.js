// Plans carry each step's time as the wall-clock time in the mailbox's zone ("2026-11-16T09:00:00"): shown as is,
// whatever zone the browser is in.
const formatter = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });
const dayFormatter = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });

function wall(local) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(local ?? '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0))) : null;
}

/** "Tue, Nov 17, 9:00 AM (Pacific Standard Time)": the zone named, since it may not be the browser's. */
export const when = (local, zone) => { const d = wall(local); return d ? formatter.format(d) + (zone ? ` (${zone})` : '') : ''; };
export const day = (local) => { const d = wall(local); return d ? dayFormatter.format(d) : ''; };

/** yyyy-MM-dd, <paramref>days</paramref> after today on the user's own calendar. */
export function inDays(days, today = new Date()) {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

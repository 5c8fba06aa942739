// Sign-in, in Microsoft's order: nested app authentication (MSAL.js brokered by the Office host) where Office offers
// it, then Office SSO, then the sign-in dialog. Tokens live in memory only and are never logged.

export class SignInError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// Codes after which Microsoft's guidance is to sign in another way (a dialog): SSO is not available here.
const FALLBACK = new Set([13000, 13003, 13004, 13005, 13006, 13007, 13010, 13012, 13013, 50001]);
const BUSY = 13008;
// MSAL.js's codes after which the host will not broker for this pane: sign in the older ways instead.
const CANCELLED = 'user_canceled';

export function createSignIn(config, office) {
  let held = null; // a token from the dialog or the demo, until shortly before it expires
  let nested; // the nestable MSAL client once made, or false where the host does not broker

  async function demoToken() {
    const response = await fetch('/demo/token', { method: 'POST' });
    if (!response.ok) throw new SignInError('failed', 'The demo could not sign you in. Restart it, then try again.');
    const body = await response.json();
    return hold(body.accessToken, body.expiresIn);
  }

  function hold(token, seconds) {
    held = { token, until: Date.now() + Math.max(0, (seconds ?? 3600) - 120) * 1000 };
    return token;
  }

  // MSAL.js (300 KB) is fetched only here, from the service, where the host says it brokers: most panes never load it.
  async function nestedClient() {
    if (nested !== undefined) return nested;
    nested = false;
    if (!config.clientId || !office?.context?.requirements?.isSetSupported?.('NestedAppAuth', '1.1')) return nested;
    try {
      await import('../vendor/msal-browser.min.js');
      const msal = window.msal;
      let brokered = false;
      // MSAL makes an ordinary browser client when the bridge does not answer; the factory runs only when it does.
      const client = await msal.createNestablePublicClientApplication(
        { auth: { clientId: config.clientId, authority: config.authority }, cache: { cacheLocation: 'memoryStorage' } },
        undefined,
        (configuration, controller) => { brokered = true; return new msal.PublicClientApplication(configuration, controller); });
      if (brokered) nested = { client, msal };
    } catch {
      // No MSAL, no bridge: the older ways still sign in.
    }
    return nested;
  }

  /** A token for the API's scope through the host's broker; null where the host cannot give one (then SSO). */
  async function naa(claims, fresh) {
    const found = await nestedClient();
    if (!found) return null;
    const request = { scopes: [config.scope] };
    if (!claims) {
      try {
        return (await found.client.acquireTokenSilent({ ...request, forceRefresh: Boolean(fresh) })).accessToken;
      } catch {
        // Consent, a new sign-in, an expired session: the popup below asks the user, through the host.
      }
    }
    try {
      return (await found.client.acquireTokenPopup(claims ? { ...request, claims } : request)).accessToken;
    } catch (error) {
      if (error?.errorCode === CANCELLED) throw new SignInError('cancelled', 'Sign-in was cancelled. Choose Sign in when you are ready.');
      return null;
    }
  }

  async function sso(claims, attempt = 0) {
    const options = { allowSignInPrompt: true, allowConsentPrompt: true };
    if (claims) options.authChallenge = claims;
    try {
      return await office.auth.getAccessToken(options);
    } catch (error) {
      const code = Number(error?.code);
      if (code === BUSY && attempt < 3) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return sso(claims, attempt + 1);
      }
      if (code === 13001) throw new SignInError('signed-out', 'Sign in to Office with your work or school account, then choose Try again.');
      if (code === 13002) throw new SignInError('cancelled', 'Sign-in was cancelled. Choose Sign in when you are ready.');
      if (FALLBACK.has(code)) return null;
      throw new SignInError('failed', `Office could not sign you in (error ${code || 'unknown'}). Choose Try again.`);
    }
  }

  function dialog() {
    if (!config.clientId || !office?.context?.ui?.displayDialogAsync) {
      return Promise.reject(new SignInError('unavailable', 'Single sign-on is not available here. Open OutlookFollowUp from Outlook on the web or desktop.'));
    }
    const url = new URL('signin.html', location.href).href;
    return new Promise((resolve, reject) => {
      office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, (result) => {
        if (result.status !== 'succeeded') {
          reject(new SignInError('blocked', 'The sign-in window could not open. Allow pop-ups for Outlook, then choose Sign in.'));
          return;
        }
        const window = result.value;
        const types = office.EventType ?? {};
        window.addEventHandler(types.DialogMessageReceived ?? 'dialogMessageReceived', (arg) => {
          window.close();
          let message = null;
          try { message = JSON.parse(arg.message); } catch { /* not ours */ }
          if (message?.token) resolve(hold(message.token, message.expiresIn));
          else reject(new SignInError('failed', message?.error ? `Sign-in did not finish: ${message.error}` : 'Sign-in did not finish. Choose Sign in to try again.'));
        });
        window.addEventHandler(types.DialogEventReceived ?? 'dialogEventReceived', () =>
          reject(new SignInError('cancelled', 'The sign-in window was closed before sign-in finished. Choose Sign in to try again.')));
      });
    });
  }

  /** A token for the API. `claims`: the challenge a 403 brought back (consent, MFA); `fresh`: the last one was refused. */
  return async function getToken({ claims, fresh } = {}) {
    if (fresh) held = null;
    if (held && held.until > Date.now() && !claims) return held.token;
    if (config.signIn === 'demo') return demoToken();
    const brokered = await naa(claims, fresh);
    if (brokered) return brokered;
    if (office?.auth?.getAccessToken) {
      const token = await sso(claims);
      if (token) return token;
    }
    return dialog();
  };
}

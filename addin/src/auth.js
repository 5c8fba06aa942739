// Sign-in: Office SSO first, the documented fallbacks after. Tokens live in memory only and are never logged.

export class SignInError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// Codes after which Microsoft's guidance is to sign in another way (a dialog): SSO is not available here.
const FALLBACK = new Set([13000, 13003, 13004, 13005, 13006, 13007, 13010, 13012, 13013, 50001]);
const BUSY = 13008;

export function createSignIn(config, office) {
  let held = null; // a token from the dialog or the demo, until shortly before it expires

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
    if (office?.auth?.getAccessToken) {
      const token = await sso(claims);
      if (token) return token;
    }
    return dialog();
  };
}

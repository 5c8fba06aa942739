// The sign-in dialog, where Office SSO is not available: the authorization-code flow with PKCE against Entra ID, then
// the token goes to the pane through Office's dialog channel. The verifier waits in sessionStorage across the redirect;
// the token itself is never stored.
const status = document.querySelector('#app p');

function tell(message) {
  Office.onReady(() => Office.context.ui.messageParent(JSON.stringify(message)));
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function run() {
  const config = await (await fetch('config.json')).json();
  if (!config.clientId || !config.authority) {
    tell({ error: 'this service has no Entra ID app registration configured' });
    return;
  }
  const redirect = new URL('signin.html', location.href).href;
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    tell({ error: params.get('error_description') || params.get('error') });
    return;
  }
  if (!params.has('code')) {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem('ofu.pkce', JSON.stringify({ verifier, state }));
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const authorize = new URL(`${config.authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: config.clientId, response_type: 'code', redirect_uri: redirect, scope: `${config.scope} openid profile`,
      code_challenge: challenge, code_challenge_method: 'S256', state, response_mode: 'query',
    }).toString();
    location.assign(authorize.href);
    return;
  }
  const saved = JSON.parse(sessionStorage.getItem('ofu.pkce') ?? '{}');
  sessionStorage.removeItem('ofu.pkce');
  if (!saved.verifier || params.get('state') !== saved.state) {
    tell({ error: 'the sign-in answer did not match this request' });
    return;
  }
  const response = await fetch(`${config.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: config.clientId, grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirect,
      code_verifier: saved.verifier, scope: `${config.scope} openid profile`,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) tell({ error: body.error_description || body.error || `token endpoint answered ${response.status}` });
  else tell({ token: body.access_token, expiresIn: body.expires_in });
}

run().catch((error) => {
  status.textContent = 'Sign-in did not finish. Close this window and try again.';
  tell({ error: error.message });
});

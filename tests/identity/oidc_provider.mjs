// A ProConnect-like OpenID provider for the tests, built on node's oidc-provider (OpenID Certified).
// Like ProConnect: authorization code with PKCE required, client_secret_post at the token endpoint, ID token and
// userinfo signed (RS256, userinfo as a JWT), acr values, RP-initiated logout with id_token_hint and
// post_logout_redirect_uri. Its sign-in page is a plain form (email + password of the test users below); consent is
// granted at once, as a federation of public agents does.
//
// Configuration: one JSON document in OIDC_TEST_CONFIG:
//   {"port": 5xxx, "client": {"client_id", "client_secret", "redirect_uris": [], "post_logout_redirect_uris": []},
//    "acr_values": ["eidas1", ...], "users": {"<sub>": {"email", "password", "acr", "amr", ...claims}}}
// It prints "ready <issuer>" once it listens on 127.0.0.1, and stops on SIGTERM.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;
const users = config.users;
const CLAIM_NAMES = ['email', 'email_verified', 'given_name', 'usual_name', 'family_name', 'phone_number', 'siret',
  'uid', 'idp_id'];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'proconnect-test-key', use: 'sig', alg: 'RS256' };

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  acrValues: config.acr_values,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    family_name: ['family_name'],
    phone: ['phone_number'],
    siret: ['siret'],
    uid: ['uid'],
    idp_id: ['idp_id'],
  },
  scopes: ['openid', 'email', 'given_name', 'usual_name', 'family_name', 'phone', 'siret', 'uid', 'idp_id'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ProConnect signs the agent out without asking: submit oidc-provider's logout form at once.
      async logoutSource(ctx, form) {
        ctx.body = page('Déconnexion', `${form}<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<script>document.getElementById('op.logoutForm').submit();</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Vous êtes déconnecté·e du fournisseur d\'identité', '');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = { sub };
        for (const name of CLAIM_NAMES) if (name in user) claims[name] = user[name];
        return claims;
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur du fournisseur d\'identité', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

function loginForm(uid, message = '') {
  return page('Fournisseur d\'identité de test', `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
  <label for="email">E-mail professionnel</label> <input id="email" name="email" type="email">
  <label for="password">Mot de passe du fournisseur</label> <input id="password" name="password" type="password">
  <button type="submit">Continuer</button>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session, grantId } = details;
  if (prompt.name === 'login') {
    if (req.method !== 'POST') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(loginForm(uid));
      return;
    }
    const form = await readForm(req);
    const found = Object.entries(users).find(([, user]) => user.email === form.email);
    if (!found || found[1].password !== form.password) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(loginForm(uid, 'Identifiants inconnus.'));
      return;
    }
    const [sub, user] = found;
    await provider.interactionFinished(req, res, { login: { accountId: sub, acr: user.acr, amr: user.amr } },
      { mergeWithLastSubmission: false });
    return;
  }
  // consent: granted at once, for what the client asked.
  const grant = grantId ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// The test run holds our stdin: if it dies without stopping us, the pipe closes and we stop too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

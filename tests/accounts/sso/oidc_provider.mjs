// A real OpenID Connect provider (node-oidc-provider) on loopback, for the school sign-in tests.
//
// Configuration comes in the OIDC_TEST_CONFIG environment variable (JSON):
//   {"client_id", "client_secret", "redirect_uris": [...],
//    "accounts": {"<login_hint>": {"email", "email_verified", "amr": [...]}}}
// The "sign-in" is automatic: the account is the one named by the request's login_hint (the
// address typed on the portal's sign-in page), and its `amr` goes into the ID token, as a real
// provider does after a password (["pwd"]) or a password and an authenticator (["pwd", "mfa"]).
// Prints {"issuer": "http://127.0.0.1:PORT"} on one line once it listens.
import http from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const accounts = config.accounts;

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: config.redirect_uris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub", "amr"], email: ["email", "email_verified"] },
    conformIdTokenClaims: false,
    cookies: { keys: ["loopback-test-only"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: account.email_verified, amr: account.amr || ["pwd"] };
        },
      };
    },
  });
  provider.proxy = false;

  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (!req.url.startsWith("/interaction/")) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const hint = details.params.login_hint;
      let result;
      if (details.prompt.name === "login") {
        if (!accounts[hint]) {
          result = { error: "access_denied", error_description: "unknown test account" };
        } else {
          result = { login: { accountId: hint, amr: accounts[hint].amr || ["pwd"] } };
        }
      } else {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        const missing = details.prompt.details.missingOIDCScope;
        if (missing) grant.addOIDCScope(missing.join(" "));
        const missingClaims = details.prompt.details.missingOIDCClaims;
        if (missingClaims) grant.addOIDCClaims(missingClaims);
        result = { consent: { grantId: await grant.save() } };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  process.stdout.write(JSON.stringify({ issuer }) + "\n");
});

// Passkeys (WebAuthn): a button with data-passkey="register" or "sign-in" asks the server for options, hands them to
// the browser's authenticator, and posts the answer back. The server (the `webauthn` package) checks everything.
(function () {
  "use strict";
  const unsupported = "Ce navigateur ne prend pas en charge les clés d'accès\u00a0: utilisez le code de votre application.";
  const failed = "La clé d'accès n'a pas pu être utilisée (opération annulée ou clé inconnue). Réessayez.";

  async function post(url, csrf, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json"},
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    return {ok: response.ok, data: await response.json()};
  }

  async function run(button, status) {
    const csrf = button.dataset.csrf;
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      status.textContent = unsupported;
      return;
    }
    const options = await post(button.dataset.options, csrf);
    if (!options.ok) { status.textContent = options.data.error || failed; return; }
    let credential;
    try {
      credential = button.dataset.passkey === "register"
        ? await navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.data)})
        : await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.data)});
    } catch (error) {
      status.textContent = failed;
      return;
    }
    const answer = await post(button.dataset.verify, csrf, credential.toJSON());
    if (answer.data.redirect) { window.location.assign(answer.data.redirect); return; }
    status.textContent = answer.data.error || failed;
  }

  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    const status = document.getElementById(button.dataset.status);
    button.addEventListener("click", function () {
      status.textContent = "";
      run(button, status).catch(function () { status.textContent = failed; });
    });
  });
})();

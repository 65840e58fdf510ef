// The pages' passkey script: the sign-in button and the invitation's "create your passkey" button.
// It asks the server for options, hands them to the browser through @simplewebauthn/browser (served
// from /console/webauthn.js), posts the answer back and follows where the server sends it. Without
// JavaScript or passkeys, the page says what is missing.
export const PASSKEY_SCRIPT = `(() => {
  const lib = window.SimpleWebAuthnBrowser;
  const say = (box, text) => { if (box) { box.textContent = text; box.hidden = !text; } };
  for (const button of document.querySelectorAll('[data-passkey]')) {
    const box = document.getElementById(button.getAttribute('aria-describedby') || '');
    if (!lib || !lib.browserSupportsWebAuthn()) {
      say(box, 'This browser cannot use passkeys. Open this page in an up-to-date browser on your phone or computer.');
      button.disabled = true;
      continue;
    }
    button.disabled = false;
    button.addEventListener('click', async () => {
      const post = (url, body) => fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body || {}),
      }).then(async (r) => ({ ok: r.ok, data: await r.json().catch(() => ({})) }));
      button.disabled = true;
      say(box, '');
      try {
        const start = await post(button.dataset.options);
        if (!start.ok) throw new Error(start.data.detail || 'Please reload the page and try again.');
        const mode = button.dataset.passkey;
        const response = mode === 'register'
          ? await lib.startRegistration({ optionsJSON: start.data.options })
          : await lib.startAuthentication({ optionsJSON: start.data.options });
        const done = await post(button.dataset.action, { challenge_id: start.data.challenge_id, response });
        if (!done.ok) throw new Error(done.data.detail || 'That did not work. Please try again.');
        window.location.assign(done.data.location);
      } catch (e) {
        const cancelled = e && (e.name === 'NotAllowedError' || e.name === 'AbortError');
        say(box, cancelled ? 'The passkey was not used. Try again when you are ready.' : String(e.message || e));
        button.disabled = false;
      }
    });
  }
})();`;

// Security keys and passkeys in the browser (control: AUTH-02). Same-origin file, no inline script:
// a button with data-webauthn="register" or "authenticate" asks the server for options, hands them
// to @simplewebauthn/browser (served as /assets/simplewebauthn-browser.js), and posts the answer
// back as JSON with the CSRF token in the x-csrf-token header. All text comes from the page.
/* global window, document, fetch */
(function () {
  'use strict';

  function status(button, text, isError) {
    var target = document.getElementById(button.dataset.status || 'webauthn-status');
    if (!target) return;
    target.textContent = text;
    target.className = 'message ' + (isError ? 'error' : 'info');
    target.setAttribute('role', isError ? 'alert' : 'status');
    target.hidden = false;
  }

  async function postJson(url, csrf, body) {
    var res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
    var data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { ok: res.ok, data: data };
  }

  async function run(button) {
    var lib = window.SimpleWebAuthnBrowser;
    if (!lib || !lib.browserSupportsWebAuthn()) {
      status(button, button.dataset.msgUnsupported, true);
      return;
    }
    var csrf = button.dataset.csrf;
    var register = button.dataset.webauthn === 'register';
    button.disabled = true;
    status(button, button.dataset.msgWaiting, false);
    try {
      var options = await postJson(button.dataset.optionsUrl, csrf, {});
      if (!options.ok || !options.data || !options.data.options) {
        status(button, (options.data && options.data.message) || button.dataset.msgFailed, true);
        return;
      }
      var answer = register
        ? await lib.startRegistration({ optionsJSON: options.data.options })
        : await lib.startAuthentication({ optionsJSON: options.data.options });
      var nicknameInput = button.dataset.nickname ? document.getElementById(button.dataset.nickname) : null;
      var result = await postJson(button.dataset.verifyUrl, csrf, {
        response: answer,
        nickname: nicknameInput ? nicknameInput.value : undefined,
      });
      if (result.ok && result.data && result.data.redirect) {
        window.location.assign(result.data.redirect);
        return;
      }
      status(button, (result.data && result.data.message) || button.dataset.msgFailed, true);
    } catch {
      // The user cancelled, the key timed out, or it is already registered.
      status(button, button.dataset.msgFailed, true);
    } finally {
      button.disabled = false;
    }
  }

  function init() {
    var buttons = document.querySelectorAll('button[data-webauthn]');
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      button.hidden = false;
      button.addEventListener('click', function (event) {
        event.preventDefault();
        void run(event.currentTarget);
      });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

// After django-otp-webauthn adds a passkey: go where the page says (the recovery codes at first
// set-up), or reload the list so the new passkey shows with its name.
document.addEventListener("otp_webauthn.register_complete", () => {
  const placeholder = document.querySelector("[data-passkey-after]");
  const after = placeholder ? placeholder.getAttribute("data-passkey-after") : "";
  window.location.assign(after || window.location.pathname);
});

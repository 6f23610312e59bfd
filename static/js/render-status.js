// Polls a render's status (letters, referral bundles) until the file is ready, then shows the link.
(function () {
  "use strict";
  var box = document.querySelector("[data-render-status]");
  if (!box) return;
  var url = box.getAttribute("data-render-status");
  var label = box.querySelector("[data-role=label]");
  var link = box.querySelector("[data-role=link]");
  var spinner = box.querySelector("[data-role=spinner]");
  var delay = 1000;

  function show(data) {
    if (data.ready) {
      label.textContent = box.getAttribute("data-ready-text");
      link.href = data.url;
      link.classList.remove("d-none");
      spinner.classList.add("d-none");
      return true;
    }
    if (data.state === "failed") {
      label.textContent = "It could not be made. Please try again, or tell the school's administrator.";
      spinner.classList.add("d-none");
      return true;
    }
    if (data.state === "queued" || data.state === "rendering") {
      label.textContent = "Being made… this page updates by itself.";
      spinner.classList.remove("d-none");
      return false;
    }
    return true; // nothing asked for: nothing to wait for
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && show(data)) return;
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (!link.classList.contains("d-none")) return; // already ready when the page was made
  poll();
})();

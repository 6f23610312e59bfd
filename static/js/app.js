// Project behaviour, loaded on every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Buttons that ask before doing something that cannot be undone: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();

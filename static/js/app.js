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

  // <button data-copy="#id">: copy that field's text; <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.querySelector(copy.getAttribute("data-copy"));
      if (field) {
        field.select();
        if (navigator.clipboard) {
          navigator.clipboard.writeText(field.value);
        } else {
          document.execCommand("copy");
        }
        copy.textContent = "Copied";
      }
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // A form sent back with mistakes: the keyboard starts on the first field to put right, so nobody
  // has to hunt for it (a screen reader reads its label and, through aria-describedby, the error).
  // This wins over an autofocus on the form's first field: the mistake is where the person goes next.
  function focusFirstInvalidField() {
    var field = document.querySelector(
      'form [aria-invalid="true"]:not([type="hidden"]):not([disabled]), ' +
        "form .is-invalid:not([type=\"hidden\"]):not([disabled])"
    );
    if (field && !field.matches("input, select, textarea, button")) {
      field = field.querySelector("input:not([type=\"hidden\"]):not([disabled]), select, textarea");
    }
    if (field) {
      field.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstInvalidField);
  } else {
    focusFirstInvalidField();
  }
})();

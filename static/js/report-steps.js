// The parent's report form, one step at a time. Without this script every step shows on one
// page and the form works the same; nothing is sent until "Send the report", so files chosen on
// the screenshots step stay in their input while the parent moves between steps.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-steps]");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll(".report-step"));
  var submit = form.querySelector("[data-step-submit]");
  var current = 0;

  function show(index, focus) {
    current = index;
    steps.forEach(function (step, i) {
      step.hidden = i !== index;
    });
    submit.hidden = index !== steps.length - 1;
    if (focus) {
      var legend = steps[index].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
      window.scrollTo(0, 0);
    }
  }

  steps.forEach(function (step, i) {
    step.querySelector(".report-step-nav").hidden = false;
    var next = step.querySelector("[data-step-next]");
    var back = step.querySelector("[data-step-back]");
    if (next) next.addEventListener("click", function () { show(i + 1, true); });
    if (back) back.addEventListener("click", function () { show(i - 1, true); });
  });

  // "I don't know" beside a question greys out the answer it replaces.
  function pair(checkboxName, inputName) {
    var box = form.querySelector('[name="' + checkboxName + '"]');
    var input = form.querySelector('[name="' + inputName + '"]');
    if (!box || !input) return;
    function sync() { input.disabled = box.checked; }
    box.addEventListener("change", sync);
    sync();
  }
  pair("account_unknown", "account_name");
  pair("posted_unknown", "posted_at");

  // The server marked some answers: open the first step that needs another look.
  var firstError = steps.findIndex(function (step) { return step.hasAttribute("data-has-errors"); });
  show(firstError === -1 ? 0 : firstError, false);
})();

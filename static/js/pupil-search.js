// The invitation form's "Find a child by name": results appear as the office types, and a ticked
// child joins the chosen list. Without this script the Search button does the same on the server.
(function () {
  "use strict";
  var input = document.querySelector("[data-pupil-search]");
  if (!input) return;
  var url = input.getAttribute("data-pupil-search");
  var results = document.getElementById("pupil-results");
  var chosen = document.getElementById("chosen-pupils");
  var timer = null;
  var latest = 0;

  function chosenIds() {
    return Array.prototype.map.call(chosen.querySelectorAll("input[name=pupils]"), function (box) {
      return box.value;
    });
  }

  function search() {
    var query = input.value.trim();
    var asked = ++latest;
    if (query.replace(/\s/g, "").length < 2) {
      results.textContent = "";
      return;
    }
    var params = new URLSearchParams({ q: query });
    chosenIds().forEach(function (id) { params.append("chosen", id); });
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || asked !== latest) return; // a later search has been asked for
        results.innerHTML = html; // rendered and escaped by the server, from this site
      })
      .catch(function () { /* the Search button still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // search here rather than sending the form
      window.clearTimeout(timer);
      search();
    }
  });
  results.addEventListener("change", function (event) {
    var box = event.target;
    if (box.name !== "pupils" || !box.checked) return;
    chosen.appendChild(box.closest("li"));
    if (!results.querySelector("input[name=pupils]")) results.textContent = "";
  });
})();

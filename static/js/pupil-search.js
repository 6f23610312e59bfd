// "Find by name" boxes: results appear as the person types, and a ticked (or chosen) result joins
// the chosen list. Without this script each box's Search button does the same on the server.
//
// Each box is an input with data-pupil-search="<fragment url>". Optional attributes (with the
// invitation form's defaults): data-results (id of the results element, "pupil-results"),
// data-chosen (id of the chosen list, "chosen-pupils"), data-pick (the name of the inputs that
// choose, "pupils") and data-single (one choice at most: a radio replaces the one chosen before).
(function () {
  "use strict";

  function setUp(input) {
    var url = input.getAttribute("data-pupil-search");
    var results = document.getElementById(input.getAttribute("data-results") || "pupil-results");
    var chosen = document.getElementById(input.getAttribute("data-chosen") || "chosen-pupils");
    var pick = input.getAttribute("data-pick") || "pupils";
    var single = input.hasAttribute("data-single");
    var selector = "input[name='" + pick + "']";
    var timer = null;
    var latest = 0;
    if (!results || !chosen) return;

    function chosenIds() {
      return Array.prototype.filter.call(chosen.querySelectorAll(selector), function (box) {
        return box.value && box.checked;
      }).map(function (box) { return box.value; });
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
      if (box.name !== pick || !box.checked) return;
      if (single) {
        // The one chosen before leaves the list ("not known", with no value, stays).
        Array.prototype.forEach.call(chosen.querySelectorAll(selector), function (other) {
          if (other.value) other.closest("li").remove();
        });
      }
      chosen.appendChild(box.closest("li"));
      if (!results.querySelector(selector)) results.textContent = "";
    });
    // A name typed while the page was still loading (this script is deferred) is searched now.
    if (input.value.trim()) search();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-pupil-search]"), setUp);
})();

// PhotoStudio page behaviour (loaded with defer, after htmx). No inline scripts (CSP).
(function () {
  "use strict";

  // ---- Theme toggle -------------------------------------------------------
  //
  // <button type="button" data-theme-toggle aria-pressed="false"
  //         data-label-dark="Dark theme" data-label-light="Light theme">Light theme</button>
  //
  // aria-pressed is "true" while the dark theme is active. The label shown is
  // data-label-dark while the dark theme is active and data-label-light otherwise.
  // It goes into a descendant marked [data-theme-label] when there is one (so an
  // icon can stay), else it replaces the button's text.

  function currentTheme() {
    return document.documentElement.dataset.bsTheme === "dark" ? "dark" : "light";
  }

  function syncToggles() {
    var dark = currentTheme() === "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (toggle) {
      toggle.setAttribute("aria-pressed", dark ? "true" : "false");
      var label = dark ? toggle.dataset.labelDark : toggle.dataset.labelLight;
      if (label) {
        var target = toggle.querySelector("[data-theme-label]") || toggle;
        target.textContent = label;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-theme-toggle]");
    if (!toggle) return;
    event.preventDefault();
    var next = currentTheme() === "dark" ? "light" : "dark";
    if (window.psTheme) {
      window.psTheme.set(next); // stores under "ps-theme", fires ps:themechange
    } else {
      document.documentElement.dataset.bsTheme = next;
      try { window.localStorage.setItem("ps-theme", next); } catch (e) { /* not persisted */ }
      syncToggles();
    }
  });

  document.addEventListener("ps:themechange", syncToggles);
  document.addEventListener("htmx:load", syncToggles); // toggles arriving in swapped content
  syncToggles();

  // ---- htmx glue -----------------------------------------------------------
  //
  // Antiforgery: the token travels in hx-headers on <body>, nothing to do here.
  // A failed htmx request (error status, or no response at all) shows the
  // localized text from <body data-error-text="..."> as a dismissible alert in #flash.

  function showError() {
    var flash = document.getElementById("flash");
    if (!flash) return;
    var text = document.body.dataset.errorText || "Something went wrong. Please try again.";

    var previous = flash.querySelector("[data-htmx-error]");
    if (previous) previous.remove(); // one error alert at a time

    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-htmx-error", "");
    alert.textContent = text;

    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", document.body.dataset.closeText || "Close");
    alert.appendChild(close);

    flash.appendChild(alert);
  }

  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);

  // ---- Header search ----------------------------------------------------------
  //
  // "/" anywhere but in a field focuses the header's search box. In the box,
  // arrow down moves into the results htmx put below it; arrows move between
  // them, Escape closes the list and returns to the box. Leaving the search
  // closes the list too.

  function searchForm() { return document.querySelector("[data-nav-search]"); }

  function closeResults(form) {
    var results = form.querySelector(".nav-search-results");
    if (results) results.innerHTML = "";
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var form = searchForm();
    if (!form) return;
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(document.activeElement)) {
      var box = form.querySelector("input[name=q]");
      if (!box || box.offsetParent === null) return; // hidden in the collapsed menu
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (!form.contains(document.activeElement)) return;
    var hits = Array.prototype.slice.call(form.querySelectorAll("[data-search-hit]"));
    var at = hits.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (hits.length === 0) return;
      event.preventDefault();
      var next = event.key === "ArrowDown" ? Math.min(at + 1, hits.length - 1) : at - 1;
      if (next < 0) form.querySelector("input[name=q]").focus();
      else hits[next].focus();
    } else if (event.key === "Escape") {
      closeResults(form);
      form.querySelector("input[name=q]").focus();
    }
  });

  document.addEventListener("focusout", function (event) {
    var form = searchForm();
    if (form && form.contains(event.target) && !(event.relatedTarget && form.contains(event.relatedTarget))) closeResults(form);
  });
})();

// PhotoStudio theme bootstrap. Loaded (not deferred) in <head> so the page is painted
// in the right theme from the start; no inline scripts (CSP).
//
// The theme is the value stored under localStorage "ps-theme" ("light" | "dark"), or,
// while nothing is stored, the system preference (prefers-color-scheme), followed live.
// site.js calls window.psTheme.set() when the user picks a theme.
(function () {
  "use strict";

  var KEY = "ps-theme";
  var root = document.documentElement;
  // Marks that scripts run: without it, site.css shows the phone menu opened (Bootstrap's toggle needs JS).
  root.classList.add("js");
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null; // storage disabled (privacy mode, sandboxed frame)
    }
  }

  function system() {
    return media && media.matches ? "dark" : "light";
  }

  function apply() {
    var theme = stored() || system();
    if (root.dataset.bsTheme !== theme) {
      root.dataset.bsTheme = theme;
      document.dispatchEvent(new CustomEvent("ps:themechange", { detail: { theme: theme } }));
    }
  }

  function set(theme) {
    try {
      window.localStorage.setItem(KEY, theme);
    } catch (e) {
      // not persisted; still applied for this page
    }
    root.dataset.bsTheme = theme;
    document.dispatchEvent(new CustomEvent("ps:themechange", { detail: { theme: theme } }));
  }

  apply();

  if (media) {
    var onSystemChange = function () {
      if (!stored()) apply();
    };
    if (media.addEventListener) media.addEventListener("change", onSystemChange);
    else if (media.addListener) media.addListener(onSystemChange); // Safari < 14
  }

  // Another tab changed (or cleared) the stored choice.
  window.addEventListener("storage", function (e) {
    if (e.key === KEY || e.key === null) apply();
  });

  window.psTheme = {
    get: function () { return root.dataset.bsTheme; },
    set: set
  };
})();

// Live board and calendar: Server-Sent Events as a doorbell, HTML fetched by ordinary htmx GETs,
// drag and drop with SortableJS. Loaded (deferred, after htmx) only on pages marked [data-live-events].
(function () {
  "use strict";

  var root = document.querySelector("[data-live-events]");
  if (!root) return;

  // ---- What to refresh ------------------------------------------------------
  //
  // A change names a booking and its status now. The columns to refresh are the one the card is in on
  // this page (it may have left it) and the one for its new status; elements marked [data-live-refresh]
  // (the calendar grid, dashboard counters) refresh on any change. Requests are batched for 150 ms.

  var pending = new Set();
  var timer = null;
  var dragging = false;
  var panelSwappedAt = 0;

  // Queued by id where there is one: a column replaced meanwhile (by a move's answer) is refreshed as it is
  // now, instead of being skipped because the element queued is gone.
  function queue(element) {
    if (!element) return;
    pending.add(element.id ? "#" + element.id : element);
    if (!timer) timer = window.setTimeout(flush, 150);
  }

  function flush() {
    timer = null;
    if (dragging) { timer = window.setTimeout(flush, 300); return; }
    pending.forEach(function (item) {
      var element = typeof item === "string" ? document.getElementById(item.slice(1)) : item;
      if (element && document.body.contains(element)) htmx.trigger(element, "refresh");
    });
    pending.clear();
  }

  function changed(change) {
    var card = document.getElementById("card-" + change.booking);
    if (card) queue(card.closest("[data-column]"));
    queue(document.getElementById("col-" + change.status));
    document.querySelectorAll("[data-live-refresh]").forEach(queue);
    // The open details panel too, unless the user is working in it or has just had an answer there.
    var details = document.querySelector("#panel [data-booking='" + change.booking + "']");
    if (details && !details.contains(document.activeElement) && Date.now() - panelSwappedAt > 2000) queue(details);
  }

  function resyncAll() {
    document.querySelectorAll("[data-column], [data-live-refresh]").forEach(queue);
  }

  // ---- The event stream -------------------------------------------------------
  //
  // EventSource reconnects by itself and sends Last-Event-ID, so the server replays what was missed;
  // after any break the page also re-syncs everything it shows, in case the replay was cut short.

  var state = root.querySelector("[data-live-state]");
  function show(live) {
    if (!state) return;
    state.textContent = live ? state.dataset.textLive : state.dataset.textOffline;
    state.dataset.liveState = live ? "live" : "offline";
  }

  var broken = false;
  var source = null;
  var retry = null;
  function connect() {
    retry = null;
    source = new EventSource(root.dataset.liveEvents);
    source.addEventListener("open", function () {
      if (broken) resyncAll();
      broken = false;
      show(true);
    });
    source.addEventListener("error", function () {
      broken = true;
      show(false);
      // A refused stream (429: too many open; 403: rights gone) is closed for good by the browser: try again
      // later, slowly, instead of staying offline until a reload.
      if (source.readyState === EventSource.CLOSED && !retry) retry = window.setTimeout(connect, 30000);
    });
    source.addEventListener("booking-changed", function (event) {
      try { changed(JSON.parse(event.data)); } catch (e) { resyncAll(); }
    });
    source.addEventListener("resync", resyncAll);
  }
  connect();
  window.addEventListener("pagehide", function () {
    if (retry) window.clearTimeout(retry);
    retry = null;
    source.close();
  });

  // ---- Drag and drop ----------------------------------------------------------
  //
  // Dropping a card on another column posts the same form the "Move to…" menu does. The answer
  // re-renders both columns out of band: a refused or stale move puts the card back and says why.

  function sortable(list) {
    if (list.dataset.sortable || typeof Sortable === "undefined") return;
    list.dataset.sortable = "on";
    Sortable.create(list, {
      group: "board",
      sort: false,
      draggable: ".board-card[data-move-url]",
      filter: ".no-drag",
      preventOnFilter: false,
      delay: 150,
      delayOnTouchOnly: true,
      ghostClass: "board-card-ghost",
      onStart: function () { dragging = true; },
      onEnd: function (event) {
        dragging = false;
        if (event.from === event.to) return;
        var card = event.item;
        htmx.ajax("POST", card.dataset.moveUrl, {
          source: card,
          swap: "none",
          values: { to: event.to.dataset.status, from: event.from.dataset.status, version: card.dataset.version }
        });
      }
    });
  }

  function setUp(scope) {
    (scope.querySelectorAll ? scope : document).querySelectorAll(".board-cards").forEach(sortable);
    if (scope.classList && scope.classList.contains("board-cards")) sortable(scope);
  }

  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  setUp(document);

  // ---- Focus and the details panel ---------------------------------------------

  // A move answer names the element to focus, so keyboard users stay on the card they moved.
  document.body.addEventListener("ps:focus", function (event) {
    var target = event.detail && event.detail.value ? document.querySelector(event.detail.value) : null;
    if (target) target.focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "panel") {
      panelSwappedAt = Date.now();
      var heading = event.detail.target.querySelector("[data-autofocus]");
      if (heading && !event.detail.target.contains(document.activeElement)) heading.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    var panel = close && close.closest("#panel");
    if (!panel || panel.classList.contains("board-panel-page")) return;
    event.preventDefault();
    var opener = document.getElementById("card-" + panel.querySelector("[data-booking]").dataset.booking + "-open");
    panel.innerHTML = "";
    if (opener) opener.focus();
  });
})();

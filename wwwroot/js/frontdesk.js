// The front desk's client field (/board/new): a combobox over the suggestions htmx fetches into #client-suggestions.
// Arrow keys move through them, Enter (or a click) chooses one, Escape closes them; typing again forgets the choice.
// Without this script the field is a plain search whose "Search" button lists the matches as radio choices.
(function () {
  "use strict";

  function field() { return document.getElementById("ClientQuery"); }

  function options() {
    var list = document.getElementById("client-listbox");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }

  function activeIndex() {
    var id = field().getAttribute("aria-activedescendant");
    return options().findIndex(function (o) { return o.id === id; });
  }

  function setActive(index) {
    var all = options();
    all.forEach(function (o, i) {
      o.classList.toggle("active", i === index);
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && all[index]) {
      field().setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      field().removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    var box = document.getElementById("client-suggestions");
    if (box) box.innerHTML = "";
    field().setAttribute("aria-expanded", "false");
    field().removeAttribute("aria-activedescendant");
  }

  function setChosen(id, text) {
    document.getElementById("client-id").value = id;
    var chosen = document.getElementById("client-chosen");
    chosen.textContent = text || chosen.dataset.none;
  }

  function choose(option) {
    setChosen(option.dataset.clientId, option.dataset.clientSummary);
    field().value = option.dataset.clientName;
    close();
  }

  document.addEventListener("keydown", function (event) {
    if (!event.target || event.target.id !== "ClientQuery") return;
    var all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      setActive(Math.min(activeIndex() + 1, all.length - 1));
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      setActive(Math.max(activeIndex() - 1, 0));
    } else if (event.key === "Enter" && all.length) {
      // Enter chooses; with suggestions open it never submits the form.
      event.preventDefault();
      var index = activeIndex();
      if (index >= 0) choose(all[index]);
      else if (all.length === 1) choose(all[0]);
    } else if (event.key === "Escape" && all.length) {
      event.preventDefault();
      close();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "ClientQuery" && document.getElementById("client-id").value) setChosen("", "");
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("#client-listbox [role=option]");
    if (!option) return;
    choose(option);
    field().focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "client-suggestions") return;
    field().setAttribute("aria-expanded", options().length ? "true" : "false");
    setActive(-1);
  });
})();

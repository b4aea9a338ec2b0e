// Keyboard shortcuts for the article page: j / k walk the claims, Esc closes the detail.
(function () {
  "use strict";
  function claimLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#claim-list a[data-claim-id]"));
  }
  function currentIndex(links) {
    var detail = document.getElementById("claim-detail");
    var selected = detail && detail.getAttribute("data-selected");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-claim-id") === selected) return i;
    }
    return -1;
  }
  function markSelected() {
    var detail = document.getElementById("claim-detail");
    var selected = detail && detail.getAttribute("data-selected");
    document.querySelectorAll(".claim-hl.selected, #claim-list a.current").forEach(function (el) {
      el.classList.remove("selected", "current");
    });
    if (!selected) return;
    document.querySelectorAll('.claim-hl[data-claim-id="' + selected + '"]').forEach(function (el, i) {
      el.classList.add("selected");
      if (i === 0) el.scrollIntoView({ block: "nearest" });
    });
    var item = document.querySelector('#claim-list a[data-claim-id="' + selected + '"]');
    if (item) { item.classList.add("current"); item.scrollIntoView({ block: "nearest" }); }
  }
  document.addEventListener("htmx:afterSettle", markSelected);
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var links = claimLinks();
    if (!links.length) return;
    var index = currentIndex(links);
    var next = null;
    if (event.key === "j") next = links[Math.min(index + 1, links.length - 1)];
    else if (event.key === "k") next = links[Math.max(index - 1, 0)];
    else if (event.key === "Escape") {
      var close = document.querySelector("#claim-detail .close");
      if (close) close.click();
      return;
    }
    if (next) { event.preventDefault(); next.click(); }
  });
})();

// Review queue: n opens the next claim needing work (GET /next), from any page.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    event.preventDefault();
    window.location.assign("/next");
  });
})();

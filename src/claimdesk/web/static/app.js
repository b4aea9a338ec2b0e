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
    if (item) {
      item.classList.add("current");
      var list = document.getElementById("claim-list");
      if (list && list.scrollHeight > list.clientHeight) {  // scroll the list only, not the page
        list.scrollTop = item.offsetTop - list.offsetTop - list.clientHeight / 2;
      }
    }
    var side = detail.closest(".side");
    if (side) side.scrollTop = 0;
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

// Review panel: 1–9 pick a verdict label, / focuses the source search, and highlights follow
// claim statuses (after a panel swap and when the live poller reports others' changes).
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  var STATUS = /(^|\s)status-[a-z_]+/g;
  function setStatus(claimId, status) {
    if (!claimId || !status) return;
    document.querySelectorAll('.claim-hl[data-claim-id="' + claimId + '"]').forEach(function (el) {
      el.className = el.className.replace(STATUS, "") + " status-" + status;
    });
    var chip = document.querySelector('#claim-list a[data-claim-id="' + claimId + '"] .status-chip');
    if (chip) {
      chip.className = chip.className.replace(STATUS, "") + " status-" + status;
      chip.textContent = status.replace("_", " ");
    }
  }
  function applyStates() {
    var detail = document.getElementById("claim-detail");
    if (detail) setStatus(detail.getAttribute("data-selected"), detail.getAttribute("data-status"));
    document.querySelectorAll(".claim-state").forEach(function (el) {
      setStatus(el.getAttribute("data-claim-id"), el.getAttribute("data-status"));
      el.remove();
    });
  }
  document.addEventListener("htmx:afterSettle", applyStates);
  document.addEventListener("htmx:oobAfterSwap", applyStates);
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      var box = document.getElementById("source-q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      var choice = document.querySelector('#claim-detail input[name="label"][data-key="' + event.key + '"]');
      if (!choice) return;
      event.preventDefault();
      choice.checked = true;
      choice.focus();
      var rationale = document.querySelector('#claim-detail .verdict-form textarea[name="rationale"]');
      if (rationale && !rationale.value) rationale.focus();
    }
  });
})();

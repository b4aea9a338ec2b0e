// Select words in the article text to make a claim of them: a small "New claim (c)" button
// appears by the selection, and it (or the key c) posts start, end and quote as a plain form
// (web/claim_edit_pages.py). The server checks the quote against the text and is the
// authority; these offsets only tell repeated words apart.
//
// While an orphaned claim is open (its panel holds <form data-reattach="N"> posting to
// /claims/N/reattach), the button re-attaches that claim to the selection instead.
//
// The page opts in on the text container: <div id="article-text" data-version-id="V" and
// data-new-claim="/articles/N/claims">, with every segment of the
// text carrying data-start (its offset in the cleaned text). Offsets are counted in code points,
// as the server counts them, and hidden characters that the page shows as markers such as
// "⟨RLO U+202E⟩" are turned back into the one character they stand for.
(function () {
  "use strict";
  var MARKER = /\u27E8[A-Z]+ U\+([0-9A-F]{4,6})\u27E9/g;
  var button = null;
  var pending = null; // {start, end, quote} of the current selection

  function unmark(text) {
    return text.replace(MARKER, function (_, hex) {
      return String.fromCodePoint(parseInt(hex, 16));
    });
  }

  function textContainer() {
    var box = document.getElementById("article-text");
    return box && newClaimUrl(box) ? box : null;
  }

  function newClaimUrl(box) {
    // only people who may create claims get the attribute (researchers see no button)
    var url = box.getAttribute("data-new-claim");
    return url && /^\/articles\/[0-9]+\/claims$/.test(url) ? url : null;
  }

  // The offset in the article text of a selection boundary, or null when it cannot be told.
  function offsetAt(box, node, offset) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var segment = element && element.closest("[data-start]");
    if (!segment || !box.contains(segment)) return null;
    var first = parseInt(segment.getAttribute("data-start"), 10);
    if (isNaN(first)) return null;
    var before = document.createRange();
    before.selectNodeContents(segment);
    before.setEnd(node, offset);
    return first + Array.from(unmark(before.toString())).length;
  }

  function readSelection() {
    var box = textContainer();
    var selection = window.getSelection();
    if (!box || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!box.contains(range.commonAncestorContainer)) return null;
    var quote = unmark(range.toString());
    if (!quote.trim()) return null;
    var start = offsetAt(box, range.startContainer, range.startOffset);
    var end = offsetAt(box, range.endContainer, range.endOffset);
    if (start === null || end === null || end - start !== Array.from(quote).length) {
      start = end = null; // the server finds the quote by itself
    }
    return { start: start, end: end, quote: quote, rect: range.getBoundingClientRect() };
  }

  function hide() {
    pending = null;
    if (button) button.hidden = true;
  }

  // The open orphan's re-attach form, if any.
  function reattachForm() {
    var form = document.querySelector("form[data-reattach]");
    var action = form && form.getAttribute("action");
    return action && /^\/claims\/[0-9]+\/reattach$/.test(action) ? form : null;
  }

  function show(found) {
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "new-claim-button";
      button.textContent = "New claim (c)";
      button.title = "Make a claim of the selected words";
      button.style.position = "absolute";
      button.style.zIndex = "10";
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", submit);
      document.body.appendChild(button);
    }
    pending = found;
    var orphan = reattachForm();
    button.textContent = orphan
      ? "Re-attach claim " + orphan.getAttribute("data-reattach") + " here (c)"
      : "New claim (c)";
    button.title = orphan
      ? "Re-attach the open orphaned claim to the selected words"
      : "Make a claim of the selected words";
    button.style.left = Math.round(window.scrollX + found.rect.right) + "px";
    button.style.top = Math.round(window.scrollY + found.rect.bottom + 4) + "px";
    button.hidden = false;
  }

  function field(form, name, value) {
    if (value === null || value === undefined || value === "") return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = String(value);
    form.appendChild(input);
  }

  function submit() {
    var box = textContainer();
    if (!box || !pending) return;
    var form = document.createElement("form");
    form.method = "post";
    var orphan = reattachForm();
    if (orphan) {
      form.action = orphan.getAttribute("action");
      var version = orphan.querySelector("input[name=row_version]");
      field(form, "row_version", version && version.value);
    } else {
      form.action = newClaimUrl(box);
      field(form, "version_id", box.getAttribute("data-version-id"));
    }
    field(form, "start", pending.start);
    field(form, "end", pending.end);
    field(form, "quote", pending.quote);
    document.body.appendChild(form);
    hide();
    form.submit();
  }

  document.addEventListener("selectionchange", function () {
    var found = readSelection();
    if (found) show(found);
    else hide();
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!pending || event.key !== "c") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    event.preventDefault();
    submit();
  });
})();

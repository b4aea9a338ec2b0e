// The SQL console: Ctrl+Enter (or Cmd+Enter) in the query box runs the query.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-run-on-ctrl-enter")) return;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    if (box.form && box.form.requestSubmit) box.form.requestSubmit();
    else if (box.form) box.form.submit();
  });
})();

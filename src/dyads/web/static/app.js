// Optional sugar for the dashboard (pages work without it): link the event list beside an
// article to its marked sentences. Only classes change; no text is ever parsed as HTML.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  function marks(id) {
    return document.querySelectorAll('.article-text .ev[data-ids~="' + CSS.escape(id) + '"]');
  }
  document.querySelectorAll(".event-list li[data-id]").forEach(function (item) {
    var id = item.getAttribute("data-id");
    item.addEventListener("mouseenter", function () { marks(id).forEach(function (m) { m.classList.add("focus"); }); });
    item.addEventListener("mouseleave", function () { marks(id).forEach(function (m) { m.classList.remove("focus"); }); });
  });
  // The sentence an evidence link points to (#m-ID) is outlined.
  function focusHash() {
    document.querySelectorAll(".article-text .ev.focus").forEach(function (m) { m.classList.remove("focus"); });
    if (location.hash.indexOf("#m-") === 0) {
      marks(location.hash.slice(3)).forEach(function (m) { m.classList.add("focus"); });
    }
  }
  window.addEventListener("hashchange", focusHash);
  focusHash();
});

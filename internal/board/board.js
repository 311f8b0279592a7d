(function () {
  // Only enhances: the page is whole without this script, and the
  // "only differences" filter is CSS. This adds the text filter, which
  // ?q=NAME in the page's address fills in, so a filtered view can be shared.
  var q = document.getElementById("q");
  var rows = document.querySelectorAll("#grid tbody tr");
  if (!q || !rows.length) return;
  document.getElementById("q-box").hidden = false;
  function apply() {
    var v = q.value.trim().toLowerCase();
    for (var i = 0; i < rows.length; i++) {
      var name = (rows[i].firstElementChild.getAttribute("data-name") || "").toLowerCase();
      rows[i].hidden = v !== "" && name.indexOf(v) < 0;
    }
  }
  q.addEventListener("input", apply);
  var m = /[?&]q=([^&]*)/.exec(location.search);
  if (m) {
    q.value = decodeURIComponent(m[1].replace(/\+/g, " "));
    apply();
  }
})();

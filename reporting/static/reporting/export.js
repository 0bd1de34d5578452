// Export page: poll the export's status every second, move the progress bar, and reload the
// page once the export is finished (the server then renders the download link or the error).
(function () {
  "use strict";
  var box = document.getElementById("export-status");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress");
  var fill = box.querySelector(".progress-bar");
  var state = box.querySelector(".export-state");

  function show(status) {
    var percent = Math.max(0, Math.min(100, status.progress | 0));
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    fill.textContent = percent + "%";
    if (state.textContent !== status.state_label) {
      state.textContent = status.state_label;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // a dropped connection: try again, more slowly
      });
  }

  window.setTimeout(poll, 1000);
})();

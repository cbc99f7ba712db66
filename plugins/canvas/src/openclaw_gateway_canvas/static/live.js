// Live reload for canvas documents: one WebSocket back to the canvas host (same origin, same
// capability path). "reload" reloads the page; "a2ui" hands new messages to the A2UI renderer.
(function () {
  "use strict";
  var match = location.pathname.match(/^(.*\/__openclaw__\/canvas)\/documents\/([a-z0-9][a-z0-9_-]{0,63})\//);
  if (!match) return;
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + match[1] +
    "/ws?doc=" + encodeURIComponent(match[2]);
  var delay = 500;
  function connect() {
    var ws = new WebSocket(url);
    window.__canvasSocket = ws;
    ws.onopen = function () { delay = 500; document.documentElement.dataset.canvasLive = "1"; };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.type === "reload") location.reload();
      else if (msg.type === "a2ui" && window.A2UI) window.A2UI.apply(msg.messages || []);
    };
    ws.onclose = function () {
      document.documentElement.dataset.canvasLive = "0";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
  connect();
})();

// Linking a WhatsApp account from the browser: web.login.start shows the first QR code (a PNG
// data URL), web.login.wait returns when the phone linked, or with the next code when WhatsApp
// rotated it. Linking hands over every chat of the number, so this page connects with
// operator.admin (the gateway token grants it); the chat page never asks for that scope.
(() => {
  "use strict";
  const TOKEN_KEY = "openclaw.webchat.token";
  const WS_URL = document.documentElement.dataset.wsUrl;
  const message = document.getElementById("link-message");
  const qr = document.getElementById("link-qr");
  const form = document.getElementById("link-token");
  const input = document.getElementById("link-token-input");
  const channel = new URLSearchParams(location.search).get("channel") || "whatsapp";
  let ws = null;
  let nextId = 1;
  const pending = new Map();

  function say(text) {
    message.textContent = text;
  }

  function request(method, params) {
    const id = `link-${nextId++}`;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  function showQr(dataUrl) {
    if (typeof dataUrl === "string" && dataUrl.startsWith("data:image/png;base64,")) {
      qr.src = dataUrl;
      qr.hidden = false;
    }
  }

  async function link() {
    const started = await request("web.login.start", { channel });
    say(started.message);
    if (!started.qrDataUrl) return;
    let current = started.qrDataUrl;
    showQr(current);
    for (;;) {
      const result = await request("web.login.wait", {
        channel, timeoutMs: 25000, currentQrDataUrl: current,
      });
      if (result.connected) {
        qr.hidden = true;
        say(result.message);
        return;
      }
      if (result.qrDataUrl) {
        current = result.qrDataUrl;
        showQr(current);
      } else if (!result.message.startsWith("Still waiting")) {
        qr.hidden = true;
        say(result.message);
        return;
      }
    }
  }

  function connect(token) {
    ws = new WebSocket(WS_URL);
    ws.onmessage = (ev) => {
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame.type === "event" && frame.event === "connect.challenge") {
        request("connect", {
          minProtocol: 4, maxProtocol: 4,
          client: { id: "webchat-ui", displayName: "WebChat link", version: "1",
                    platform: navigator.platform || "web", mode: "webchat" },
          role: "operator",
          scopes: ["operator.read", "operator.admin"],
          auth: { token, password: token },
        }).then(() => link()).catch((err) => {
          say(err && err.message ? err.message : "failed");
          if (err && err.code !== "UNAVAILABLE") {
            sessionStorage.removeItem(TOKEN_KEY);
            form.hidden = false;
          }
        });
      } else if (frame.type === "res") {
        const entry = pending.get(frame.id);
        if (!entry) return;
        pending.delete(frame.id);
        if (frame.ok) entry.resolve(frame.payload);
        else entry.reject(frame.error || { message: "request failed" });
      }
    };
    ws.onclose = () => {
      for (const entry of pending.values()) entry.reject({ code: "UNAVAILABLE", message: "disconnected" });
      pending.clear();
    };
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    input.value = "";
    form.hidden = true;
    say("Connecting to the gateway…");
    connect(token);
  });

  if (location.hash.length > 1) {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = (params.get("token") || "").trim();
    history.replaceState(null, "", location.pathname + location.search);
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) connect(token);
  else {
    say("Sign in with the gateway token to link a device.");
    form.hidden = false;
  }
})();

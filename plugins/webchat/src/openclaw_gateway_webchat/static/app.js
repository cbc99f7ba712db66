// OpenClaw WebChat: one page, vanilla JS, speaking the gateway's WebSocket protocol (v4).
// What people type goes into the DOM through textContent. The assistant's replies are Markdown:
// rendered by marked, then sanitized by DOMPurify (both vendored, served by the gateway), so no
// script, handler, frame, form or javascript: link from the wire ever reaches the page.
"use strict";

(() => {
  const SESSION = "main";
  const TOKEN_KEY = "openclaw.webchat.token";
  const REQUEST_TIMEOUT_MS = 30000;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  // connect failures that retrying with the same credentials cannot fix
  const CREDENTIAL_ERRORS = new Set([
    "AUTH_TOKEN_MISMATCH", "AUTH_TOKEN_MISSING", "AUTH_PASSWORD_MISMATCH",
    "AUTH_PASSWORD_MISSING", "AUTH_UNAUTHORIZED", "AUTH_REQUIRED",
    "AUTH_DEVICE_TOKEN_MISMATCH", "DEVICE_IDENTITY_REQUIRED", "AUTH_RATE_LIMITED",
  ]);
  const FATAL_ERRORS = new Set(["CONTROL_UI_ORIGIN_NOT_ALLOWED", "PROTOCOL_MISMATCH"]);
  // attachments: hello-ok's policy.attachments (decoded bytes each) and policy.maxPayload (the
  // whole frame, base64 included) replace these once connected
  const MAX_ATTACHMENTS = 10;
  const DEFAULT_LIMITS = { maxBytes: 19464192, maxImageBytes: 6291456, maxPayload: 26214400 };
  const FRAME_OVERHEAD = 4096; // the request's own fields around the message and the files
  const THUMBS_KEPT = 100; // object URLs of images sent from this page, for their bubbles

  const root = document.documentElement;
  const WS_URL = root.dataset.wsUrl;
  const VERSION = root.dataset.version || "0";
  const $ = (id) => document.getElementById(id);
  const ui = {
    log: $("log"), empty: $("empty"), banner: $("banner"),
    conn: $("conn"), connText: $("conn-text"), runStatus: $("run-status"), signout: $("signout"),
    composer: $("composer"), input: $("input"), send: $("send"), stop: $("stop"),
    attach: $("attach"), file: $("file"), chips: $("chips"), attachError: $("attach-error"),
    drop: $("drop"),
    login: $("login"), loginForm: $("login-form"), loginError: $("login-error"), token: $("token"),
  };

  const state = {
    token: null,
    ws: null,
    ready: false,          // hello-ok received on the current socket
    halted: false,         // do not reconnect (bad credentials, refused origin, signed out)
    nextId: 1,
    pending: new Map(),    // request id -> {resolve, reject, timer}
    lastSeq: null,         // last broadcast seq on this socket (gap -> re-fetch)
    backoff: BACKOFF_FIRST_MS,
    reconnectTimer: null,
    lastFrameAt: 0,
    tickMs: 30000,
    sessionKey: "agent:main:main",
    runs: new Map(),       // runId -> run view {runId, el, body, label, text, phase}
    historyTimer: null,
    historyLoading: null,
    limits: { ...DEFAULT_LIMITS },
    attachments: [],       // files chosen for the next message: {id, file, url}
    nextAttachmentId: 1,
    thumbs: new Map(),     // "name\0size" -> object URL of an image sent from this page
    dragDepth: 0,
  };

  // --- small helpers ---------------------------------------------------------------------------

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts (localhost, https)
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // --- the assistant's Markdown ----------------------------------------------------------------

  const markdown = (() => {
    const md = window.marked;
    const purify = window.DOMPurify;
    if (!md || !purify || !purify.isSupported) return null;
    purify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        const href = node.getAttribute("href") || "";
        if (!/^(https?:|mailto:|#)/i.test(href)) node.removeAttribute("href");
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
    });
    // Raw HTML in a reply is shown as text, not interpreted (DOMPurify stays the second line).
    const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
    md.use({ renderer: { html: (token) => escapeHtml(token.text) } });
    const options = {
      ALLOWED_TAGS: ["a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td",
        "th", "thead", "tr", "ul", "input", "span"],
      ALLOWED_ATTR: ["href", "title", "align", "type", "checked", "disabled", "class", "start"],
      ALLOW_DATA_ATTR: false,
    };
    return (text) => purify.sanitize(md.parse(text, { gfm: true, breaks: true, async: false }),
      options);
  })();

  function setMarkdown(node, text) {
    if (!markdown) {
      node.textContent = text; // the libraries did not load: plain text, never raw HTML
      return;
    }
    node.classList.add("md");
    node.innerHTML = markdown(text || "");
    for (const pre of node.querySelectorAll("pre")) {
      const copy = el("button", "copy", "Copy");
      copy.type = "button";
      copy.setAttribute("aria-label", "Copy code");
      copy.addEventListener("click", () => {
        const code = pre.querySelector("code");
        const done = () => { copy.textContent = "Copied"; setTimeout(() => { copy.textContent = "Copy"; }, 1500); };
        if (navigator.clipboard) navigator.clipboard.writeText(code ? code.textContent : pre.textContent).then(done, () => {});
      });
      pre.classList.add("has-copy");
      pre.append(copy);
    }
    for (const box of node.querySelectorAll("input")) {
      if (box.type !== "checkbox") box.remove(); else box.disabled = true;
    }
  }

  // Streaming re-renders at most once a frame, whatever the rate of deltas.
  const pendingRenders = new Map();
  function renderSoon(node, text) {
    if (!pendingRenders.size) {
      requestAnimationFrame(() => {
        for (const [target, value] of pendingRenders) setMarkdown(target, value);
        pendingRenders.clear();
      });
    }
    pendingRenders.set(node, text);
  }

  function textOf(message) {
    if (!message) return "";
    const content = message.content;
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) return typeof message.text === "string" ? message.text : "";
    return content
      .filter((part) => part && part.type === "text" && typeof part.text === "string")
      .map((part) => part.text)
      .join("");
  }

  function nearBottom() {
    const log = ui.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function keepScrolled(wasNearBottom) {
    if (wasNearBottom) ui.log.scrollTop = ui.log.scrollHeight;
  }

  function setConn(kind, text) {
    ui.conn.dataset.state = kind;
    ui.conn.title = text;
    ui.connText.textContent = text;
  }

  function banner(text, kind) {
    if (!text) {
      ui.banner.hidden = true;
      ui.banner.textContent = "";
      return;
    }
    ui.banner.textContent = text;
    ui.banner.dataset.kind = kind || "info";
    ui.banner.hidden = false;
  }

  function setComposerEnabled(enabled) {
    ui.input.disabled = !enabled;
    ui.send.disabled = !enabled;
    ui.attach.disabled = !enabled;
  }

  function positive(value, fallback) {
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
  }

  function formatSize(bytes) {
    if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes < 0) return "";
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KB", "MB", "GB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${Number(value.toFixed(value < 100 ? 1 : 0))} ${units[unit]}`;
  }

  // --- the token -------------------------------------------------------------------------------

  function takeTokenFromFragment() {
    if (!location.hash || location.hash.length < 2) return;
    const params = new URLSearchParams(location.hash.slice(1));
    if (!params.has("token")) return;
    const token = (params.get("token") || "").trim();
    params.delete("token");
    const rest = params.toString();
    // drop the token from the address bar (and so from history and bookmarks)
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
  }

  function showLogin(message) {
    ui.login.hidden = false;
    ui.loginError.hidden = !message;
    ui.loginError.textContent = message || "";
    ui.signout.hidden = true;
    setTimeout(() => ui.token.focus(), 0);
  }

  function hideLogin() {
    ui.login.hidden = true;
    ui.loginError.hidden = true;
    ui.token.value = "";
  }

  // --- the socket ------------------------------------------------------------------------------

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    state.token = sessionStorage.getItem(TOKEN_KEY);
    if (!state.token) {
      showLogin();
      return;
    }
    state.halted = false;
    setConn("connecting", "connecting…");
    let ws;
    try {
      ws = new WebSocket(WS_URL);
    } catch (err) {
      banner(`Cannot open ${WS_URL}: ${err.message}`, "error");
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    state.ready = false;
    state.lastSeq = null;
    state.lastFrameAt = Date.now();
    let connectSent = false;
    ws.onmessage = (ev) => {
      if (ws !== state.ws) return;
      state.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "res") {
        settle(frame);
      } else if (frame.type === "event") {
        if (frame.event === "connect.challenge") {
          if (!connectSent) {
            connectSent = true;
            sendConnect();
          }
          return;
        }
        onEvent(frame);
      }
    };
    ws.onclose = (ev) => onClose(ws, ev);
    ws.onerror = () => {}; // a close event always follows
  }

  function sendConnect() {
    const secret = state.token;
    request("connect", {
      minProtocol: 4,
      maxProtocol: 4,
      client: {
        id: "webchat-ui",
        displayName: "WebChat",
        version: VERSION,
        platform: navigator.platform || "web",
        mode: "webchat",
        instanceId: instanceId(),
      },
      caps: [],
      role: "operator",
      scopes: ["operator.read", "operator.write"],
      // the same secret as token and password: whichever auth mode the gateway runs in
      auth: { token: secret, password: secret },
      locale: navigator.language || undefined,
      userAgent: navigator.userAgent,
    }).then(onHello, onConnectFailed);
  }

  function instanceId() {
    let id = sessionStorage.getItem("openclaw.webchat.instance");
    if (!id) {
      id = uuid();
      sessionStorage.setItem("openclaw.webchat.instance", id);
    }
    return id;
  }

  function onHello(hello) {
    state.ready = true;
    state.backoff = BACKOFF_FIRST_MS;
    const policy = (hello && hello.policy) || {};
    if (typeof policy.tickIntervalMs === "number" && policy.tickIntervalMs > 0) {
      state.tickMs = policy.tickIntervalMs;
    }
    const limits = (policy.attachments && typeof policy.attachments === "object")
      ? policy.attachments : {};
    state.limits = {
      maxBytes: positive(limits.maxBytes, DEFAULT_LIMITS.maxBytes),
      maxImageBytes: positive(limits.maxImageBytes, DEFAULT_LIMITS.maxImageBytes),
      maxPayload: positive(policy.maxPayload, DEFAULT_LIMITS.maxPayload),
    };
    const defaults = (hello && hello.snapshot && hello.snapshot.sessionDefaults) || {};
    if (typeof defaults.mainSessionKey === "string") state.sessionKey = defaults.mainSessionKey;
    hideLogin();
    banner(null);
    setConn("online", "connected");
    ui.signout.hidden = false;
    setComposerEnabled(true);
    loadHistory();
  }

  function onConnectFailed(err) {
    const code = (err.details && err.details.code) || err.code;
    const message = err.message || "the gateway refused the connection";
    if (CREDENTIAL_ERRORS.has(code)) {
      halt();
      if (code !== "AUTH_RATE_LIMITED") sessionStorage.removeItem(TOKEN_KEY);
      setConn("error", "not signed in");
      showLogin(message);
    } else if (FATAL_ERRORS.has(code)) {
      halt();
      setConn("error", "refused");
      banner(message, "error");
    } else {
      banner(message, "error");
    }
  }

  function halt() {
    state.halted = true;
    clearTimeout(state.reconnectTimer);
    const ws = state.ws;
    state.ws = null;
    state.ready = false;
    failPending("not connected");
    if (ws) ws.close();
    setComposerEnabled(false);
  }

  function onClose(ws, ev) {
    if (ws !== state.ws) return;
    const wasReady = state.ready;
    state.ws = null;
    state.ready = false;
    failPending("the connection closed");
    setComposerEnabled(false);
    if (state.halted) return;
    if (!wasReady && ev.code === 1008 && ev.reason) {
      // refused during the handshake and the error response was lost: the reason says why
      onConnectFailed({ message: ev.reason, details: { code: guessCode(ev.reason) } });
      if (state.halted) return;
    }
    scheduleReconnect();
  }

  function guessCode(reason) {
    if (/origin not allowed/i.test(reason)) return "CONTROL_UI_ORIGIN_NOT_ALLOWED";
    if (/unauthorized|token|password/i.test(reason)) return "AUTH_UNAUTHORIZED";
    return "";
  }

  function scheduleReconnect() {
    clearTimeout(state.reconnectTimer);
    const delay = Math.min(BACKOFF_MAX_MS, state.backoff) * (0.8 + Math.random() * 0.4);
    state.backoff = Math.min(BACKOFF_MAX_MS, state.backoff * 2);
    const seconds = Math.max(1, Math.round(delay / 1000));
    setConn("offline", `reconnecting in ${seconds} s…`);
    banner(`Lost the connection to the gateway; reconnecting in ${seconds} s…`, "warn");
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (state.halted || state.ws || !state.reconnectTimer) return;
    state.backoff = BACKOFF_FIRST_MS;
    connect();
  }

  // no frame (not even a tick) for two tick intervals: the socket is dead even if not closed
  setInterval(() => {
    const ws = state.ws;
    if (!ws || !state.ready) return;
    if (Date.now() - state.lastFrameAt > 2 * state.tickMs + 5000) {
      state.ws = null;
      state.ready = false;
      try {
        ws.close(4000, "tick timeout");
      } catch {
        /* already closing */
      }
      failPending("the connection timed out");
      setComposerEnabled(false);
      scheduleReconnect();
    }
  }, 5000);

  function request(method, params) {
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || (!state.ready && method !== "connect")) {
      return Promise.reject({ code: "UNAVAILABLE", message: "not connected to the gateway" });
    }
    const id = `wc-${state.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        state.pending.delete(id);
        reject({ code: "TIMEOUT", message: `${method} timed out` });
      }, REQUEST_TIMEOUT_MS);
      state.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  function settle(frame) {
    const entry = state.pending.get(frame.id);
    if (!entry) return;
    state.pending.delete(frame.id);
    clearTimeout(entry.timer);
    if (frame.ok) entry.resolve(frame.payload);
    else entry.reject(frame.error || { code: "UNAVAILABLE", message: "request failed" });
  }

  function failPending(message) {
    for (const entry of state.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject({ code: "UNAVAILABLE", message });
    }
    state.pending.clear();
  }

  // --- events ----------------------------------------------------------------------------------

  function onEvent(frame) {
    if (typeof frame.seq === "number") {
      // broadcasts are numbered per socket; a jump means some were dropped: nothing is replayed
      const gap = state.lastSeq !== null && frame.seq > state.lastSeq + 1;
      state.lastSeq = frame.seq;
      if (gap) scheduleHistory();
    }
    if (frame.event === "chat") onChat(frame.payload || {});
    else if (frame.event === "shutdown") {
      banner("The gateway is restarting…", "warn");
    }
  }

  function ourSession(key) {
    return key === state.sessionKey || key === SESSION;
  }

  function onChat(p) {
    if (!ourSession(p.sessionKey) || typeof p.runId !== "string") return;
    const stick = nearBottom();
    let run = state.runs.get(p.runId);
    if (!run) {
      if (p.state === "status" || p.state === "delta") {
        run = addRun(p.runId); // a run started elsewhere (another tab, the CLI, a channel)
      }
      scheduleHistory(); // its user message (or, if it just ended, its reply) is in the history
      if (!run) return;
    }
    switch (p.state) {
      case "status":
        setRunPhase(run, "thinking");
        break;
      case "delta": {
        const full = textOf(p.message);
        if (full) run.text = full;
        else if (typeof p.deltaText === "string") {
          run.text = p.replace ? p.deltaText : run.text + p.deltaText;
        }
        renderSoon(run.body, run.text);
        setRunPhase(run, "streaming");
        break;
      }
      case "final": {
        const full = textOf(p.message);
        if (full) run.text = full;
        pendingRenders.delete(run.body);
        setMarkdown(run.body, run.text);
        finishRun(run, "done");
        break;
      }
      case "aborted": {
        const full = textOf(p.message);
        if (full) run.text = full;
        pendingRenders.delete(run.body);
        setMarkdown(run.body, run.text);
        finishRun(run, "stopped");
        break;
      }
      case "error":
        pendingRenders.delete(run.body);
        setMarkdown(run.body, run.text);
        run.error.textContent = p.errorMessage || "the run failed";
        run.error.hidden = false;
        finishRun(run, "error");
        break;
      default:
        break;
    }
    keepScrolled(stick);
  }

  // --- the conversation ------------------------------------------------------------------------

  function bubble(role, text, ts) {
    const item = el("div", `msg ${role}`);
    const body = el("div", "body", text);
    item.append(body);
    if (ts) item.title = new Date(ts).toLocaleString();
    return item;
  }

  function userBubble(text, files, ts) {
    const item = bubble("user", text, ts);
    if (files.length) item.append(fileList(files));
    return item;
  }

  // files: [{fileName, size, image, url?, unavailable?}] -> the list shown in a message bubble
  function fileList(files) {
    const list = el("ul", "files");
    const count = files.length === 1 ? "1 attachment" : `${files.length} attachments`;
    list.setAttribute("aria-label", count);
    for (const file of files) list.append(fileItem(file));
    return list;
  }

  function fileItem(file) {
    const size = formatSize(file.size);
    const summary = size ? `${file.fileName} · ${size}` : file.fileName;
    const item = el("li", "file");
    if (file.url && !file.unavailable) {
      item.classList.add("thumb");
      const img = document.createElement("img");
      img.alt = file.fileName;
      img.title = summary;
      img.decoding = "async";
      img.addEventListener("load", () => {
        const log = ui.log;
        if (log.scrollHeight - log.scrollTop - log.clientHeight < 80 + img.height) {
          log.scrollTop = log.scrollHeight;
        }
      });
      // not an image this browser can show (or its URL is gone): the chip instead
      img.addEventListener("error", () => item.replaceWith(fileItem({ ...file, url: null })));
      img.src = file.url;
      item.append(img);
      return item;
    }
    item.append(fileIcon(), el("span", "file-name", file.fileName));
    if (file.unavailable) {
      item.classList.add("unavailable");
      item.append(el("span", "file-meta", ` · unavailable: ${file.unavailable}`));
      item.title = `${file.fileName}: unavailable (${file.unavailable})`;
    } else {
      if (size) item.append(el("span", "file-meta", ` · ${size}`));
      item.title = summary;
    }
    return item;
  }

  function fileIcon() {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    const attrs = {
      class: "file-icon", viewBox: "0 0 24 24", width: "18", height: "18", fill: "none",
      stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round",
      "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false",
    };
    for (const [name, value] of Object.entries(attrs)) svg.setAttribute(name, value);
    for (const d of ["M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z", "M14 2v6h6"]) {
      const path = document.createElementNS(NS, "path");
      path.setAttribute("d", d);
      svg.append(path);
    }
    return svg;
  }

  function addRun(runId) {
    const item = bubble("assistant", "");
    item.dataset.runId = runId;
    const error = el("div", "run-error");
    error.hidden = true;
    const label = el("div", "run-label");
    item.append(error, label);
    const run = { runId, el: item, body: item.firstChild, error, label, text: "", phase: "" };
    state.runs.set(runId, run);
    setRunPhase(run, "thinking");
    ui.empty.hidden = true;
    ui.log.append(item);
    return run;
  }

  const PHASE_LABELS = {
    thinking: "thinking…",
    streaming: "streaming…",
    done: "",
    stopped: "stopped",
    error: "error",
  };

  function setRunPhase(run, phase) {
    run.phase = phase;
    run.el.dataset.runState = phase;
    run.label.textContent = PHASE_LABELS[phase] || "";
    run.label.hidden = !run.label.textContent;
    updateRunStatus(phase);
  }

  function finishRun(run, phase) {
    setRunPhase(run, phase);
    state.runs.delete(run.runId);
    updateRunStatus(phase);
  }

  function activeRuns() {
    return Array.from(state.runs.values());
  }

  function updateRunStatus(lastPhase) {
    const active = activeRuns();
    const phase = active.length ? active[active.length - 1].phase : lastPhase;
    ui.stop.hidden = active.length === 0;
    const labels = { thinking: "Thinking…", streaming: "Streaming…", done: "Done",
      stopped: "Stopped", error: "Error" };
    ui.runStatus.textContent = labels[phase] || "";
    ui.runStatus.dataset.phase = phase || "";
    ui.runStatus.hidden = !ui.runStatus.textContent;
  }

  // a transcript message's attachment parts (history keeps references, never the bytes)
  function filesOf(message) {
    if (!Array.isArray(message.content)) return [];
    return message.content
      .filter((part) => part && (part.type === "image" || part.type === "file"))
      .map((part) => {
        const named = typeof part.fileName === "string" && part.fileName;
        const fileName = named ? part.fileName : "file";
        const size = typeof part.size === "number" ? part.size : null;
        const missing = typeof part.unavailable === "string";
        const unavailable = missing ? part.unavailable || "unknown reason" : null;
        const image = part.type === "image";
        const url = image ? sentThumb(fileName, size) : null;
        return { fileName, size, image, unavailable, url };
      });
  }

  function renderMessage(message) {
    const role = message && message.role;
    const text = textOf(message);
    if (role === "user") {
      const files = filesOf(message);
      return text || files.length ? userBubble(text, files, message.timestamp) : null;
    }
    if (role === "assistant") {
      if (text) {
        const item = bubble("assistant", "", message.timestamp);
        setMarkdown(item.firstChild, text);
        return item;
      }
      const calls = Array.isArray(message.toolCalls) ? message.toolCalls : [];
      if (!calls.length) return null;
      const names = calls.map((c) => (c && c.name) || "?").join(", ");
      return el("div", "note", `called ${names}`);
    }
    if (role === "tool") {
      const short = text.length > 240 ? `${text.slice(0, 240)}…` : text;
      return el("div", "note", `${message.toolName || "tool"} → ${short}`);
    }
    if (role === "custom" && message.display) {
      return text ? el("div", "note notice", text) : null;
    }
    return null;
  }

  function renderHistory(payload) {
    const messages = Array.isArray(payload.messages) ? payload.messages : [];
    const active = Array.isArray(payload.activeRunIds) ? payload.activeRunIds : null;
    if (active) {
      for (const runId of Array.from(state.runs.keys())) {
        if (!active.includes(runId)) state.runs.delete(runId); // ended while we were away
      }
    }
    const fragment = document.createDocumentFragment();
    for (const message of messages) {
      const node = renderMessage(message);
      if (node) fragment.append(node);
    }
    ui.log.replaceChildren(ui.empty, fragment);
    for (const run of state.runs.values()) ui.log.append(run.el); // still streaming: keep them
    if (active) {
      for (const runId of active) if (!state.runs.has(runId)) addRun(runId);
    }
    ui.empty.hidden = ui.log.children.length > 1;
    updateRunStatus(ui.runStatus.dataset.phase);
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function loadHistory() {
    clearTimeout(state.historyTimer);
    state.historyTimer = null;
    const loading = request("chat.history", { sessionKey: SESSION, limit: 200 }).then(
      (payload) => {
        if (state.historyLoading === loading) renderHistory(payload || {});
      },
      (err) => {
        if (state.ready) banner(`Could not load the history: ${err.message}`, "error");
      },
    );
    state.historyLoading = loading;
    return loading;
  }

  function scheduleHistory() {
    if (state.historyTimer || !state.ready) return;
    state.historyTimer = setTimeout(loadHistory, 150);
  }

  function send() {
    const text = ui.input.value.trim();
    const chosen = state.attachments.slice();
    if ((!text && !chosen.length) || !state.ready) return;
    // the limits may have changed since the files were added (a reconnect to another gateway)
    const problems = chosen.map((a) => problemWith(a.file, "Not sent")).filter(Boolean);
    if (chosen.length > MAX_ATTACHMENTS) {
      problems.push(`At most ${MAX_ATTACHMENTS} files can go in one message; remove some.`);
    }
    const frame = frameSize(text, chosen);
    if (!problems.length && frame > state.limits.maxPayload) {
      problems.push(
        `Together these files are too large for one message (${formatSize(frame)} to send, the` +
          ` gateway takes ${formatSize(state.limits.maxPayload)}); send fewer at a time.`,
      );
    }
    if (problems.length) {
      showAttachError(problems);
      return;
    }
    showAttachError(null);
    const runId = uuid(); // the idempotency key is the run id
    const shown = chosen.map((a) => {
      if (a.url) rememberThumb(a.file.name, a.file.size, a.url);
      return { fileName: a.file.name, size: a.file.size, image: isImage(a.file), url: a.url };
    });
    ui.empty.hidden = true;
    ui.log.append(userBubble(text, shown, Date.now()));
    const run = addRun(runId);
    ui.input.value = "";
    state.attachments = [];
    renderChips();
    autosize();
    keepScrolled(true);
    Promise.all(chosen.map((a) => encodeAttachment(a.file)))
      .then((attachments) => {
        const params = { sessionKey: SESSION, message: text, idempotencyKey: runId };
        if (attachments.length) params.attachments = attachments;
        return request("chat.send", params);
      })
      .catch((err) => {
        if (!state.runs.has(runId)) return;
        run.error.textContent = `Not sent: ${err.message || "the gateway refused the message"}`;
        run.error.hidden = false;
        finishRun(run, "error");
      });
  }

  // --- attachments -----------------------------------------------------------------------------

  function isImage(file) {
    return /^image\//i.test(file.type || "");
  }

  // why the gateway would refuse this file, or null; `verb` says what the page did instead
  function problemWith(file, verb = "Not attached") {
    const name = file.name || "the file";
    if (!file.size) return `${verb}: ${name} is empty.`;
    const image = isImage(file);
    const limit = image ? state.limits.maxImageBytes : state.limits.maxBytes;
    if (file.size > limit) {
      return `${verb}: ${name} (${formatSize(file.size)}) is over the ${formatSize(limit)}` +
        ` limit for ${image ? "images" : "files"}.`;
    }
    return null;
  }

  function showAttachError(problems) {
    const text = problems && problems.length ? problems.join("\n") : "";
    ui.attachError.textContent = text;
    ui.attachError.hidden = !text;
  }

  function canAttach() {
    return state.ready && !ui.attach.disabled;
  }

  function addFiles(files) {
    const problems = [];
    let over = 0;
    for (const file of files) {
      const problem = problemWith(file);
      if (problem) problems.push(problem);
      else if (state.attachments.length >= MAX_ATTACHMENTS) over += 1;
      else {
        const url = isImage(file) ? URL.createObjectURL(file) : null;
        state.attachments.push({ id: state.nextAttachmentId++, file, url });
      }
    }
    if (over) {
      problems.push(
        `Not attached: ${over === 1 ? "1 file" : `${over} files`} — at most ${MAX_ATTACHMENTS}` +
          " files per message.",
      );
    }
    showAttachError(problems);
    renderChips();
  }

  function removeAttachment(id) {
    const index = state.attachments.findIndex((a) => a.id === id);
    if (index < 0) return;
    const [gone] = state.attachments.splice(index, 1);
    if (gone.url) URL.revokeObjectURL(gone.url);
    showAttachError(null);
    renderChips();
    // keep the keyboard where it was: the next chip's remove button, else the message field
    const buttons = ui.chips.querySelectorAll("button.chip-remove");
    const next = buttons[Math.min(index, buttons.length - 1)];
    (next || ui.input).focus();
  }

  function clearAttachments() {
    for (const a of state.attachments) if (a.url) URL.revokeObjectURL(a.url);
    state.attachments = [];
    showAttachError(null);
    renderChips();
  }

  function renderChips() {
    const items = state.attachments.map((a) => {
      const name = a.file.name || "file";
      const chip = el("li", "chip");
      chip.title = `${name} · ${formatSize(a.file.size)}`;
      if (a.url) {
        const img = document.createElement("img");
        img.className = "chip-thumb";
        img.alt = "";
        img.src = a.url;
        img.addEventListener("error", () => img.replaceWith(fileIcon()));
        chip.append(img);
      } else {
        chip.append(fileIcon());
      }
      chip.append(el("span", "chip-name", name), el("span", "chip-size", formatSize(a.file.size)));
      const remove = el("button", "chip-remove", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${name}`);
      remove.title = `Remove ${name}`;
      remove.addEventListener("click", () => removeAttachment(a.id));
      chip.append(remove);
      return chip;
    });
    ui.chips.replaceChildren(...items);
    ui.chips.hidden = items.length === 0;
  }

  function frameSize(text, chosen) {
    let size = FRAME_OVERHEAD + JSON.stringify(text).length;
    for (const a of chosen) {
      size += 4 * Math.ceil(a.file.size / 3) + 2 * (a.file.name || "").length + 128;
    }
    return size;
  }

  function encodeAttachment(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        resolve({
          type: isImage(file) ? "image" : "file",
          mimeType: file.type || undefined,
          fileName: file.name || undefined,
          content: url.slice(url.indexOf(",") + 1), // base64, without the data: prefix
        });
      };
      reader.onerror = () => reject({ message: `could not read ${file.name || "a file"}` });
      reader.readAsDataURL(file);
    });
  }

  function thumbKey(name, size) {
    return `${name}\u0000${size}`;
  }

  function rememberThumb(name, size, url) {
    const key = thumbKey(name, size);
    const old = state.thumbs.get(key);
    if (old && old !== url) URL.revokeObjectURL(old);
    state.thumbs.delete(key);
    state.thumbs.set(key, url);
    while (state.thumbs.size > THUMBS_KEPT) {
      const [oldestKey, oldestUrl] = state.thumbs.entries().next().value;
      state.thumbs.delete(oldestKey);
      URL.revokeObjectURL(oldestUrl);
    }
  }

  function sentThumb(name, size) {
    return state.thumbs.get(thumbKey(name, size)) || null;
  }

  // a pasted screenshot is called "image.png": give it a name that says when it was pasted
  function namePasted(file) {
    if (file.name && !/^image\.[a-z0-9]+$/i.test(file.name)) return file;
    const subtype = (file.type || "").split("/")[1] || "bin";
    const ext = subtype.replace("jpeg", "jpg").replace(/\+.*$/, "");
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const name = `pasted-${stamp}.${ext}`;
    return new File([file], name, { type: file.type, lastModified: Date.now() });
  }

  function dragHasFiles(ev) {
    return !!ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes("Files");
  }

  function stop() {
    if (!state.ready) return;
    ui.stop.disabled = true;
    request("chat.abort", { sessionKey: SESSION })
      .catch((err) => banner(`Could not stop the run: ${err.message}`, "error"))
      .finally(() => {
        ui.stop.disabled = false;
      });
  }

  function autosize() {
    ui.input.style.height = "auto";
    ui.input.style.height = `${Math.min(ui.input.scrollHeight, 200)}px`;
  }

  // --- wiring ----------------------------------------------------------------------------------

  ui.composer.addEventListener("submit", (ev) => {
    ev.preventDefault();
    send();
  });
  ui.input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      send();
    }
  });
  ui.input.addEventListener("input", autosize);
  ui.attach.addEventListener("click", () => ui.file.click());
  ui.file.addEventListener("change", () => {
    addFiles(Array.from(ui.file.files || []));
    ui.file.value = ""; // choosing the same file again fires change again
    ui.input.focus();
  });
  document.addEventListener("paste", (ev) => {
    const data = ev.clipboardData;
    if (!data || ev.target === ui.token || !canAttach()) return;
    const files = Array.from(data.files || []);
    // copying from an office app puts a picture of the text beside it: the text wins
    if (!files.length || Array.from(data.types || []).includes("text/plain")) return;
    ev.preventDefault();
    addFiles(files.map(namePasted));
  });
  // a file dropped anywhere on the page is attached (never opened in place of the page)
  document.addEventListener("dragenter", (ev) => {
    if (!dragHasFiles(ev)) return;
    ev.preventDefault();
    state.dragDepth += 1;
    ui.drop.hidden = !canAttach();
  });
  document.addEventListener("dragover", (ev) => {
    if (!dragHasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = canAttach() ? "copy" : "none";
  });
  document.addEventListener("dragleave", (ev) => {
    if (!dragHasFiles(ev)) return;
    state.dragDepth = Math.max(0, state.dragDepth - 1);
    if (state.dragDepth === 0) ui.drop.hidden = true;
  });
  document.addEventListener("drop", (ev) => {
    if (!dragHasFiles(ev)) return;
    ev.preventDefault();
    state.dragDepth = 0;
    ui.drop.hidden = true;
    if (!canAttach()) return;
    addFiles(Array.from(ev.dataTransfer.files || []));
    ui.input.focus();
  });
  ui.stop.addEventListener("click", stop);
  ui.signout.addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    halt();
    clearAttachments();
    setConn("idle", "not connected");
    showLogin();
  });
  ui.loginForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = ui.token.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    ui.loginError.hidden = true;
    halt();
    state.backoff = BACKOFF_FIRST_MS;
    connect();
  });
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
  window.addEventListener("hashchange", () => {
    if (!/(^#|&)token=/.test(location.hash)) return;
    takeTokenFromFragment();
    halt();
    connect();
  });

  takeTokenFromFragment();
  connect();
})();

// A small A2UI v0.9 renderer for the basic catalog (Text, Button, Column, Row, Card, Image,
// Divider, TextField, CheckBox). It applies createSurface / updateComponents / updateDataModel /
// deleteSurface messages and redraws from the component named "root". Text is always set with
// textContent: agent strings never become markup. Unknown components show as a labelled box.
(function () {
  "use strict";
  var surfaces = {};
  var host = document.getElementById("a2ui-root") || document.body;

  function pointer(model, path) {
    if (typeof path !== "string") return undefined;
    var parts = path.split("/").filter(Boolean), value = model;
    for (var i = 0; i < parts.length; i++) {
      if (value == null || typeof value !== "object") return undefined;
      value = value[parts[i]];
    }
    return value;
  }
  function setPointer(model, path, value) {
    var parts = (path || "/").split("/").filter(Boolean);
    if (!parts.length) return value;
    var node = model;
    for (var i = 0; i < parts.length - 1; i++) {
      if (typeof node[parts[i]] !== "object" || node[parts[i]] === null) node[parts[i]] = {};
      node = node[parts[i]];
    }
    node[parts[parts.length - 1]] = value;
    return model;
  }
  function resolve(surface, value) {
    if (value && typeof value === "object" && "path" in value) return pointer(surface.data, value.path);
    return value;
  }
  function send(payload) {
    var ws = window.__canvasSocket;
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(payload));
  }
  function childIds(c) {
    var ch = c.children;
    if (Array.isArray(ch)) return ch;
    if (ch && Array.isArray(ch.explicitList)) return ch.explicitList;
    return c.child ? [c.child] : [];
  }
  function render(surface, id, depth) {
    var c = surface.components[id];
    var el;
    if (!c || depth > 64) {
      el = document.createElement("div");
      el.className = "a2ui-missing";
      el.textContent = "missing component " + id;
      return el;
    }
    switch (c.component) {
      case "Text":
        el = document.createElement(/^h[1-5]$/.test(c.variant || "") ? c.variant : "p");
        el.textContent = String(resolve(surface, c.text) ?? "");
        break;
      case "Button":
        el = document.createElement("button");
        el.type = "button";
        el.addEventListener("click", function () {
          send({ type: "action", surfaceId: surface.id, componentId: id, action: c.action || null });
        });
        break;
      case "Column": case "List": el = document.createElement("div"); el.style.display = "flex"; el.style.flexDirection = "column"; el.style.gap = "8px"; break;
      case "Row": el = document.createElement("div"); el.style.display = "flex"; el.style.gap = "8px"; break;
      case "Card": el = document.createElement("section"); el.className = "a2ui-card"; break;
      case "Divider": el = document.createElement("hr"); break;
      case "Image":
        el = document.createElement("img");
        var src = String(resolve(surface, c.url) ?? "");
        if (/^(data:image\/|https?:)/.test(src)) el.src = src;
        el.alt = String(resolve(surface, c.description) ?? "");
        break;
      case "TextField":
        el = document.createElement("input");
        el.value = String(resolve(surface, c.value) ?? "");
        el.placeholder = String(resolve(surface, c.label) ?? "");
        break;
      case "CheckBox":
        el = document.createElement("input");
        el.type = "checkbox";
        el.checked = Boolean(resolve(surface, c.value));
        break;
      default:
        el = document.createElement("div");
        el.className = "a2ui-unknown";
        el.textContent = "[" + String(c.component) + "]";
    }
    el.dataset.a2uiId = id;
    el.dataset.a2uiComponent = String(c.component);
    var kids = childIds(c);
    for (var i = 0; i < kids.length; i++) el.appendChild(render(surface, kids[i], depth + 1));
    return el;
  }
  function draw(surface) {
    var box = surface.el;
    if (!box) {
      box = surface.el = document.createElement("div");
      box.dataset.surface = surface.id;
      host.appendChild(box);
    }
    box.replaceChildren(surface.components.root ? render(surface, "root", 0) : document.createTextNode(""));
  }
  function apply(messages) {
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i] || {}, s;
      if (m.createSurface) {
        s = surfaces[m.createSurface.surfaceId] = surfaces[m.createSurface.surfaceId] ||
          { id: m.createSurface.surfaceId, components: {}, data: {} };
        draw(s);
      } else if (m.updateComponents) {
        s = surfaces[m.updateComponents.surfaceId];
        if (!s) continue;
        (m.updateComponents.components || []).forEach(function (c) { if (c && c.id) s.components[c.id] = c; });
        draw(s);
      } else if (m.updateDataModel) {
        s = surfaces[m.updateDataModel.surfaceId];
        if (!s) continue;
        s.data = setPointer(s.data, m.updateDataModel.path, m.updateDataModel.value);
        draw(s);
      } else if (m.deleteSurface) {
        s = surfaces[m.deleteSurface.surfaceId];
        if (s && s.el) s.el.remove();
        delete surfaces[m.deleteSurface.surfaceId];
      }
    }
    document.documentElement.dataset.a2uiApplied = String((Number(document.documentElement.dataset.a2uiApplied) || 0) + messages.length);
  }
  window.A2UI = { apply: apply };
  fetch("a2ui.json", { cache: "no-store" }).then(function (r) { return r.json(); }).then(apply);
})();

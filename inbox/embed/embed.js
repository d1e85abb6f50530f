/*
 * coi-intake upload form. Paste into a page:
 *
 *   <script src="https://coi.example/embed.js" data-token="coi_..." async></script>
 *
 * Optional attributes: data-target="#css-selector" (where the form goes; default: right after the
 * script), data-title="..." (the heading), data-api="https://..." (the API; default: where this
 * script came from), data-tag="lot-14" (a project: the certificate is checked against that tag's
 * requirement set, as mail to <account>+lot-14@ is). No framework, no cookies: the token travels in the Authorization header.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var token = script.getAttribute("data-token") || "";
  var tag = script.getAttribute("data-tag") || null;
  var api = (script.getAttribute("data-api") || script.src.replace(/\/embed\.js(\?.*)?$/, "")).replace(/\/$/, "");
  var uid = "coi-" + Math.random().toString(36).slice(2, 8);
  var TYPES = { "application/pdf": 1, "image/png": 1, "image/jpeg": 1, "image/tiff": 1 };
  var FINAL = { decided: 1, failed: 1, not_a_certificate: 1 };
  var POLL_MS = 1500, POLL_LIMIT = 400;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function style() {
    if (document.getElementById("coi-embed-style")) { return; }
    var css = el("style", { id: "coi-embed-style" });
    css.textContent = [
      ".coi-embed{font:15px/1.4 system-ui,sans-serif;max-width:36em;border:1px solid #bbb;border-radius:8px;padding:1em}",
      ".coi-embed h2{font-size:1.15em;margin:0 0 .6em}",
      ".coi-drop{border:2px dashed #888;border-radius:6px;padding:1em;text-align:center}",
      ".coi-contact{margin-bottom:.8em}.coi-contact label{display:block;margin-bottom:.2em}.coi-contact input{width:100%;max-width:24em}",
      ".coi-drop.coi-over{border-color:#1a5fb4;background:#eef4fc}",
      ".coi-drop label{display:block;font-weight:600;margin-bottom:.5em}",
      ".coi-embed progress{width:100%;height:1em;margin-top:.8em}",
      ".coi-status{margin-top:.8em}",
      ".coi-ok{color:#1e6b2e;font-weight:600}.coi-bad{color:#a51d2d;font-weight:600}",
      ".coi-embed img{max-width:100%;border:1px solid #ccc;margin-top:.6em}",
      ".coi-embed :focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}"
    ].join("");
    document.head.appendChild(css);
  }

  // -- the form ---------------------------------------------------------------------------------
  style();
  var root = el("section", { "class": "coi-embed", "aria-labelledby": uid + "-title" });
  var title = el("h2", { id: uid + "-title" }, script.getAttribute("data-title") || "Send your certificate of insurance");
  var drop = el("div", { "class": "coi-drop" });
  var label = el("label", { "for": uid + "-file" }, "Choose the certificate file (PDF, PNG, JPEG or TIFF)");
  var input = el("input", { id: uid + "-file", type: "file", name: "file",
    accept: ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff",
    "aria-describedby": uid + "-hint" });
  var hint = el("p", { id: uid + "-hint" }, "or drag and drop it here.");
  var emailLabel = el("label", { "for": uid + "-email" }, "Your email (optional: we tell you the result, and what to change if needed)");
  var email = el("input", { id: uid + "-email", type: "email", name: "email", autocomplete: "email",
    maxlength: "320" });
  var progress = el("progress", { max: "100", value: "0", "aria-label": "Upload progress", hidden: "" });
  var status = el("div", { "class": "coi-status", role: "status", "aria-live": "polite" });
  var result = el("div", { "class": "coi-result" });
  drop.appendChild(label); drop.appendChild(input); drop.appendChild(hint);
  var contact = el("div", { "class": "coi-contact" });
  contact.appendChild(emailLabel); contact.appendChild(email);
  root.appendChild(title); root.appendChild(contact); root.appendChild(drop); root.appendChild(progress); root.appendChild(status);
  root.appendChild(result);
  var target = script.getAttribute("data-target") && document.querySelector(script.getAttribute("data-target"));
  if (target) { target.appendChild(root); } else { script.parentNode.insertBefore(root, script.nextSibling); }

  function say(text, cls) {
    status.textContent = text;
    status.className = "coi-status" + (cls ? " " + cls : "");
  }

  if (!token) { say("This form has no upload token (data-token); the site's owner must add one.", "coi-bad"); }

  input.addEventListener("change", function () { if (input.files && input.files[0]) { send(input.files[0]); } });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("coi-over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("coi-over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    var files = e.dataTransfer && e.dataTransfer.files;
    if (files && files[0]) { send(files[0]); }
  });

  // -- talking to the API -------------------------------------------------------------------------
  function call(method, path, body) {
    return fetch(api + path, {
      method: method, credentials: "omit",
      headers: body ? { "Authorization": "Bearer " + token, "Content-Type": "application/json" }
                    : { "Authorization": "Bearer " + token },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(problem(data, response.status));
          if (response.status === 429) { error.retryAfter = Number(response.headers.get("Retry-After")) || 5; }
          throw error;
        }
        return data;
      });
    });
  }

  function problem(data, code) {
    return (data && data.error && data.error.message) || ("The upload service answered " + code + ".");
  }

  function upload(url, form, headers) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText || "{}"); } catch (ignored) { data = {}; }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(data); }
        else { reject(new Error(xhr.status === 403 || xhr.status === 400 && !data.error
          ? "The storage refused the file (too large, wrong type or the form expired); try again."
          : problem(data, xhr.status))); }
      });
      xhr.addEventListener("error", function () { reject(new Error("The upload was interrupted; check the connection and try again.")); });
      xhr.send(form);
    });
  }

  function send(file) {
    result.textContent = "";
    result.removeAttribute("data-decision");
    var type = file.type || guessType(file.name);
    if (!TYPES[type]) { say("“" + file.name + "” is not a PDF, PNG, JPEG or TIFF file.", "coi-bad"); return; }
    var address = email.value.trim() || null;
    if (address && !email.checkValidity()) {
      say("“" + address + "” is not a valid email address; correct it or leave it empty.", "coi-bad"); finish(); return;
    }
    input.disabled = true;
    progress.hidden = false; progress.value = 0;
    say("Uploading “" + file.name + "”…");
    call("POST", "/v1/uploads", { filename: file.name, content_type: type, size: file.size, tag: tag, email: address }).then(function (ticket) {
      var form = new FormData();
      if (ticket.method === "presigned_post") {
        Object.keys(ticket.fields).forEach(function (name) { form.append(name, ticket.fields[name]); });
        form.append("file", file);
        return upload(ticket.url, form, {}).then(function () { return ticket.upload_id; });
      }
      if (tag) { form.append("tag", tag); }
      if (address) { form.append("email", address); }
      form.append("file", file, file.name);
      return upload(ticket.url, form, { "Authorization": "Bearer " + token }).then(function (r) { return r.upload_id; });
    }).then(function (uploadId) {
      progress.value = 100;
      say("Uploaded. Checking the certificate…");
      poll(uploadId, 0);
    }).catch(function (error) {
      finish();
      say(error.message, "coi-bad");
    });
  }

  function guessType(name) {
    var ext = (name.split(".").pop() || "").toLowerCase();
    return { pdf: "application/pdf", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg",
             tif: "image/tiff", tiff: "image/tiff" }[ext] || "";
  }

  function poll(uploadId, round) {
    call("GET", "/v1/uploads/" + uploadId).then(function (upload) {
      if (upload.status === "rejected" || upload.status === "failed") {
        finish(); say(upload.reason || "The file could not be taken.", "coi-bad"); return;
      }
      var doc = upload.document;
      if (doc && FINAL[doc.status]) { finish(); show(doc); return; }
      if (round >= POLL_LIMIT) {
        finish(); say("The certificate is still being checked; the result will be kept. Check back later.");
        return;
      }
      setTimeout(function () { poll(uploadId, round + 1); }, POLL_MS);
    }).catch(function (error) {
      if (error.retryAfter) {  // rate limited: the upload is safe, ask again later
        setTimeout(function () { poll(uploadId, round); }, error.retryAfter * 1000);
        return;
      }
      finish(); say(error.message, "coi-bad");
    });
  }

  function finish() { input.disabled = false; input.value = ""; progress.hidden = true; }

  // -- the outcome --------------------------------------------------------------------------------
  function show(doc) {
    var heading, cls = "coi-bad", items = [], note = null;
    if (doc.status !== "decided") {
      heading = (doc.error && doc.error.message) || "The file could not be read as a certificate.";
    } else if (doc.decision === "approved") {
      heading = "Approved: the certificate meets the requirements."; cls = "coi-ok";
    } else if (doc.decision === "rejected") {
      heading = "Not accepted. What is wrong:";
      items = (doc.failed_checks || []).filter(function (c) { return c.outcome === "fail"; });
      if ((doc.failed_checks || []).some(function (c) { return c.outcome === "unknown"; })) {
        note = "Some values could not be read clearly; a person will confirm them, and you need not change them.";
      }
    } else {
      heading = "Received. A person will review the certificate, because:";
      cls = ""; items = doc.failed_checks || [];
    }
    say(heading, cls);
    result.setAttribute("data-decision", doc.decision || doc.status);
    if (items.length) {
      var list = el("ul", { "class": "coi-problems" });
      items.forEach(function (check) { list.appendChild(el("li", { "data-code": check.code }, check.message)); });
      result.appendChild(list);
    }
    if (note) { result.appendChild(el("p", { "class": "coi-note" }, note)); }
    if (doc.annotated_image_url) { image(doc.annotated_image_url); }
  }

  function image(url) {
    fetch(url, { credentials: "omit", headers: { "Authorization": "Bearer " + token } }).then(function (r) {
      return r.ok ? r.blob() : null;
    }).then(function (blob) {
      if (!blob) { return; }
      result.appendChild(el("img", { src: URL.createObjectURL(blob),
        alt: "The certificate, with the values that fail the requirements outlined in red" }));
    }).catch(function () { /* the sentences above say it all; the picture is a help */ });
  }
})();

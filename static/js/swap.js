/*
 * Dialtone call tracking: dynamic number insertion for the customer's web site.
 *
 *   <script src="https://<dialtone>/static/js/swap.js" data-pool="<public key>" async></script>
 *
 * Once per page view it asks the DNI endpoint which tracking number this
 * visitor gets (the visitor id lives in a first-party cookie, so a returning
 * visitor keeps its number), then replaces the pool's site numbers - or every
 * phone number with replace_all_numbers - in text and in tel: links, whatever
 * their formatting (spaces, dots, dashes, brackets, +44 / 0044 / 0 / +44 (0)
 * prefixes). The whole written number is replaced, and the new one is written
 * in the page's style: dots or dashes stay dots or dashes, "+44 (0)" and
 * "0044" stay, an area code in brackets keeps its brackets.
 * No dependency; nothing is sent but the visitor id, the referrer and the URL.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-pool");
  if (!key) return;
  var endpoint = script.getAttribute("data-endpoint") ||
    new URL(script.src, location.href).origin + "/v3/api/dni/" + encodeURIComponent(key);
  var COOKIE = "dt_visitor";
  var SEPARATOR = "[\\s().\\-\\u00a0]*";
  // Between two characters: separators, and the "(0)" of "+44 (0)117 …".
  var JOIN = SEPARATOR + "(?:\\(0\\)" + SEPARATOR + ")?";
  var SKIP = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEXTAREA: 1, INPUT: 1, SELECT: 1, OPTION: 1 };

  function visitorId() {
    var found = document.cookie.match(/(?:^|;\s*)dt_visitor=([A-Za-z0-9_-]{8,64})/);
    if (found) return found[1];
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    document.cookie = COOKIE + "=" + id + "; path=/; max-age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    return id;
  }

  function escape(ch) { return ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // One pattern for a number written with any separators between its characters.
  function spread(variant) { return variant.split("").map(escape).join(JOIN); }

  function matcher(answer) {
    var body;
    if (answer.replace_all_numbers) {
      // Anything phone-like: 9 to 15 digits with separators.
      body = "\\d(?:" + JOIN + "\\d){8,14}";
    } else {
      var variants = [];
      answer.numbers_to_replace.forEach(function (n) { variants = variants.concat(n.variants); });
      if (!variants.length) return null;
      variants.sort(function (a, b) { return b.length - a.length; });
      body = "(?:" + variants.map(spread).join("|") + ")";
    }
    // A bracket opening the number ("(0117) 496 0000") belongs to it.
    return new RegExp("(?<![\\w+])(?:\\+" + SEPARATOR + "|00" + SEPARATOR + "|\\(" + SEPARATOR + ")?" + body + "(?![\\w])", "gi");
  }

  // The page's style: one kind of separator (dots, dashes) is kept, none
  // means the digits run together, "(0)" after the country code stays.
  function styled(number, written, international) {
    var separators = written.replace(/^\s+|\s+$/g, "").match(/[\s.\-\u00a0]/g) || [];
    var kinds = {};
    separators.forEach(function (ch) { kinds[/\s/.test(ch) ? " " : ch] = 1; });
    var used = Object.keys(kinds);
    var bracketed = /[()]/.test(written.replace(/\(0\)/g, ""));
    if (international && /^\s*00/.test(written)) number = number.replace(/^\+/, "00");
    if (international && /\(0\)/.test(written)) number = number.replace(/^((?:\+|00)\d+) /, "$1 (0)");
    if (bracketed) {
      // The area code in brackets, as the page writes it: "(0117) 496 0000", "+44 (117) 496 0000".
      number = international
        ? number.replace(/^((?:\+|00)\d+) (\d+) /, "$1 ($2) ")
        : number.replace(/^(\d+) /, "($1) ");
    }
    if (!used.length && !bracketed && !/\(0\)/.test(written)) return number.replace(/[^\d+]/g, "");
    if (used.length === 1 && used[0] !== " " && !bracketed) {
      return number.replace(/^((?:\+|00)\d+) /, "$1" + used[0]).replace(/ /g, used[0]).replace(/\)\./, ")");
    }
    return number;
  }

  function formatted(answer, written) {
    var international = /^\s*(\+|00)/.test(written) || (!/^[\s(]*0/.test(written) && !answer.replace_all_numbers);
    var number = international ? answer.formats.international : answer.formats.national;
    return styled(number, written, international);
  }

  function swap(answer, root) {
    var regex = matcher(answer);
    if (!regex) return;
    root = root || document.body;
    if (root.nodeType === 3) root = root.parentNode;
    if (!root || (root.nodeType !== 1 && root.nodeType !== 9)) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode && SKIP[node.parentNode.nodeName] ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      regex.lastIndex = 0;
      var text = node.nodeValue;
      var replaced = text.replace(regex, function (written) { return formatted(answer, written); });
      if (replaced !== text) node.nodeValue = replaced;
    });
    var links = Array.prototype.slice.call(root.querySelectorAll('a[href^="tel:"]'));
    if (root.matches && root.matches('a[href^="tel:"]')) links.push(root);
    links.forEach(function (link) {
      var target = decodeURIComponent(link.getAttribute("href").slice(4));
      regex.lastIndex = 0;
      var whole = target.replace(regex, "\u0000");
      if (whole.replace(/[\s]/g, "") === "\u0000") link.setAttribute("href", "tel:" + answer.formats.e164);
    });
    document.documentElement.setAttribute("data-dialtone-number", answer.tracking_number);
  }

  function whenReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  var form = new URLSearchParams();
  form.set("visitor", visitorId());
  form.set("referrer", document.referrer || "");
  form.set("url", location.href);
  // A form body keeps this a "simple" cross-origin request: no preflight.
  fetch(endpoint, { method: "POST", body: form, credentials: "omit", mode: "cors" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer || !answer.replace) return;
      whenReady(function () {
        swap(answer);
        // Content added later (menus, single-page apps) gets the number too.
        // Replacing text changes no child list, so this cannot loop.
        if (window.MutationObserver) {
          new MutationObserver(function (mutations) {
            mutations.forEach(function (m) { Array.prototype.forEach.call(m.addedNodes, function (n) { swap(answer, n); }); });
          }).observe(document.body, { childList: true, subtree: true });
        }
      });
    })
    .catch(function () { /* the site keeps its own numbers */ });
})();

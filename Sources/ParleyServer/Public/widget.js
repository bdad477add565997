/* Parley chat widget loader, a classic script:
 *   <script src="BASE/widget.js" data-site="SITE_KEY" async></script>
 * Defines window.Parley (a stub that queues calls until the widget is up), adds the host element and imports
 * BASE/widget/main.js. If anything fails the page is left alone: a console warning and no launcher. */
(function () {
  var w = /** @type {any} */ (window);
  var d = document;
  var script = /** @type {HTMLScriptElement | null} */ (d.currentScript);
  var site = script && script.getAttribute('data-site');
  var p = w.Parley || { q: [] }; // `window.Parley = window.Parley || {q: []}` may have queued calls already
  if (!script || !site || p.started) {
    if (script && !site) console.warn('Parley widget: the script tag needs data-site');
    return;
  }
  var attr = function (/** @type {string} */ name) { return script && script.getAttribute('data-' + name); };
  var base = script.src.replace(/\/widget\.js([?#].*)?$/, '');
  p.q = p.q || [];
  p.started = true;
  ['open', 'close', 'identify', 'reset', 'on'].forEach(function (name) {
    p[name] = function () {
      var args = /** @type {unknown[]} */ ([].slice.call(arguments));
      return new Promise(function (ok, fail) { p.q.push([name, args, ok, fail]); });
    };
  });
  w.Parley = p;

  var host = d.createElement('div');
  host.setAttribute('data-parley-widget', '');
  host.setAttribute('data-state', 'loading');
  // Until the stylesheet says more, the host takes no room whatever the page's CSS (CSSOM is CSP-safe).
  host.style.setProperty('all', 'initial', 'important');
  function go() {
    d.body.appendChild(host);
    import(base + '/widget/main.js')
      .then(function (m) {
        return m.start({ host: host, base: base, site: site, locale: attr('locale'), open: attr('open') === 'true',
          nonce: attr('nonce') || (script && script.nonce), stub: p });
      })
      .catch(function (e) {
        host.setAttribute('data-state', 'error');
        console.warn('Parley widget is not available:', e);
      });
  }
  if (d.body) go();
  else d.addEventListener('DOMContentLoaded', go);
})();

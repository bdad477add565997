// Adds the embed snippet for the site in ?site=… to the demo page (an external script: the page
// follows the same Content-Security-Policy rules as customers' pages).
const site = new URLSearchParams(location.search).get('site');
if (site) {
  const script = document.createElement('script');
  script.src = '/widget.js';
  script.async = true;
  script.dataset.site = site;
  script.dataset.open = 'true';
  document.head.appendChild(script);
} else {
  const note = document.createElement('p');
  note.textContent = 'Add ?site=SITE_KEY to the address (parley serve prints the demo site\u2019s key).';
  document.body.appendChild(note);
}

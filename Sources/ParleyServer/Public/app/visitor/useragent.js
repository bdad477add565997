// A User-Agent string summarized for people: "Chrome 131 on Windows". Heuristics only (the string
// is whatever the visitor's browser, or anyone, sent); unknown parts are left out.

/** @type {Array<[RegExp, string]>} order matters: Edge and Opera also say Chrome, Chrome says Safari */
const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\b(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS|Chromium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)(?:[.\d]*) (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

/** @type {Array<[RegExp, string]>} */
const SYSTEMS = [
  [/\bWindows NT 10/, 'Windows'],
  [/\bWindows NT 6\.3/, 'Windows 8.1'],
  [/\bWindows NT 6\.1/, 'Windows 7'],
  [/\bWindows/, 'Windows'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid(?: (\d+))?/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * @param {string | null | undefined} ua
 * @returns {{browser: string, os: string, text: string}} text: "Chrome 131 on Windows", '' when nothing is known
 */
export function summarizeUserAgent(ua) {
  if (!ua) return { browser: '', os: '', text: '' };
  let browser = '';
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      browser = m[1] ? `${name} ${m[1]}` : name;
      break;
    }
  }
  let os = '';
  for (const [re, name] of SYSTEMS) {
    const m = re.exec(ua);
    if (m) {
      os = name === 'Android' && m[1] ? `Android ${m[1]}` : name;
      break;
    }
  }
  const text = browser && os ? `${browser} on ${os}` : browser || os || 'Unknown browser';
  return { browser, os, text };
}

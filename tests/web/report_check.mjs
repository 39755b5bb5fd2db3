// Opens an `inferscope analyze --report` HTML file in Debian's Chromium (headless, through
// playwright-core; no browser download) and checks what a reader sees, at a desktop and a
// phone width:
//  - no console error, no page error, no request leaving the file (the report is
//    self-contained);
//  - every nav link points at a section that exists and is shown;
//  - every chart draws data (paths or shapes) at no less than 0.72 of its size, so its 11 px
//    text stays readable (on a phone, wide charts scroll sideways inside their box);
//  - the page itself never scrolls sideways (wide tables and charts scroll in their box);
//  - the anomalies section matches the JSON of the same run: as many anomaly blocks as
//    anomalies, as many incidents as distinct `incident` values, each incident of several
//    anomalies one block holding exactly its anomalies, and the heading's counts.
// usage: node report_check.mjs REPORT.html ANALYSIS.json SCREENSHOT_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [reportPath, jsonPath, shotDir] = process.argv.slice(2);
const analysis = JSON.parse(readFileSync(jsonPath, 'utf8'));
const anomalies = analysis.anomalies ?? [];
const incidents = new Map();
for (const a of anomalies) {
  const key = a.incident ?? a.id;
  incidents.set(key, (incidents.get(key) ?? 0) + 1);
}

const failures = [];
const fail = (what) => failures.push(what);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,  // playwright also gives it a fresh, empty profile
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }],
                                  ['phone', { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => { if (m.type() === 'error') fail(`${name}: console: ${m.text()}`); });
    page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
    const url = pathToFileURL(reportPath).href;
    page.on('request', (r) => { if (r.url() !== url) fail(`${name}: request to ${r.url()}`); });
    await page.goto(url, { waitUntil: 'load' });

    const seen = await page.evaluate(() => {
      const out = { links: [], charts: [], sideways: 0, heading: '', blocks: 0, groups: [] };
      for (const a of document.querySelectorAll('nav a')) {
        const id = a.getAttribute('href').slice(1);
        const target = document.getElementById(id);
        const box = target ? target.getBoundingClientRect() : null;
        out.links.push({ id, found: !!target, shown: !!box && box.height > 0 && box.width > 0 });
      }
      for (const svg of document.querySelectorAll('svg.chart')) {
        const box = svg.getBoundingClientRect();
        out.charts.push({
          label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          scale: box.width / svg.viewBox.baseVal.width,
          marks: svg.querySelectorAll('path, polyline, rect, circle').length,
        });
      }
      out.sideways = document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth;
      const section = document.getElementById('anomalies');
      out.heading = section ? section.querySelector('h2').textContent : '';
      out.blocks = section ? section.querySelectorAll('.anomaly').length : 0;
      for (const g of section ? section.querySelectorAll('.incident') : []) {
        out.groups.push(g.querySelectorAll('.anomaly').length);
      }
      return out;
    });

    if (seen.links.length < 5) fail(`${name}: only ${seen.links.length} nav links`);
    for (const l of seen.links) {
      if (!l.found) fail(`${name}: nav link #${l.id} has no target`);
      else if (!l.shown) fail(`${name}: section #${l.id} is not shown`);
    }
    if (seen.charts.length < 4) fail(`${name}: only ${seen.charts.length} charts`);
    for (const c of seen.charts) {
      // Drawn with 11 px text: below 0.72 of its size that text is under 8 px, unreadable.
      if (c.scale < 0.72 || c.height < 60) {
        fail(`${name}: chart "${c.label}" shown at ${c.width}x${c.height} (scale ${c.scale.toFixed(2)})`);
      }
      if (c.marks < 2) fail(`${name}: chart "${c.label}" draws nothing`);
    }
    if (seen.sideways > 0) fail(`${name}: the page scrolls sideways by ${seen.sideways}px`);

    const wantHeading = incidents.size === anomalies.length
      ? `Anomalies (${anomalies.length})`
      : `Anomalies (${anomalies.length} in ${incidents.size} incidents)`;
    if (seen.heading !== wantHeading) fail(`${name}: heading "${seen.heading}", want "${wantHeading}"`);
    if (seen.blocks !== anomalies.length) fail(`${name}: ${seen.blocks} anomaly blocks, want ${anomalies.length}`);
    const wantGroups = [...incidents.values()].filter((n) => n > 1);
    if (JSON.stringify(seen.groups) !== JSON.stringify(wantGroups)) {
      fail(`${name}: incident blocks hold ${JSON.stringify(seen.groups)} anomalies, want ${JSON.stringify(wantGroups)}`);
    }
    await page.screenshot({ path: join(shotDir, `report-${name}.png`), fullPage: true });
    await page.close();
  }
} finally {
  await browser.close();
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`ok: ${anomalies.length} anomalies in ${incidents.size} incidents, desktop and phone`);

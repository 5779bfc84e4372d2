// widget-test.js — drives the demo search page of a running `findling serve`
// in headless Chromium.  Prints one line per check: "PASS name" / "FAIL name: why"
// (tests/integration/browser.sh turns them into TAP).
//
//   node widget-test.js BASE_URL SCREENSHOT_PATH
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const base = process.argv[2];
const shot = process.argv[3];
let failures = 0;
function check(cond, name, why) {
  if (cond) console.log("PASS " + name);
  else { failures++; console.log("FAIL " + name + (why ? ": " + why : "")); }
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "findling-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1100, height: 1400 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage"],
  });
  const dialogs = [];
  const pageErrors = [];
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.setDefaultTimeout(8000);
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on("pageerror", (e) => pageErrors.push(String(e)));

    await page.goto(base + "/");
    const input = page.locator(".findling-ui__search-input");
    await input.waitFor();
    check(await page.locator('[role="search"]').count() === 1, "search landmark present");
    check((await input.getAttribute("placeholder")) === "Suche ...", "site translation applied (placeholder)");

    // Type a query: results appear, counted in the live region.
    await input.click();
    await page.keyboard.type("Bürger", { delay: 40 });
    await page.waitForSelector(".findling-ui__result");
    await page.waitForFunction(() => document.querySelector(".findling-ui")?.dataset.state === "done");
    const nResults = await page.locator(".findling-ui__results > .findling-ui__result").count();
    check(nResults > 0, "typing shows results", "n=" + nResults);
    const msg = await page.locator(".findling-ui__message").textContent();
    check(/Ergebnis/.test(msg) && /Bürger/.test(msg), "live region announces the count", msg);
    check((await page.locator(".findling-ui__message").getAttribute("aria-live")) === "polite", "message is an aria-live region");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "Bürger");
    check(true, "query kept in the page URL (?q=)");
    check(await page.locator(".findling-ui__result-excerpt mark").count() > 0, "excerpts highlight with <mark>");
    await input.blur();
    await page.waitForTimeout(200);
    await page.screenshot({ path: shot, fullPage: false });
    check(fs.existsSync(shot), "screenshot saved");

    // Autocomplete.
    await input.fill("");
    await input.pressSequentially("zivilg", { delay: 40 });
    let sugg = [];
    try {
      await page.waitForSelector(".findling-ui__suggestion", { timeout: 4000 });
      sugg = await page.locator(".findling-ui__suggestion").allTextContents();
    } catch (e) { /* checked below */ }
    check(sugg.some((s) => /^Zivilgesellschaft/.test(s)), "autocomplete suggests Zivilgesellschaft", JSON.stringify(sugg));
    await page.keyboard.press("Escape");

    // Facet chip narrows the results.
    await page.goto(base + "/?q=" + encodeURIComponent("*"));
    await page.waitForFunction(() => document.querySelector(".findling-ui")?.dataset.state === "done");
    const totalAll = Number(await page.locator(".findling-ui").getAttribute("data-total"));
    const chip = page.locator('[data-facet="category"] .findling-ui__chip').first();
    const chipValue = await chip.getAttribute("data-value");
    const chipCount = Number(await chip.locator(".findling-ui__chip-count").textContent());
    await chip.click();
    await page.waitForFunction((n) => Number(document.querySelector(".findling-ui").dataset.total) !== n
      && document.querySelector(".findling-ui").dataset.state === "done", totalAll);
    const totalNarrow = Number(await page.locator(".findling-ui").getAttribute("data-total"));
    check(totalNarrow > 0 && totalNarrow < totalAll && totalNarrow === chipCount,
      "facet chip narrows the results", `${chipValue}: ${totalAll} → ${totalNarrow} (chip said ${chipCount})`);
    const pressed = await page.locator(`[data-facet="category"] .findling-ui__chip[aria-pressed="true"]`).count();
    check(pressed === 1, "chip is aria-pressed");
    check(new URL(page.url()).searchParams.getAll("category").includes(chipValue), "filter kept in the URL");
    await page.goBack();
    await page.waitForFunction((n) => Number(document.querySelector(".findling-ui").dataset.total) === n, totalAll);
    check(true, "back button undoes the filter");

    // "Mehr Ergebnisse laden" appends the next page.
    const before = await page.locator(".findling-ui__results > .findling-ui__result").count();
    await page.locator(".findling-ui__button").click();
    await page.waitForFunction((n) => document.querySelectorAll(".findling-ui__results > .findling-ui__result").length > n, before);
    const after = await page.locator(".findling-ui__results > .findling-ui__result").count();
    check(after > before, "load more appends results", `${before} → ${after}`);

    // Keyboard navigation through the results.
    await input.focus();
    await page.keyboard.press("ArrowDown");
    const first = await page.evaluate(() => document.activeElement.classList.contains("findling-ui__result-link"));
    await page.keyboard.press("ArrowDown");
    const second = await page.evaluate(() => {
      const links = [...document.querySelectorAll("a.findling-ui__result-link")];
      return links.indexOf(document.activeElement);
    });
    check(first && second === 1, "arrow keys move through the result links", `first=${first} second=${second}`);

    // A misspelling offers "Meinten Sie …?"; following it searches the correction.
    await page.goto(base + "/?q=Zivilgeselschaft");
    await page.waitForFunction(() => document.querySelector(".findling-ui")?.dataset.state === "done");
    const dym = page.locator(".findling-ui__did-you-mean a");
    const dymText = (await dym.count()) ? await dym.textContent() : "";
    check(dymText === "Zivilgesellschaft", "did-you-mean link offered", dymText);
    if (dymText) {
      await dym.click();
      await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "Zivilgesellschaft");
      check((await input.inputValue()) === "Zivilgesellschaft", "did-you-mean link searches the correction");
    }

    // A title with <script> is shown as text, nothing runs.
    await page.goto(base + "/?q=Vereinsname");
    await page.waitForFunction(() => document.querySelector(".findling-ui")?.dataset.state === "done");
    const titles = await page.locator(".findling-ui__results > .findling-ui__result .findling-ui__result-title a").allTextContents();
    check(titles.some((t) => t.includes("<script>alert(1)</script>")), "title with <script> shown as text", JSON.stringify(titles));
    check(await page.locator("#search script").count() === 0, "no script element inside the widget");
    await page.waitForTimeout(300);
    check(dialogs.length === 0, "no script executed (no alert)", JSON.stringify(dialogs));

    // A sub-result link leads to the section's anchor.
    await page.goto(base + "/?q=" + encodeURIComponent("Eingaben Text"));
    await page.waitForFunction(() => document.querySelector(".findling-ui")?.dataset.state === "done");
    const sub = page.locator(".findling-ui__result-nested a").first();
    const subCount = await page.locator(".findling-ui__result-nested a").count();
    check(subCount > 0, "sub-results shown (showSubResults)");
    if (subCount > 0) {
      const href = await sub.getAttribute("href");
      await Promise.all([page.waitForURL(/#/), sub.click()]);
      check(/#[^#]+$/.test(page.url()), "sub-result link has the #anchor", page.url() + " from " + href);
    } else {
      check(false, "sub-result link has the #anchor", "no sub-results");
    }
    check(pageErrors.length === 0, "no JavaScript errors", pageErrors.join(" | "));
  } catch (e) {
    check(false, "browser run completed", String(e && e.stack || e).split("\n").slice(0, 3).join(" "));
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failures ? 1 : 0);
})();

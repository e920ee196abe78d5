// Opens a readiness HTML report in headless Debian Chromium (playwright-core from the
// frontend's packages, as the frontend's browser tests do) and prints what the page shows and
// does, as JSON, for tests/report/test_readiness_html.py to compare with the JSON report.
//
//   node readiness_html_check.mjs REPORT.html

import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const frontend = resolve(import.meta.dirname, '..', '..', 'frontend', 'package.json')
const { chromium } = createRequire(frontend)('playwright-core')

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

const reportUrl = pathToFileURL(resolve(process.argv[2])).href
const profile = mkdtempSync(join(tmpdir(), 'mami-audit-report-chromium-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_FLAGS,
  timeout: 30_000,
  viewport: { width: 1280, height: 900 },
})
const out = { consoleErrors: [], requests: [] }
try {
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') out.consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => out.consoleErrors.push(String(error)))
  page.on('request', (request) => {
    if (request.url() !== reportUrl) out.requests.push(request.url())
  })
  await page.goto(reportUrl, { waitUntil: 'load' })

  const visibleCriteria = () =>
    page.$$eval('.criterion', (items) => items.filter((item) => item.offsetParent !== null).map((item) => item.id.replace('criterion-', '')))

  // What the page says.
  out.shown = await page.evaluate(() => ({
    overall: document.getElementById('overall').textContent,
    counts: Object.fromEntries(
      [...document.querySelectorAll('.counts li')].map((li) => [li.dataset.status, Number(li.querySelector('.count').textContent)]),
    ),
    requirements: [...document.querySelectorAll('section.requirement')].map((section) => ({
      id: section.dataset.requirement,
      percent: section.querySelector('h2 .pct').textContent,
      statuses: Object.fromEntries(
        ['pass', 'fail', 'not-checked', 'runtime-only'].map((status) => [status, section.querySelectorAll(`.criterion[data-status="${status}"]`).length]),
      ),
    })),
    chart: [...document.querySelectorAll('.chart li')].map((li) => ({ id: li.dataset.requirement, percent: li.querySelector('.pct').textContent })),
    shownText: document.getElementById('shown').textContent,
  }))
  out.allVisible = (await visibleCriteria()).length

  // Wide screen: chart beside the criteria, nothing wider than the window.
  out.wide = await page.evaluate(() => {
    const aside = document.querySelector('aside').getBoundingClientRect()
    const main = document.querySelector('main').getBoundingClientRect()
    const page = document.documentElement
    return { side_by_side: aside.right <= main.left, overflow: page.scrollWidth > page.clientWidth }
  })

  // Status filter: only failing criteria.
  for (const status of ['pass', 'not-checked', 'runtime-only']) await page.uncheck(`input[name="status"][value="${status}"]`)
  out.failOnly = await visibleCriteria()
  out.failOnlyText = await page.textContent('#shown')
  // A failing criterion expands to its findings and the offending lines.
  if (out.failOnly.length) {
    const first = `#criterion-${out.failOnly[0].replace('.', '\\.')}`
    const summary = page.locator(`${first} summary`)
    await summary.focus()
    await page.keyboard.press('Enter') // keyboard, not mouse
    out.expanded = await page.evaluate((selector) => {
      const details = document.querySelector(`${selector} details`)
      return {
        open: details.open,
        findings: [...details.querySelectorAll('.findings > li')].map((li) => li.querySelector('code').textContent),
        lines: [...details.querySelectorAll('pre')].map((pre) => pre.textContent),
      }
    }, first)
  }

  // Requirement filter with every status back on, by keyboard on the select.
  for (const status of ['pass', 'not-checked', 'runtime-only']) await page.check(`input[name="status"][value="${status}"]`)
  await page.selectOption('#requirement-filter', 'R13')
  out.r13Only = await visibleCriteria()
  out.visibleSections = await page.$$eval('section.requirement', (sections) => sections.filter((s) => !s.hidden).map((s) => s.dataset.requirement))
  await page.selectOption('#requirement-filter', '')

  // Keyboard: Tab reaches the theme button and the filters.
  const focused = []
  // Start from the top of the page, as a keyboard user arriving there would.
  await page.evaluate(() => {
    const heading = document.querySelector('h1')
    heading.tabIndex = -1
    heading.focus()
  })
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab')
    focused.push(await page.evaluate(() => document.activeElement.id || document.activeElement.getAttribute('name') || document.activeElement.tagName))
  }
  out.tabOrder = focused

  // Light and dark.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
  await page.emulateMedia({ colorScheme: 'light' })
  out.lightBackground = await background()
  await page.emulateMedia({ colorScheme: 'dark' })
  out.darkBackground = await background()
  await page.click('#theme')
  out.afterToggle = { theme: await page.getAttribute('html', 'data-theme'), background: await background() }

  // Phone: one column, no sideways scrolling.
  await page.setViewportSize({ width: 375, height: 740 })
  out.phone = await page.evaluate(() => {
    const aside = document.querySelector('aside').getBoundingClientRect()
    const main = document.querySelector('main').getBoundingClientRect()
    const wider = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .map((element) => element.tagName + '.' + element.className)
    const page = document.documentElement
    return { stacked: aside.bottom <= main.top + 1, overflow: page.scrollWidth > page.clientWidth, wider: wider.slice(0, 5) }
  })
} finally {
  await context.close()
  rmSync(profile, { recursive: true, force: true })
}
process.stdout.write(JSON.stringify(out))

// R7.4 / R9.5: `npm run dev` serves source maps and a changed component hot-reloads in the
// browser without a page reload — with native file events and with polling (as in Docker).

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { launchBrowser, type Browser } from './support/browser'
import { FRONTEND_DIR, logDirFor } from './support/paths'
import { freePort } from './support/ports'
import { startProcess, waitForHttp, type RunningProcess } from './support/processes'

const EDITED_FILE = join('src', 'pages', 'ChatPage.tsx')
const ORIGINAL_TEXT = 'Ask Mami anything. The answer names the provider that gave it.'

/** A copy of the app to edit, so the test never touches the real sources. */
function copyApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mami-ui-hmr-'))
  for (const entry of ['index.html', 'package.json', 'vite.config.ts', 'tsconfig.json', 'tsconfig.app.json', 'tsconfig.node.json', 'src', 'public']) {
    cpSync(join(FRONTEND_DIR, entry), join(dir, entry), { recursive: true })
  }
  symlinkSync(join(FRONTEND_DIR, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
})

describe.each([
  { watcher: 'native file events', polling: 'false' },
  { watcher: 'polling (CHOKIDAR_USEPOLLING=true)', polling: 'true' },
])('dev server with $watcher', ({ polling }) => {
  let appDir: string
  let devServer: RunningProcess
  let url: string

  beforeAll(async () => {
    appDir = copyApp()
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    devServer = startProcess(
      polling === 'true' ? 'dev-polling' : 'dev-native',
      'npm',
      ['run', 'dev', '--', '--host', '127.0.0.1', '--port', String(port)],
      {
        cwd: appDir,
        logDir: logDirFor('hot-reload'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          CHOKIDAR_USEPOLLING: polling,
          // The browser reaches the HMR websocket on the same port here (no port mapping).
          VITE_HMR_CLIENT_PORT: String(port),
        },
      },
    )
    await waitForHttp(`${url}/`, devServer, 60_000)
  }, 90_000)

  afterAll(async () => {
    await devServer?.stop()
    if (appDir) rmSync(appDir, { recursive: true, force: true })
  })

  it('serves modules with inline source maps', async () => {
    const response = await fetch(`${url}/src/App.tsx`)
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/)
  })

  it('updates a changed component in the page without reloading it', async () => {
    const page = await browser.context.newPage()
    try {
      const consoleLines: string[] = []
      page.on('console', (message) => consoleLines.push(message.text()))
      let loads = 0
      page.on('load', () => loads++)

      await page.goto(`${url}/chat`)
      await page.getByText(ORIGINAL_TEXT).waitFor({ timeout: 30_000 })
      // Wait for the HMR client's websocket before editing, or the change has no one to reach.
      await expect.poll(() => consoleLines.some((line) => line.includes('[vite] connected')), { timeout: 15_000 }).toBe(true)

      // State that a reload would lose: a marker on window and a half-written message.
      await page.evaluate(() => ((window as unknown as { hmrMarker: string }).hmrMarker = 'still here'))
      await page.getByLabel('Message').fill('draft kept across the update')
      const loadsBefore = loads

      const edited = `Hot reloaded at ${Date.now()}`
      const file = join(appDir, EDITED_FILE)
      const source = readFileSync(file, 'utf8')
      expect(source).toContain(ORIGINAL_TEXT)
      writeFileSync(file, source.replace(ORIGINAL_TEXT, edited))

      try {
        await page.getByText(edited).waitFor({ timeout: 20_000 })
      } catch (error) {
        throw new Error(
          `the edit did not reach the page: ${String(error)}\nbrowser console:\n${consoleLines.join('\n')}\n` +
            `dev server output:\n${devServer.tail()}`,
        )
      }
      expect(await page.evaluate(() => (window as unknown as { hmrMarker?: string }).hmrMarker)).toBe('still here')
      expect(await page.getByLabel('Message').inputValue()).toBe('draft kept across the update')
      expect(loads).toBe(loadsBefore)
      expect(consoleLines.some((line) => line.includes('[vite] hot updated: /src/pages/ChatPage.tsx'))).toBe(true)
    } finally {
      await page.close()
    }
  })
})

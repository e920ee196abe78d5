// The UI in headless Chromium against the real backend and worker (issue 4): the built app
// served by `vite preview`, and the dev server configured the way compose runs it.

import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { launchBrowser, type Browser } from './support/browser'
import { FAIL_MARKER, fakeAnswerTo } from './support/fakeGroq'
import { freePort } from './support/ports'
import { GROQ_MODEL, startBackend, startUi, type Backend, type UiServer } from './support/stack'

let backend: Backend
let browser: Browser
let ui: UiServer | undefined
let page: Page | undefined

beforeAll(async () => {
  backend = await startBackend('app')
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await backend?.stop()
})

afterEach(async () => {
  await page?.close()
  page = undefined
})

async function openPage(path: string, beforeLoad?: (page: Page) => void): Promise<Page> {
  if (!ui) throw new Error('no UI server is running')
  page = await browser.context.newPage()
  beforeLoad?.(page)
  await page.goto(`${ui.url}${path}`)
  return page
}

/** Sends a message on the chat page and checks the answer and who gave it. */
async function chatRoundTrip(chat: Page, message: string): Promise<void> {
  await chat.getByLabel('Message').fill(message)
  await chat.getByLabel('Message').press('Enter')
  const answer = chat.getByTestId('chat-answer').last()
  await answer.waitFor()
  expect(await answer.textContent()).toContain(fakeAnswerTo(message))
  const answeredBy = chat.getByText('Answered by').last()
  expect(await answeredBy.textContent()).toContain('groq')
  expect(await answeredBy.textContent()).toContain(GROQ_MODEL)
  const call = backend.groq.calls.at(-1)
  expect(call?.model).toBe(GROQ_MODEL)
  expect(call?.messages.at(-1)).toMatchObject({ role: 'user', content: message })
}

/** Checks that the System page shows every component of the API's own report as up. */
async function seeHealthy(system: Page): Promise<void> {
  await system.getByRole('heading', { name: 'System' }).waitFor()
  await system.getByText('All required components are up.').waitFor()
  const health = (await (await fetch(`${backend.apiUrl}/health`)).json()) as { components: Record<string, unknown> }
  const names = Object.keys(health.components)
  expect(names).toContain('database')
  for (const name of names) {
    const row = system.getByRole('row', { name: `${name} component` })
    expect(await row.getByText('Up', { exact: true }).count()).toBe(1)
  }
}

/** A PNG drawn by the browser itself, so the upload is a real image. */
async function drawPng(on: Page, width: number, height: number): Promise<Buffer> {
  const dataUrl = await on.evaluate(
    ([w, h]) => {
      const canvas = document.createElement('canvas')
      canvas.width = w
      canvas.height = h
      const context = canvas.getContext('2d')
      if (!context) throw new Error('no 2d canvas context')
      context.fillStyle = '#4f46e5'
      context.fillRect(0, 0, w, h)
      context.fillStyle = '#fbbf24'
      context.fillRect(w / 4, h / 4, w / 2, h / 2)
      return canvas.toDataURL('image/png')
    },
    [width, height] as const,
  )
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64')
}

describe('built app served by vite preview', () => {
  beforeAll(async () => {
    ui = await startUi('preview', backend)
  }, 90_000)
  afterAll(async () => {
    await ui?.stop()
    ui = undefined
  })

  describe('Chat', () => {
    it('sends a message and shows the answer and the provider that gave it', async () => {
      const chat = await openPage('/')
      await chat.getByRole('heading', { name: 'Chat' }).waitFor()
      expect(new URL(chat.url()).pathname).toBe('/chat')
      await chatRoundTrip(chat, 'Merhaba Mami, how are you?')
    })

    it('says in plain words when no provider could answer', async () => {
      const chat = await openPage('/chat')
      await chat.getByLabel('Message').fill(`Please answer ${FAIL_MARKER}`)
      await chat.getByRole('button', { name: 'Send' }).click()

      const alert = chat.getByRole('alert')
      await alert.waitFor()
      expect(await alert.textContent()).toContain('No AI provider could answer')
      await chat.getByText('Provider attempts').click()
      expect(await chat.getByText(/groq · llama-3\.3-70b-versatile: failed/).count()).toBe(1)
    })
  })

  describe('System', () => {
    it('shows every component of the health report as up', async () => {
      const system = await openPage('/chat')
      await system.getByRole('link', { name: 'System' }).click()
      await seeHealthy(system)
    })
  })

  describe('Images', () => {
    it('uploads an image and shows the result the worker made', async () => {
      const images = await openPage('/images')
      await images.getByRole('heading', { name: 'Images' }).waitFor()
      const png = await drawPng(images, 96, 64)

      await images.getByLabel(/Image to process/).setInputFiles({ name: 'e2e-square.png', mimeType: 'image/png', buffer: png })
      await images.getByRole('button', { name: 'Upload' }).click()

      const job = images.getByRole('listitem', { name: 'Job e2e-square.png' })
      await job.waitFor()
      await job.getByText('Done', { exact: true }).waitFor({ timeout: 60_000 })

      const result = job.getByRole('img', { name: /^Processed e2e-square\.png/ })
      await result.first().waitFor()
      // Every result image actually loaded through the UI's origin.
      const loaded = await result.evaluateAll((elements) =>
        elements.map((element) => {
          const image = element as HTMLImageElement
          return { complete: image.complete, width: image.naturalWidth, src: image.getAttribute('src') }
        }),
      )
      expect(loaded.length).toBeGreaterThan(0)
      for (const image of loaded) {
        expect(image.src).toMatch(/^\/api\/images\/[^/]+\/results\/[^/]+$/)
        expect(image.width).toBeGreaterThan(0)
      }
    })

  it("shows the API's refusal of a file that only claims to be a PNG", async () => {
    const images = await openPage('/images')
    await images.getByLabel(/Image to process/).setInputFiles({
      name: 'pretend.png',
      mimeType: 'image/png',
      buffer: Buffer.from('these bytes are no PNG'),
    })
    await images.getByRole('button', { name: 'Upload' }).click()
    const alert = images.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('This file type is not accepted. Upload a JPEG, PNG or WebP image')
  })

    it('refuses a file that is not an image, in plain words', async () => {
      const images = await openPage('/images')
      await images.getByLabel(/Image to process/).setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('not an image'),
      })
      await images.getByRole('button', { name: 'Upload' }).click()
      const alert = images.getByRole('alert')
      await alert.waitFor()
      expect(await alert.textContent()).toContain('"notes.txt" is not a JPEG, PNG or WebP image')
    })
  })

  describe('Keyboard', () => {
    it('reaches every page through the labelled navigation', async () => {
      const app = await openPage('/chat')
      await app.getByRole('heading', { name: 'Chat' }).waitFor()
      await app.keyboard.press('Tab')
      expect(await app.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
      await app.keyboard.press('Tab')
      await app.keyboard.press('Tab')
      expect(await app.evaluate(() => document.activeElement?.textContent)).toBe('Images')
      await app.keyboard.press('Enter')
      await app.getByRole('heading', { name: 'Images' }).waitFor()
      expect(await app.getByRole('link', { name: 'Images' }).getAttribute('aria-current')).toBe('page')
    })
  })
})

describe('dev server as compose runs it (VITE_API_URL set, polling on)', () => {
  beforeAll(async () => {
    ui = await startUi('dev', backend)
  }, 90_000)
  afterAll(async () => {
    await ui?.stop()
    ui = undefined
  })

  it('answers a chat and shows health, with every request on the UI origin', async () => {
    const origins = new Set<string>()
    const app = await openPage('/chat', (fresh) =>
      fresh.on('request', (request) => origins.add(new URL(request.url()).origin)),
    )
    await app.getByRole('heading', { name: 'Chat' }).waitFor()
    await chatRoundTrip(app, 'Hello from the dev server')
    await app.getByRole('link', { name: 'System' }).click()
    await seeHealthy(app)
    // VITE_API_URL names the API for the dev server, which proxies; the browser never calls it.
    expect([...origins]).toEqual([ui?.url])
  })
})

describe('built app when the API is down', () => {
  beforeAll(async () => {
    // A port nothing listens on: the preview proxy cannot reach an API there.
    const nowhere = `http://127.0.0.1:${await freePort()}`
    ui = await startUi('preview', { apiUrl: nowhere, logDir: backend.logDir }, { apiIsUp: false })
  }, 90_000)
  afterAll(async () => {
    await ui?.stop()
    ui = undefined
  })

  it('says so on the System and Chat pages instead of failing silently', async () => {
    const app = await openPage('/system')
    const alert = app.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Could not reach the Mami API')

    await app.getByRole('link', { name: 'Chat' }).click()
    await app.getByLabel('Message').fill('Is anyone there?')
    await app.getByRole('button', { name: 'Send' }).click()
    const chatAlert = app.getByRole('alert')
    await chatAlert.waitFor()
    expect(await chatAlert.textContent()).toContain('Could not reach the Mami API')
  })
})

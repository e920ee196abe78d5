import { describe, expect, it } from 'vitest'

import config, { apiProxy, DEFAULT_PROXY_TARGET, watchAndHmr } from './vite.config'

describe('API proxy of the dev and preview servers', () => {
  it('forwards /api and /health to the local API when VITE_API_URL is unset', () => {
    const proxy = apiProxy({})
    expect(Object.keys(proxy ?? {})).toEqual(['^/api/', '^/health(\\?|$)'])
    expect(Object.values(proxy ?? {}).map((rule) => rule.target)).toEqual([DEFAULT_PROXY_TARGET, DEFAULT_PROXY_TARGET])
  })

  it('forwards to VITE_PROXY_TARGET when given', () => {
    const proxy = apiProxy({ VITE_PROXY_TARGET: 'http://127.0.0.1:9001' })
    expect(proxy?.['^/api/']?.target).toBe('http://127.0.0.1:9001')
  })

  it('is off when the browser calls VITE_API_URL directly', () => {
    expect(apiProxy({ VITE_API_URL: 'http://mami-ai:8000' })).toBeUndefined()
  })

  it('matches API paths only, not pages that merely start alike', () => {
    const patterns = Object.keys(apiProxy({}) ?? {}).map((key) => new RegExp(key))
    const proxied = (url: string) => patterns.some((pattern) => pattern.test(url))
    expect(proxied('/api/chat')).toBe(true)
    expect(proxied('/health')).toBe(true)
    expect(proxied('/health?verbose=1')).toBe(true)
    expect(proxied('/healthy')).toBe(false)
    expect(proxied('/apiary')).toBe(false)
    expect(proxied('/system')).toBe(false)
  })
})

describe('file watching and HMR', () => {
  it('polls only when CHOKIDAR_USEPOLLING asks for it', () => {
    expect(watchAndHmr({}).usePolling).toBe(false)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: 'false' }).usePolling).toBe(false)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: 'true' }).usePolling).toBe(true)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: '1' }).usePolling).toBe(true)
  })

  it('points the HMR client at VITE_HMR_CLIENT_PORT, else 5173', () => {
    expect(watchAndHmr({}).clientPort).toBe(5173)
    expect(watchAndHmr({ VITE_HMR_CLIENT_PORT: '15173' }).clientPort).toBe(15173)
    expect(watchAndHmr({ VITE_HMR_CLIENT_PORT: 'not-a-port' }).clientPort).toBe(5173)
  })
})

describe('the resolved config', () => {
  it('serves on 5173 with strictPort and sets the watcher explicitly', async () => {
    const resolve = config as (env: { mode: string; command: 'serve' }) => Promise<Record<string, any>>
    const previous = process.env.CHOKIDAR_USEPOLLING
    process.env.CHOKIDAR_USEPOLLING = 'true'
    try {
      const resolved = await resolve({ mode: 'development', command: 'serve' })
      expect(resolved.server).toMatchObject({ port: 5173, strictPort: true, watch: { usePolling: true } })
      expect(resolved.preview).toMatchObject({ strictPort: true })
    } finally {
      if (previous === undefined) delete process.env.CHOKIDAR_USEPOLLING
      else process.env.CHOKIDAR_USEPOLLING = previous
    }
  })
})

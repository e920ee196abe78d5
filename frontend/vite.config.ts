import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig, loadEnv, type ProxyOptions } from 'vite'

/** The dev server's port; compose maps it 5173:5173 (R6.3, R7.3). */
export const DEV_PORT = 5173
/** Where the API runs when the UI is started next to it without VITE_API_URL. */
export const DEFAULT_PROXY_TARGET = 'http://127.0.0.1:8000'

type Env = Record<string, string | undefined>

/** Environment switches are strings; accept the usual spellings of "on". */
function isOn(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase())
}

/**
 * The proxy of `vite` and `vite preview`: /api and /health on the UI's own origin are forwarded
 * to the API. The target is VITE_PROXY_TARGET, else VITE_API_URL, else the local API. In
 * compose, VITE_API_URL=http://mami-ai:8000 is a name only the containers can resolve (R3.3,
 * R6.5): the dev server inside mami-ui reaches it, the browser on the host could not.
 */
export function apiProxy(env: Env): Record<string, ProxyOptions> {
  const target = (env.VITE_PROXY_TARGET ?? '').trim() || (env.VITE_API_URL ?? '').trim() || DEFAULT_PROXY_TARGET
  return {
    '^/api/': { target, changeOrigin: true },
    '^/health(\\?|$)': { target, changeOrigin: true },
  }
}

/**
 * File watching and HMR settings. Bind mounts on Docker Desktop deliver no file events, so
 * CHOKIDAR_USEPOLLING=true switches the watcher to polling (R7.4). The browser reaches the
 * HMR websocket through the compose port mapping, on VITE_HMR_CLIENT_PORT (default 5173).
 */
export function watchAndHmr(env: Env): { usePolling: boolean; interval: number; clientPort: number } {
  const clientPort = Number.parseInt(env.VITE_HMR_CLIENT_PORT ?? '', 10)
  return {
    usePolling: isOn(env.CHOKIDAR_USEPOLLING),
    interval: 300,
    clientPort: Number.isInteger(clientPort) && clientPort > 0 ? clientPort : DEV_PORT,
  }
}

export default defineConfig(({ mode, command, isPreview }) => {
  // Prefix '': read every variable (process env over .env files), not only VITE_* ones.
  const env: Env = loadEnv(mode, process.cwd(), '')
  const proxy = apiProxy(env)
  const { usePolling, interval, clientPort } = watchAndHmr(env)

  // Under the dev server the browser always calls its own origin and the proxy above
  // forwards; VITE_API_URL reaches the browser only through a production build (R3.3).
  const devServer = command === 'serve' && !isPreview

  return {
    plugins: [react(), tailwindcss()],
    define: devServer ? { 'import.meta.env.VITE_API_URL': JSON.stringify('') } : {},
    css: { devSourcemap: true },
    server: {
      port: DEV_PORT,
      strictPort: true,
      watch: { usePolling, interval },
      hmr: { clientPort },
      proxy,
    },
    preview: {
      port: 4173,
      strictPort: true,
      proxy,
    },
  }
})

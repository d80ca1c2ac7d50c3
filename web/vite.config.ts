import { writeFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

const backend = 'http://localhost:8080'

// Go embeds web/dist with `//go:embed all:dist`, so the directory must exist
// in a clean clone; emptyOutDir wipes it, this puts the placeholder back.
function keepGitkeep(): Plugin {
  let outDir = resolve(__dirname, 'dist')
  return {
    name: 'chatspot-keep-gitkeep',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    closeBundle() {
      mkdirSync(outDir, { recursive: true })
      writeFileSync(resolve(outDir, '.gitkeep'), '')
    },
  }
}

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  plugins: [keepGitkeep()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
  },
  server: {
    proxy: {
      '/api': { target: backend },
      '/hooks': { target: backend },
      // the provider's OAuth callback (Instagram, Facebook), which sends the browser back to /admin/channels
      '/oauth': { target: backend },
      '/healthz': { target: backend },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
})

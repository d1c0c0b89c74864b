import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into ../dist/web, which the console's server serves. Everything is bundled: the app
// loads nothing from another origin.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Chart.js and Cytoscape are most of the bundle; one chunk each keeps the app's own small.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npx vite web` while the console's server runs on its default port: live reload.
    proxy: { '/graphql': 'http://127.0.0.1:4006', '/api': 'http://127.0.0.1:4006' },
  },
});

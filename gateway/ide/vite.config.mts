import { defineConfig } from 'vite';

// The development IDE of the gateway, built into ./dist and served by the gateway under /ide
// when not in production. Everything is bundled: the page loads nothing from another origin.
export default defineConfig({
  base: '/ide/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The editor (Monaco) and its language workers are most of it; it is only ever served locally.
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      onwarn(warning, warn) {
        // Radix UI's "use client" marks React server components' client side; there are none here.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});

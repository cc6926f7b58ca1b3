// Builds the web app (web/src) into web/dist, which the server serves at /. The bundle lives under
// /app/ so it never collides with the server's own /assets/gifts/. `npx vite web` serves it with
// hot reload against a server on :3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'app', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  server: {
    proxy: {
      '/v1': { target: 'http://localhost:3000', ws: true },
      '/assets/gifts': 'http://localhost:3000',
      '/sandbox': 'http://localhost:3000',
    },
  },
});

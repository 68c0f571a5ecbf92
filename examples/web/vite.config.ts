/**
 * The dev server (and `vite preview`) proxy /graphql to the subgraph, so the page and the API share an origin:
 * the subgraph sends no CORS headers. SUBGRAPH_URL: where the subgraph listens (default: `npm start`'s).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.SUBGRAPH_URL ?? 'http://localhost:4000';
const proxy = { '/graphql': { target, changeOrigin: true } };

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: { sourcemap: true },
});

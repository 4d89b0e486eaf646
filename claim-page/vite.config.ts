// Vite config of the claim page: `npm run claim-page` (dev server), `npm run claim-page:build` (static
// files in claim-page/dist/), `npx vite preview --config claim-page/vite.config.ts` (serve the build).
// Both servers bind 127.0.0.1 only.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the build works from any folder of any static host (IPFS gateways included).
  base: "./",
  publicDir: "public",
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173, strictPort: false },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
});

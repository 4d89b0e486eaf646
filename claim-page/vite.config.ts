// Vite config of the claim page: `npm run claim-page` (dev server), `npm run claim-page:build` (static
// files in claim-page/dist/), `npx vite preview --config claim-page/vite.config.ts` (serve the build).
// Both servers bind 127.0.0.1 only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * SM_LOCALHOST_PORT, the port of the local `hardhat node` (the `localhost` network of hardhat.config.ts): when set,
 * the config.json that the dev server and `vite preview` serve has its local RPC URL, http://127.0.0.1:8545, on that
 * port instead. The file itself is not changed.
 */
function localhostPort(): Plugin {
  const port = process.env.SM_LOCALHOST_PORT?.trim();
  const serve =
    (dir: string) =>
    (req: { url?: string }, res: import("node:http").ServerResponse, next: () => void): void => {
      if (!port || req.url?.split("?")[0] !== "/config.json") return next();
      const text = readFileSync(join(dir, "config.json"), "utf8");
      res.setHeader("content-type", "application/json");
      res.end(text.replaceAll("http://127.0.0.1:8545", `http://127.0.0.1:${port}`));
    };
  return {
    name: "social-mining:localhost-port",
    configureServer: (server) => void server.middlewares.use(serve(join(root, "public"))),
    configurePreviewServer: (server) => void server.middlewares.use(serve(join(root, "dist"))),
  };
}

export default defineConfig({
  root,
  // Relative asset URLs: the build works from any folder of any static host (IPFS gateways included).
  base: "./",
  publicDir: "public",
  plugins: [localhostPort()],
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173, strictPort: false },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
});

// Vite builds the dashboard into dist/ (served by `ramp server` at its root); `npm run dev` serves it with
// hot reload and proxies the API to a running server (RAMP_URL, default http://127.0.0.1:4320).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const target = process.env.RAMP_URL ?? "http://127.0.0.1:4320";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: {
      "/api": { target, changeOrigin: true },
      "/ofrep": { target, changeOrigin: true },
      "/sdk": { target, changeOrigin: true },
      "/openapi.json": { target, changeOrigin: true },
    },
  },
});

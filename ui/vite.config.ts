/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vite";

// Tauri serves `dist/` from the binary; the dev server is only for `tauri dev`.
export default defineConfig(({ mode }) => ({
  plugins: mode === "test" ? [svelte(), svelteTesting()] : [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 300,
    // Two pages: the main window, and the quick-access palette with its own small bundle.
    rolldownOptions: { input: { main: "index.html", palette: "palette.html" } },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
  },
}));

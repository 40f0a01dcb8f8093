/** Vitest setup: slower CI machines get more time for async UI updates; jsdom gets a ResizeObserver. */
import { configure } from "@testing-library/svelte";

configure({ asyncUtilTimeout: 4000 });

// jsdom has no layout: a no-op ResizeObserver lets bind:clientHeight mount (heights fall back to defaults).
class NoResize {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoResize as unknown as typeof ResizeObserver;

/** Moving between the window's views. */
import { tokens } from "../stores/tokens.svelte";
import { ui, type View } from "../stores/ui.svelte";

/** Shows `view`; a token list shows the vault as it is now (the CLI or another window
 * may have changed it). */
export function go(view: View): void {
  ui.view = view;
  if (view.section === "tokens") {
    tokens.clearAttention();
    tokens.kind = view.kind;
    void tokens.refresh();
  }
}

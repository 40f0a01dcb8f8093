import { mount } from "svelte";
import App from "./App.svelte";
// Inter, bundled: the same narrow, legible letters on every system (Linux often has only
// the wide DejaVu Sans), so long token names fit their column. Only the subsets a page
// uses are loaded.
import "@fontsource-variable/inter/wght.css";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("no #app element");
export default mount(App, { target });

// The quick-access palette's page (palette.html): its own small bundle, so that the
// window the shortcut opens loads only the search box and its rows.
import { mount } from "svelte";
import Palette from "./components/Palette.svelte";
import "@fontsource-variable/inter/wght.css";
import "./app.css";
import "./palette.css";

const target = document.getElementById("palette");
if (!target) throw new Error("no #palette element");
export default mount(Palette, { target });

/** The dashboard's entry: takes a `#token=` from the address bar, then renders the app. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";
import { takeTokenFromUrl } from "./session.js";
import "./styles.css";

takeTokenFromUrl();
const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

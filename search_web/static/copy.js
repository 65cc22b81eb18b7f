// The citation's copy button: shown only where scripts run (the page works without them; the text can be
// selected by hand). Served by the application itself; the Content-Security-Policy allows no inline script.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = "Copied";
  });
});

// The import page goes on to its next chunk of rows by itself; without JavaScript, "Continue" does it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-auto-continue]");
  if (form) window.setTimeout(() => form.submit(), 300);
});

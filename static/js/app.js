// Réseau — small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The phone menu: without JavaScript, « Menu » is a link to the menu, which the stylesheet shows when targeted;
  // here it becomes a button that opens and closes it.
  const link = document.querySelector("a.nav-toggle");
  const nav = document.getElementById("navigation");
  if (link && nav) {
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = link.className;
    toggle.textContent = link.textContent;
    toggle.setAttribute("aria-controls", "navigation");
    const opened = window.location.hash === "#navigation";  // the link was followed before this script ran
    nav.classList.toggle("is-open", opened);
    toggle.setAttribute("aria-expanded", opened ? "true" : "false");
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    const focused = document.activeElement === link;
    link.replaceWith(toggle);
    if (focused) toggle.focus();
  }
  // Forms marked data-confirm ask before submitting (destructive actions).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  // Forms submit once: a double click must not send twice.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      if (form.dataset.submitted === "1") { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      window.setTimeout(() => { delete form.dataset.submitted; }, 4000);
    });
  });
});

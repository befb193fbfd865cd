// Réseau — meetings: live name filter on the check-in page, print button on the sign-in sheet.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-filter-list]").forEach((input) => {
    const list = document.getElementById(input.dataset.filterList);
    if (!list) return;
    const normalize = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    input.addEventListener("input", () => {
      const query = normalize(input.value.trim());
      list.querySelectorAll("[data-name]").forEach((row) => {
        row.hidden = query !== "" && !normalize(row.dataset.name).includes(query);
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});

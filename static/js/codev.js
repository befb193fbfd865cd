// Réseau — CODEV subgroup composition: a live count toward 5–8 people (the server's check stays the reference).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.codev-compose[data-min][data-max]");
  if (!form) return;
  const min = Number(form.dataset.min);
  const max = Number(form.dataset.max);
  const animator = form.querySelector("select[name=animator_id]");
  const boxes = Array.from(form.querySelectorAll("input[name=consultant_ids]"));
  const status = form.querySelector("[data-count]");
  const people = (n) => (n > 1 ? `${n} personnes` : `${n} personne`);

  const update = () => {
    const chosen = new Set(["client"]);
    if (animator && animator.value) chosen.add(animator.value);
    boxes.forEach((box) => {
      // The animator is not offered a second seat as consultant (a disabled box is not sent).
      const isAnimator = Boolean(animator && box.value === animator.value);
      const reason = document.getElementById(box.getAttribute("aria-describedby"));
      box.disabled = isAnimator || box.dataset.unavailable === "true";
      reason.textContent = isAnimator ? "— choisi·e comme animateur·rice" : box.dataset.reason;
      box.closest("label").classList.toggle("codev-choice--unavailable", box.disabled);
      if (box.checked && !box.disabled) chosen.add(box.value);
    });
    const count = chosen.size;
    let message;
    let tone;
    if (count < min) {
      message = `${people(count)} sur ${min} à ${max}, client compris\u00a0: encore ${people(min - count)} à choisir.`;
      tone = "short";
    } else if (count > max) {
      message = `${people(count)}, client compris\u00a0: ${people(count - max)} de trop (${max} au plus).`;
      tone = "over";
    } else {
      message = `${people(count)}, client compris\u00a0: la taille convient (de ${min} à ${max}).`;
      tone = "ok";
    }
    if (animator && !animator.value) message += " Choisissez aussi l'animateur·rice.";
    status.textContent = message;
    status.dataset.tone = tone;
  };

  boxes.forEach((box) => {
    box.dataset.unavailable = String(box.disabled);
    box.dataset.reason = document.getElementById(box.getAttribute("aria-describedby")).textContent;
  });
  status.hidden = false;
  form.addEventListener("change", update);
  update();
});

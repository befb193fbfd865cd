// Réseau — topic vote: remaining points on the ballot, the proposed close on the round form, live tally on the projector.
document.addEventListener("DOMContentLoaded", () => {
  // Ballot: show how many points are left as the member taps.
  const ballot = document.querySelector(".ballot__form[data-points]");
  if (ballot) {
    const total = Number(ballot.dataset.points);
    const box = ballot.querySelector(".ballot__remaining");
    const remaining = ballot.querySelector("[data-remaining-text]");
    const points = (count) => `${count} ${count < 2 ? box.dataset.one : box.dataset.many}`;
    const update = () => {
      let used = 0;
      ballot.querySelectorAll("input[type=radio]:checked").forEach((input) => { used += Number(input.value); });
      const left = total - used;
      remaining.textContent = left > 0 ? `${points(left)} à répartir.`
        : left === 0 ? "Tous vos points sont répartis." : `${points(-left)} de trop\u00a0: retirez-en avant d'enregistrer.`;
      box.classList.toggle("ballot__remaining--over", used > total);
    };
    box.hidden = false;
    ballot.addEventListener("change", update);
    update();
  }

  // Vote round form: choosing another meeting moves the proposed close to that meeting's eve, unless typed.
  const roundForm = document.querySelector("form[data-closings]");
  if (roundForm) {
    const closings = JSON.parse(roundForm.dataset.closings);
    const day = roundForm.querySelector("#closes_on");
    const hour = roundForm.querySelector("#closes_time");
    let typed = false;
    [day, hour].forEach((input) => input.addEventListener("input", () => { typed = true; }));
    roundForm.querySelector("#meeting_id").addEventListener("change", (event) => {
      const closing = closings[event.target.value];
      if (closing && !typed) [day.value, hour.value] = closing;
    });
  }

  // Projector: poll the JSON tally every 5 seconds.
  const body = document.querySelector("body.projector[data-live-url]");
  if (!body) return;
  const url = body.dataset.liveUrl;
  const field = (name) => body.querySelector(`[data-live="${name}"]`);
  const render = (data) => {
    field("status").textContent = data.status;
    field("voters").textContent = String(data.voters);
    const word = body.querySelector('[data-live-word="voters"]');
    word.textContent = Math.abs(data.voters) < 2 ? word.dataset.one : word.dataset.many;
    field("eligible").textContent = String(data.eligible);
    field("turnout").textContent = data.turnout;
    field("hidden").hidden = data.results !== null;
    const list = field("results");
    list.replaceChildren();
    if (data.results === null) return;
    const top = Math.max(1, ...data.results.map((row) => row.points));
    data.results.forEach((row) => {
      const item = document.createElement("li");
      item.className = "projector__row" + (row.rank === 1 ? " projector__row--leader" : "");
      const rank = document.createElement("span");
      rank.className = "projector__rank";
      rank.textContent = String(row.rank);
      if (row.tied) {
        const tie = document.createElement("small");
        tie.textContent = " ex æquo";
        rank.append(tie);
      }
      const title = document.createElement("span");
      title.className = "projector__title";
      title.textContent = row.title;
      const bar = document.createElement("meter");
      bar.className = "projector__bar";
      bar.min = 0; bar.max = top; bar.value = row.points;
      const points = document.createElement("span");
      points.className = "projector__points";
      points.textContent = `${row.points} pt${row.points > 1 ? "s" : ""}`;
      item.append(rank, title, bar, points);
      list.append(item);
    });
  };
  const poll = () => {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data) render(data); })
      .catch(() => {})
      .finally(() => { window.setTimeout(poll, 5000); });
  };
  window.setTimeout(poll, 5000);
});

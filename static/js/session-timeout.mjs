// Warns a signed-in person a few minutes before their session ends for lack of activity, and lets
// them stay signed in. The server ends the session regardless (SESSION_IDLE_MINUTES); this only says so.
const WARN_BEFORE_MS = 5 * 60 * 1000;

export function initSessionTimeout(body = document.body) {
  const minutes = Number(body.dataset.sessionIdleMinutes);
  if (!minutes) return;
  const idleMs = minutes * 60 * 1000;
  const warnAfterMs = Math.max(idleMs - WARN_BEFORE_MS, idleMs / 2);
  let warnTimer;
  let endTimer;
  let dialog;

  const end = () => {
    window.location.assign(body.dataset.sessionEndedUrl);
  };

  const showWarning = () => {
    dialog = document.createElement("div");
    dialog.className = "govuk-notification-banner nrm-session-warning";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "nrm-session-warning-title");
    dialog.dataset.testid = "session-warning";
    const header = document.createElement("div");
    header.className = "govuk-notification-banner__header";
    const title = document.createElement("h2");
    title.className = "govuk-notification-banner__title";
    title.id = "nrm-session-warning-title";
    title.textContent = "You are about to be signed out";
    header.append(title);
    const content = document.createElement("div");
    content.className = "govuk-notification-banner__content";
    const text = document.createElement("p");
    text.className = "govuk-notification-banner__heading";
    const left = Math.round((idleMs - warnAfterMs) / 60000);
    text.textContent = `For your security, you will be signed out in ${left === 1 ? "1 minute" : `${left} minutes`} unless you do something. Anything you have typed and not saved will be lost.`;
    const stay = document.createElement("button");
    stay.type = "button";
    stay.className = "govuk-button";
    stay.textContent = "Stay signed in";
    stay.addEventListener("click", stayIn);
    content.append(text, stay);
    dialog.append(header, content);
    document.querySelector("main")?.prepend(dialog);
    stay.focus();
  };

  const start = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(showWarning, warnAfterMs);
    endTimer = setTimeout(end, idleMs);
  };

  async function stayIn() {
    const response = await fetch(body.dataset.sessionKeepAliveUrl, { credentials: "same-origin" });
    if (!response.ok || response.redirected) {
      end();
      return;
    }
    dialog?.remove();
    dialog = undefined;
    start();
  }

  start();
}

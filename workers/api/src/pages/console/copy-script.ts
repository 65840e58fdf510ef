// /console/copy.js: the copy buttons. A button with data-copy="<id>" copies the text of that element
// (an input's value) to the clipboard and says so in its data-status element. Without the script the
// buttons stay hidden and the link is plain, selectable text.
export const COPY_SCRIPT = `(() => {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.status || '');
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = 'value' in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text.trim());
        if (status) status.textContent = 'Copied.';
      } catch {
        if (status) status.textContent = 'Could not copy: select the link and copy it by hand.';
      }
    });
  }
})();
`;

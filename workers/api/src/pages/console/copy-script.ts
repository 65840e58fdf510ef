// /console/copy.js: a "Copy" button for any page. `<button data-copy="ID" data-copy-status="ID" hidden>`
// copies the value (or text) of the element ID and says so in the status element; the button stays
// hidden where the script or the clipboard is missing, and the text is there to select by hand.
export const COPY_SCRIPT = `(() => {
  for (const button of document.querySelectorAll('[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus || '');
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const text = 'value' in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text);
        if (status) status.textContent = 'Copied.';
      } catch (e) {
        if (source.select) source.select();
        if (status) status.textContent = 'Could not copy: select the text and copy it by hand.';
      }
    });
  }
})();`;

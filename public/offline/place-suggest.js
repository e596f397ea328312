/**
 * Place pickers over an area too large to list in the page (views/partials/place-picker.hbs, data-suggest): as a name
 * is typed, the places that fit fill the field's <datalist>. Without this script the form's search step does the same.
 */
export function suggestPlaces() {
  for (const input of document.querySelectorAll('input[data-suggest]')) {
    const list = document.getElementById(input.getAttribute('list'));
    if (!list) continue;
    let timer;
    let asked = '';
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        // a name picked from the list carries "— parent": nothing more to suggest
        if (q.length < 2 || q === asked || q.includes('—')) return;
        asked = q;
        try {
          const response = await fetch(`/places/suggest?${new URLSearchParams({ q, levels: input.dataset.suggest })}`, { credentials: 'same-origin' });
          if (!response.ok || input.value.trim() !== q) return;
          const { choices } = await response.json();
          list.replaceChildren(...choices.map((choice) => Object.assign(document.createElement('option'), { value: choice.label })));
        } catch {
          // no connection: the search step on submit still finds the place
        }
      }, 250);
    });
  }
}

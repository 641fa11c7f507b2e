/**
 * The web app's one script, served from memory like the stylesheet (no build step; the CSP
 * allows scripts from this origin only, never inline). Every page works without it: it only
 * adds what a form cannot do alone (docs/web.md, "Without the script"):
 *
 * - a status form's sub-status choices follow the status chosen (the server checks the pair
 *   either way);
 * - on New lead, the shopper's open leads appear as their mobile or email is typed;
 * - on the board, dragging a card to another status, or its "Move…" link, opens the status form
 *   in a dialog (without the script the link goes to the lead's own form).
 *
 * Kept to the syntax every browser of the last five years runs (ES2020), without a framework.
 */
export const SCRIPT = `'use strict';
(function () {
  // A status form: the sub-statuses offered are those of the status chosen.
  function followStatus(form) {
    var status = form.querySelector('select[name="status"]');
    var sub = form.querySelector('select[name="subStatus"]');
    if (!status || !sub) return;
    function sync() {
      Array.prototype.forEach.call(sub.options, function (option) {
        var of = option.getAttribute('data-status');
        option.hidden = option.disabled = of !== null && of !== status.value;
      });
      if (sub.selectedOptions.length && sub.selectedOptions[0].disabled) sub.value = '';
    }
    status.addEventListener('change', sync);
    sync();
  }
  document.querySelectorAll('form[data-status-form]').forEach(followStatus);

  // New lead: the shopper's open leads, fetched as a fragment of this server's escaped HTML.
  var identifier = document.getElementById('identifier');
  var openLeads = document.getElementById('open-leads');
  if (identifier && openLeads) {
    var timer;
    var asked = '';
    var lookUp = function () {
      var value = identifier.value.trim();
      if (value === asked) return;
      asked = value;
      if (value.length < 5) {
        openLeads.replaceChildren();
        return;
      }
      fetch('/app/shoppers/open-leads?identifier=' + encodeURIComponent(value), {
        headers: { accept: 'text/html' },
        credentials: 'same-origin',
      })
        .then(function (response) {
          return response.ok ? response.text() : '';
        })
        .then(function (text) {
          // A slower answer to an earlier value must not replace the current one.
          if (asked === value) openLeads.innerHTML = text;
        })
        .catch(function () {});
    };
    identifier.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 250);
    });
    lookUp();
  }

  // The board: a card dropped on another status, or its "Move…" link, opens the status form.
  var dialog = document.getElementById('move-dialog');
  if (dialog && typeof dialog.showModal === 'function') {
    var form = dialog.querySelector('form');
    var status = form.querySelector('select[name="status"]');
    var title = document.getElementById('move-title');
    var open = function (card, to) {
      form.action = '/app/leads/' + card.getAttribute('data-lead-id') + '/status';
      form.querySelector('input[name="version"]').value = card.getAttribute('data-version');
      // The page's own words, in its language: "Move lead #{id}".
      title.textContent = (title.getAttribute('data-title') || 'Move lead #{id}').replace(
        '{id}',
        card.getAttribute('data-lead-id') || '',
      );
      status.value = to || card.getAttribute('data-status');
      status.dispatchEvent(new Event('change'));
      dialog.showModal();
    };
    document.querySelectorAll('[data-move]').forEach(function (link) {
      link.addEventListener('click', function (event) {
        event.preventDefault();
        open(link.closest('[data-lead-id]'));
      });
    });
    var dragged = null;
    document.querySelectorAll('[data-lead-id][draggable]').forEach(function (card) {
      card.addEventListener('dragstart', function (event) {
        dragged = card;
        event.dataTransfer.setData('text/plain', card.getAttribute('data-lead-id'));
        event.dataTransfer.effectAllowed = 'move';
      });
      card.addEventListener('dragend', function () {
        dragged = null;
      });
    });
    document.querySelectorAll('[data-column]').forEach(function (column) {
      column.addEventListener('dragover', function (event) {
        if (!dragged) return;
        event.preventDefault();
        column.classList.add('drop');
      });
      column.addEventListener('dragleave', function () {
        column.classList.remove('drop');
      });
      column.addEventListener('drop', function (event) {
        event.preventDefault();
        column.classList.remove('drop');
        var to = column.getAttribute('data-column');
        if (dragged && dragged.getAttribute('data-status') !== to) open(dragged, to);
        dragged = null;
      });
    });
    dialog.querySelector('[data-cancel]').addEventListener('click', function () {
      dialog.close();
    });
  }
})();
`;

// Skjold's only script, loaded after Det Fælles Designsystem's: it starts the design
// system's components (the mobile menu, the error summary) and ties a form's error to the
// field it is about. Every page works without it; it only helps.
(function () {
  'use strict';

  // A refused form comes back at the address it was posted to: the form whose action is
  // this page's path is the one the error is about.
  function fieldOf(name) {
    var forms = document.querySelectorAll('form[method="post"]');
    for (var i = 0; i < forms.length; i++) {
      if (new URL(forms[i].action, location.href).pathname !== location.pathname) continue;
      var controls = forms[i].elements;
      for (var j = 0; j < controls.length; j++) {
        var c = controls[j];
        if (c.name === name && c.type !== 'hidden' && c.type !== 'submit') return c;
      }
    }
    return null;
  }

  // The error summary names the field (data-error-field): the field gets the message next
  // to it, is marked invalid and described by it, and the summary links to it.
  function tieError(summary) {
    var name = summary.getAttribute('data-error-field');
    if (!name) return;
    var field = fieldOf(name);
    if (!field) return;
    if (!field.id) field.id = 'felt-' + name;
    var message = document.createElement('span');
    message.className = 'form-error-message';
    message.id = field.id + '-fejl';
    var hidden = document.createElement('span');
    hidden.className = 'sr-only';
    hidden.textContent = 'Fejl: ';
    message.appendChild(hidden);
    message.appendChild(document.createTextNode(summary.getAttribute('data-error-message') || ''));
    var group = field.closest('.form-group');
    if (group) group.classList.add('form-error');
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    var anchor = field.closest('fieldset') ? field.closest('fieldset') : field;
    if (label && label.parentNode === field.parentNode && field.type !== 'checkbox' && field.type !== 'radio') {
      field.parentNode.insertBefore(message, field);
    } else {
      anchor.parentNode.insertBefore(message, anchor);
    }
    field.setAttribute('aria-invalid', 'true');
    var described = field.getAttribute('aria-describedby');
    field.setAttribute('aria-describedby', described ? message.id + ' ' + described : message.id);
    var link = summary.querySelector('a[data-error-link]');
    if (link) {
      link.setAttribute('href', '#' + field.id);
      link.hidden = false;
    }
    // A field in a closed <details> is opened, so that the link leads somewhere visible.
    var details = field.closest('details');
    if (details) details.open = true;
  }

  // The order form offers, for the chosen service, only the suppliers whose agreement
  // covers it (each option names its services in data-services). The server refuses an
  // uncovered supplier all the same.
  function offerCoveredSuppliers(form) {
    var service = form.querySelector('select[name="service"]');
    var supplier = form.querySelector('select[name="supplier"]');
    var none = form.querySelector('[data-no-supplier]');
    if (!service || !supplier) return;
    function apply() {
      var first = null;
      for (var i = 0; i < supplier.options.length; i++) {
        var o = supplier.options[i];
        var services = ' ' + (o.getAttribute('data-services') || '') + ' ';
        var covered = services.indexOf(' ' + service.value + ' ') >= 0;
        o.hidden = !covered;
        o.disabled = !covered;
        if (covered && !first) first = o;
      }
      var chosen = supplier.options[supplier.selectedIndex];
      if ((!chosen || chosen.disabled) && first) supplier.value = first.value;
      if (none) none.hidden = !!first;
    }
    service.addEventListener('change', apply);
    apply();
  }

  function start() {
    var orderForms = document.querySelectorAll('form[data-module="order-suppliers"]');
    for (var k = 0; k < orderForms.length; k++) offerCoveredSuppliers(orderForms[k]);
    var summaries = document.querySelectorAll('[data-module="error-summary"]');
    for (var i = 0; i < summaries.length; i++) tieError(summaries[i]);
    if (window.DKFDS) window.DKFDS.init();
    // The menu moves what does not fit into "Mere" by measuring the items; measure again
    // once the web font has loaded and made them wider.
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(function () { window.dispatchEvent(new Event('resize')); });
    }
    // What the page asks to be focused first (the error summary, which the design system
    // focuses itself, or another element marked for it).
    var first = document.querySelector('[data-focus-on-load]');
    if (first && document.activeElement !== first) first.focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
